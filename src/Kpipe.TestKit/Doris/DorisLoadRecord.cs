namespace Kpipe.TestKit.Doris;

/// <summary>
/// One Stream Load request that reached the BE, as the emulator saw it: what it answered (or would have
/// answered, when a fault dropped the response) and which fault, if any, was applied.
/// </summary>
public sealed record DorisLoadRecord
{
    public required string Database { get; init; }
    public required string Table { get; init; }
    public required string Label { get; init; }

    /// <summary>The load's transaction id; -1 when no transaction began (refused before, or label in use).</summary>
    public long TxnId { get; init; } = -1;

    /// <summary>A DorisLoadStatus value.</summary>
    public required string Status { get; init; }

    public string Message { get; init; } = "";

    /// <summary>For "Label Already Exists": FINISHED, RUNNING or PRECOMMITTED.</summary>
    public string? ExistingJobStatus { get; init; }

    public long NumberTotalRows { get; init; }
    public long NumberLoadedRows { get; init; }
    public long NumberFilteredRows { get; init; }
    public long NumberUnselectedRows { get; init; }
    public long LoadBytes { get; init; }
    public bool TwoPhaseCommit { get; init; }
    public string? ErrorUrl { get; init; }

    /// <summary>The fault applied to this request, if any.</summary>
    public DorisFault? Fault { get; init; }

    /// <summary>False when the client got no Stream Load answer (HTTP error, dropped connection, client gone).</summary>
    public bool ResponseSent { get; init; } = true;

    /// <summary>Whether the load's rows were committed (visible, or precommitted for a two-phase load).</summary>
    public bool Committed { get; init; }

    public DateTimeOffset Time { get; init; }
}
