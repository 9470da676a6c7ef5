using Kpipe.Config;

namespace Kpipe.Engine;

/// <summary>What to do with a record that a transform or a sink rejects as bad data.</summary>
public enum ErrorPolicy
{
    /// <summary>Stop the pipeline with the error; the offset of the bad record is not committed.</summary>
    Fail,
    /// <summary>Log the error, count it in <c>records_skipped</c>, and go on.</summary>
    Skip,
    /// <summary>Write the record as it was consumed to the dead-letter topic, with the error in its headers, and
    /// go on; its offset is committed only once the dead letter is acknowledged.</summary>
    DeadLetter,
}

/// <summary>Record-level error handling. Infrastructure failures (a broker or Doris unreachable) are retried,
/// never skipped.</summary>
public sealed class ErrorPolicyOptions : IValidatableOptions
{
    /// <summary><c>fail</c> (default), <c>skip</c> or <c>dead_letter</c>.</summary>
    public ErrorPolicy Policy { get; set; } = ErrorPolicy.Fail;

    /// <summary>Where <c>dead_letter</c> writes bad records (required with that policy).</summary>
    public DeadLetterOptions? DeadLetter { get; set; }

    /// <summary>How many rejected records are logged one by one per <c>logInterval</c>; the rest are counted and
    /// summed up in one line at the end of the interval, so a burst of bad records costs a few log lines, not
    /// one per record. Default 10.</summary>
    public int LogSample { get; set; } = 10;

    /// <summary>The interval of <c>logSample</c>. Default 10s.</summary>
    public TimeSpan LogInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Policy == ErrorPolicy.DeadLetter && string.IsNullOrEmpty(DeadLetter?.Topic))
            yield return ("deadLetter", "policy 'dead_letter' needs deadLetter.topic, the topic bad records are written to");
        if (Policy != ErrorPolicy.DeadLetter && DeadLetter != null)
            yield return ("deadLetter", "is only used with policy 'dead_letter'");
        if (LogSample < 0) yield return ("logSample", "must be 0 or more");
        if (LogInterval <= TimeSpan.Zero) yield return ("logInterval", "must be positive");
    }
}

/// <summary>The dead-letter topic of the <c>dead_letter</c> policy.</summary>
public sealed class DeadLetterOptions
{
    /// <summary>Topic the bad records are written to, with their original key, value, headers and timestamp,
    /// plus headers that say where they came from and why they were rejected (docs/errors.md). It must
    /// exist (or the cluster must create topics on first use).</summary>
    [RequiredKey] public string Topic { get; set; } = "";

    /// <summary>Comma-separated <c>host:port</c> list of the dead-letter cluster. Default: the source's
    /// <c>bootstrapServers</c> (and its <c>properties</c>, for TLS and SASL).</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>librdkafka producer properties for the dead-letter producer, over those taken from the source
    /// when <c>bootstrapServers</c> is not set. Idempotence and acks=all are always on.</summary>
    public Dictionary<string, string> Properties { get; set; } = [];
}
