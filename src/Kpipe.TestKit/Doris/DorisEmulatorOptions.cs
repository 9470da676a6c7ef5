namespace Kpipe.TestKit.Doris;

/// <summary>Settings of a DorisEmulator.</summary>
public sealed class DorisEmulatorOptions
{
    /// <summary>User accepted by Basic auth. Doris's built-in admin is "root".</summary>
    public string User { get; init; } = "root";

    /// <summary>Password accepted by Basic auth (may be empty, as root's is on a fresh Doris).</summary>
    public string Password { get; init; } = "";

    /// <summary>Zone that zone-suffixed times are converted into when a load sends no `timezone` header.</summary>
    public string DefaultTimezone { get; init; } = DorisTimeZones.DefaultZone;

    /// <summary>How long a finished label blocks reuse (fe: streaming_label_keep_max_second, 12 hours).</summary>
    public TimeSpan LabelKeepTime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How long a PRECOMMITTED transaction waits for commit or abort before the FE aborts it.</summary>
    public TimeSpan PrecommittedTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Clock for label expiry and transaction timeouts; replace it to move time in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How many <c>SHOW ALTER TABLE COLUMN</c> queries see a MODIFY COLUMN job RUNNING before it finishes. Doris
    /// runs a type change as an asynchronous job and the column keeps its old type (in DESC and for loads) until it is
    /// FINISHED; 0 (the default) finishes it during the statement.</summary>
    public int SchemaChangeRunningPolls { get; init; }

    /// <summary>Tables to create at start, as CREATE TABLE statements.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
}
