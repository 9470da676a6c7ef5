using System.Collections.Concurrent;

namespace Kpipe.TestKit.Doris;

/// <summary>The state the FE and BE endpoints share: tables, transactions, error logs, faults and the load log.</summary>
internal sealed class DorisCluster(DorisEmulatorOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<(string Db, string Table), DorisTable> _tables = new();
    private readonly Lock _loadsGate = new();
    private readonly List<DorisLoadRecord> _loads = [];
    private readonly List<string> _statements = [];
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
