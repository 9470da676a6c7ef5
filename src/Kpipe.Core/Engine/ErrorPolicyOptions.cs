using Kpipe.Config;

namespace Kpipe.Engine;

/// <summary>What to do with a record that a transform or a sink rejects as bad data.</summary>
public enum ErrorPolicy
{
    /// <summary>Stop the pipeline with the error; the offset of the bad record is not committed.</summary>
    Fail,
    /// <summary>Log the error, count it in <c>records_skipped</c>, and go on.</summary>
    Skip,
}

/// <summary>Record-level error handling. Infrastructure failures (a broker or Doris unreachable) are retried,
/// never skipped.</summary>
public sealed class ErrorPolicyOptions
{
    /// <summary><c>fail</c> (default) or <c>skip</c>.</summary>
    public ErrorPolicy Policy { get; set; } = ErrorPolicy.Fail;
}
