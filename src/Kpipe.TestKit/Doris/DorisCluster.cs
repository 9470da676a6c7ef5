using System.Collections.Concurrent;

namespace Kpipe.TestKit.Doris;

/// <summary>The state the FE and BE endpoints share: tables, transactions, error logs, faults and the load log.</summary>
internal sealed class DorisCluster(DorisEmulatorOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<(string Db, string Table), DorisTable> _tables = new();
    private readonly Lock _loadsGate = new();
    private readonly List<DorisLoadRecord> _loads = [];
    private readonly List<string> _statements = [];
    private readonly List<AlterJob> _alterJobs = [];
    private readonly CancellationTokenSource _shutdown = new();

    public DorisEmulatorOptions Options { get; } = options;

    public TimeProvider Clock => Options.TimeProvider;

    public TransactionManager Transactions { get; } =
        new(options.TimeProvider, options.LabelKeepTime, options.PrecommittedTimeout);

    public ErrorLogStore ErrorLogs { get; } = new();

    public DorisFaults Faults { get; } = new();

    public int BePort { get; set; }

    /// <summary>Cancelled when the emulator stops: ends injected stalls.</summary>
    public CancellationToken Shutdown => _shutdown.Token;

    public void AddTable(DorisTableDefinition definition)
    {
        if (!_tables.TryAdd((definition.Database, definition.Name), new DorisTable(definition)))
            throw new InvalidOperationException($"Table '{definition.Name}' already exists in database '{definition.Database}'");
    }

    // Database and table names are case-sensitive in Doris (lower_case_table_names = 0).
    public DorisTable? FindTable(string db, string table) => _tables.GetValueOrDefault((db, table));

    public bool HasDatabase(string db) => _tables.Keys.Any(k => k.Db == db);

    public DorisTable GetTable(string db, string table) =>
        FindTable(db, table) ?? throw new ArgumentException($"Unknown table {db}.{table}");

    /// <summary>Records a schema change job that applies <paramref name="change"/>: at once, or after
    /// <see cref="DorisEmulatorOptions.SchemaChangeRunningPolls"/> looks at it (<see cref="PollAlterJobs"/>).</summary>
    public void AddAlterJob(string db, string table, Action change)
    {
        lock (_loadsGate)
        {
            var now = Clock.GetUtcNow().UtcDateTime;
            var job = new AlterJob(10_000 + _alterJobs.Count, db, table, now, change, Options.SchemaChangeRunningPolls);
            _alterJobs.Add(job);
            if (job.PollsLeft == 0) job.Finish(now);
        }
    }

    /// <summary>The jobs as SHOW ALTER TABLE COLUMN sees them: each running one is one look nearer its end.</summary>
    public IReadOnlyList<AlterJob> PollAlterJobs()
    {
        lock (_loadsGate)
        {
            foreach (var job in _alterJobs.Where(j => j.State == "RUNNING"))
                if (--job.PollsLeft <= 0) job.Finish(Clock.GetUtcNow().UtcDateTime);
            return [.. _alterJobs];
        }
    }

    /// <summary>Every statement sent to the SQL endpoint, in arrival order.</summary>
    public IReadOnlyList<string> Statements
    {
        get
        {
            lock (_loadsGate)
                return [.. _statements];
        }
    }

    public void RecordStatement(string stmt)
    {
        lock (_loadsGate)
            _statements.Add(stmt);
    }

    public void Record(DorisLoadRecord record)
    {
        lock (_loadsGate)
            _loads.Add(record);
    }

    public IReadOnlyList<DorisLoadRecord> Loads
    {
        get
        {
            lock (_loadsGate)
                return [.. _loads];
        }
    }

    public void Stop() => _shutdown.Cancel();

    public void Dispose() => _shutdown.Dispose();
}

/// <summary>One schema change job (fe: SchemaChangeJobV2), with the fields SHOW ALTER TABLE COLUMN prints.</summary>
internal sealed class AlterJob(long jobId, string database, string tableName, DateTime createTime, Action change, int polls)
{
    public long JobId { get; } = jobId;

    public string Database { get; } = database;

    public string TableName { get; } = tableName;

    public DateTime CreateTime { get; } = createTime;

    public DateTime? FinishTime { get; private set; }

    public string State { get; private set; } = "RUNNING";

    public string Msg => "";

    public int PollsLeft { get; set; } = polls;

    /// <summary>Applies the change (the new schema becomes the table's) and marks the job FINISHED.</summary>
    public void Finish(DateTime now)
    {
        change();
        (State, FinishTime) = ("FINISHED", now);
    }
}
