namespace Kpipe.TestKit.Doris;

/// <summary>The kinds of trouble the emulated BE can cause a Stream Load.</summary>
public enum DorisFaultKind
{
    /// <summary>Answer with an HTTP error status (5xx) and no load; the label stays free.</summary>
    HttpError,

    /// <summary>Wait before loading (or, with AfterCommit, after committing and before answering).</summary>
    Stall,

    /// <summary>Drop the connection without answering and without loading; the label stays free.</summary>
    DropConnection,

    /// <summary>Load and commit, then drop the connection: the rows are stored but the client never hears so.</summary>
    DropConnectionAfterCommit,

    /// <summary>Load and commit, then answer Status "Publish Timeout" (committed, visible shortly).</summary>
    PublishTimeout,

    /// <summary>Answer Status "Fail" with the given Message; nothing is loaded and the label stays free.</summary>
    Fail,
}

/// <summary>One injected fault. Build with the factory methods.</summary>
public sealed record DorisFault
{
    private DorisFault(DorisFaultKind kind) => Kind = kind;

    public DorisFaultKind Kind { get; private init; }

    /// <summary>HTTP status of an HttpError fault.</summary>
    public int HttpStatusCode { get; private init; }

    /// <summary>Duration of a Stall fault.</summary>
    public TimeSpan Duration { get; private init; }

    /// <summary>For a Stall: wait after the commit instead of before the load.</summary>
    public bool AfterCommit { get; private init; }

    /// <summary>Message of a Fail fault.</summary>
    public string? Message { get; private init; }

    public static DorisFault HttpError(int statusCode = 500)
    {
        if (statusCode is < 500 or > 599)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "expected a 5xx status");
        return new DorisFault(DorisFaultKind.HttpError) { HttpStatusCode = statusCode };
    }

    /// <summary>
    /// Waits before the load runs (the request's body is not read meanwhile), then loads normally;
    /// with afterCommit the load commits first and the answer is held back. A client that gives up
    /// during a stall before the load leaves nothing behind; during a stall after the commit the rows
    /// are stored anyway. Disposing the emulator ends stalls.
    /// </summary>
    public static DorisFault Stall(TimeSpan duration, bool afterCommit = false) =>
        new(DorisFaultKind.Stall) { Duration = duration, AfterCommit = afterCommit };

    public static DorisFault DropConnection() => new(DorisFaultKind.DropConnection);

    public static DorisFault DropConnectionAfterCommit() => new(DorisFaultKind.DropConnectionAfterCommit);

    public static DorisFault PublishTimeout() => new(DorisFaultKind.PublishTimeout);

    /// <summary>A failed load with this Message, e.g. "[E-235]too many versions" or "[TIMEOUT]...".</summary>
    public static DorisFault Fail(string message) => new(DorisFaultKind.Fail) { Message = message };

    public override string ToString() => Kind switch
    {
        DorisFaultKind.HttpError => $"HttpError({HttpStatusCode})",
        DorisFaultKind.Stall => $"Stall({Duration}{(AfterCommit ? ", after commit" : "")})",
        DorisFaultKind.Fail => $"Fail({Message})",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// Faults for the next Stream Load requests that reach the BE (FE redirects, 2PC calls and error-log reads
/// are not affected). Faults are consumed in the order they were injected; a fault limited to a table waits
/// for a load into that table. Thread-safe.
/// </summary>
public sealed class DorisFaults
{
    private readonly Lock _gate = new();
    private readonly List<(DorisFault Fault, string? Db, string? Table)> _queue = [];

    /// <summary>Faults waiting for a load.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
                return _queue.Count;
        }
    }

    /// <summary>Applies the fault to the next `times` loads (into db.table only, when given).</summary>
    public void Inject(DorisFault fault, int times = 1, string? database = null, string? table = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
                _queue.Add((fault, database, table));
        }
    }

    /// <summary>The next `count` loads get HTTP `statusCode` (5xx) and load nothing.</summary>
    public void NextLoadsFailWithHttpStatus(int count, int statusCode = 500) => Inject(DorisFault.HttpError(statusCode), count);

    /// <summary>The next `count` loads wait `duration` before loading.</summary>
    public void NextLoadsStall(int count, TimeSpan duration) => Inject(DorisFault.Stall(duration), count);

    /// <summary>The next `count` loads lose their connection before anything is loaded.</summary>
    public void NextLoadsDropConnection(int count) => Inject(DorisFault.DropConnection(), count);

    /// <summary>The next `count` loads commit, then lose their connection (the "lost response").</summary>
    public void NextLoadsDropConnectionAfterCommit(int count) => Inject(DorisFault.DropConnectionAfterCommit(), count);

    /// <summary>The next `count` loads commit and answer "Publish Timeout".</summary>
    public void NextLoadsPublishTimeout(int count) => Inject(DorisFault.PublishTimeout(), count);

    /// <summary>The next `count` loads answer Status "Fail" with `message`.</summary>
    public void NextLoadsFail(int count, string message) => Inject(DorisFault.Fail(message), count);

    public void Clear()
    {
        lock (_gate)
            _queue.Clear();
    }

    internal DorisFault? Take(string db, string table)
    {
        lock (_gate)
        {
            var i = _queue.FindIndex(f => (f.Db is null || f.Db == db) && (f.Table is null || f.Table == table));
            if (i < 0)
                return null;
            var fault = _queue[i].Fault;
            _queue.RemoveAt(i);
            return fault;
        }
    }
}
