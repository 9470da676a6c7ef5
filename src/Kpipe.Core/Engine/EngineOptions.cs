using Kpipe.Config;

namespace Kpipe.Engine;

/// <summary>Flow control, offset commits and shutdown of one pipeline.</summary>
public sealed class EngineOptions
{
    /// <summary>Upper bound on the bytes of consumed records not yet acknowledged by every sink. When it is
    /// reached the consumer pauses its partitions (backpressure) instead of buffering more. Default 64MiB.</summary>
    [ValidRange("1MiB")] public ByteSize MaxInFlightBytes { get; set; } = ByteSize.FromMiB(64);

    /// <summary>How often acknowledged offsets are committed to Kafka. Offsets are also committed on
    /// partition revocation and on shutdown. Under a Kafka sink's <c>exactlyOnce</c>, how often its transaction
    /// (records and offsets together) is committed; under a Doris sink's <c>exactlyOnce</c>, how often its
    /// precommitted loads are recorded with the offsets and made visible. Default 1s.</summary>
    [ValidRange("1ms")] public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On SIGINT/SIGTERM, how long to wait for the sinks to drain before exiting. What is not
    /// acknowledged by then is not committed and will be read again on restart. Default 30s.</summary>
    [ValidRange("1ms")] public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a progress line (records and rates, lag, errors, bytes in flight) is logged; 0s turns it
    /// off. Default 30s.</summary>
    [ValidRange("0s")] public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long records may wait (lag above 0) while none is written, filtered, skipped or dead-lettered
    /// before the pipeline counts as stalled: /healthz and /readyz then answer 503 and say why. Default 5m.</summary>
    [ValidRange("1s")] public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Serve /metrics, /healthz and /readyz on this address (HOST:PORT, :PORT or PORT; host 127.0.0.1
    /// unless given), as <c>kpipe run --http</c> does; the command line wins. Pipelines run in one process share
    /// one server, so their files must name the same address. Off unless given.</summary>
    public string? Http { get; set; }
}
