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
    /// (records and offsets together) is committed. Default 1s.</summary>
    [ValidRange("1ms")] public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On SIGINT/SIGTERM, how long to wait for the sinks to drain before exiting. What is not
    /// acknowledged by then is not committed and will be read again on restart. Default 30s.</summary>
    [ValidRange("1ms")] public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a progress line (records in, out, skipped, lag) is logged; 0s turns it off. Default 30s.</summary>
    [ValidRange("0s")] public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(30);
}
