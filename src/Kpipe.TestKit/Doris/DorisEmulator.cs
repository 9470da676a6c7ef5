namespace Kpipe.TestKit.Doris;

/// <summary>
/// An in-process Apache Doris that speaks Stream Load over HTTP, for tests and demos: an FE port that
/// checks the request and redirects it (307) to a BE port, which loads the body into in-memory tables with
/// Doris's label, conversion, filtering, Unique Key, sequence column and two-phase-commit rules.
/// Both ports listen on 127.0.0.1 with OS-assigned numbers. See docs/doris-emulator.md.
/// <code>
/// await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Password = "secret" });
/// doris.CreateTable("CREATE TABLE shop.orders (id VARCHAR(32) NOT NULL, amount DECIMAL(10, 2)) UNIQUE KEY(id)");
/// // PUT {doris.FeUrl}/api/shop/orders/_stream_load ...
/// var rows = doris.Rows("shop", "orders");
/// </code>
/// </summary>
public sealed class DorisEmulator : IAsyncDisposable, IDisposable
{
    private readonly DorisCluster _cluster;
    private KestrelListener? _fe;
    private KestrelListener? _be;
    private int _disposed;

    private DorisEmulator(DorisCluster cluster) => _cluster = cluster;

    /// <summary>The FE's base URL, "http://127.0.0.1:port": Stream Loads start here.</summary>
    public string FeUrl => $"http://127.0.0.1:{FePort}";

    /// <summary>The BE's base URL: loads may also be sent here directly; ErrorURLs point here.</summary>
    public string BeUrl => $"http://127.0.0.1:{BePort}";

    public int FePort => _fe?.Port ?? 0;

    public int BePort => _be?.Port ?? 0;

    public string User => _cluster.Options.User;

    public string Password => _cluster.Options.Password;

    public DorisEmulatorOptions Options => _cluster.Options;

    /// <summary>Faults for the next loads that reach the BE.</summary>
    public DorisFaults Faults => _cluster.Faults;

    /// <summary>Every Stream Load request the BE received, in arrival order of their outcome.</summary>
    public IReadOnlyList<DorisLoadRecord> Loads => _cluster.Loads;

    public static async Task<DorisEmulator> StartAsync(DorisEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var cluster = new DorisCluster(options ?? new DorisEmulatorOptions());
        var emulator = new DorisEmulator(cluster);
        try
        {
            foreach (var ddl in cluster.Options.Tables)
                emulator.CreateTable(ddl);
            var be = new BeEndpoint(cluster);
            emulator._be = await KestrelListener.StartAsync(be.HandleAsync, cancellationToken).ConfigureAwait(false);
            cluster.BePort = emulator._be.Port;
            var fe = new FeEndpoint(cluster);
            emulator._fe = await KestrelListener.StartAsync(fe.HandleAsync, cancellationToken).ConfigureAwait(false);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static DorisEmulator Start(DorisEmulatorOptions? options = null) => StartAsync(options).GetAwaiter().GetResult();

    /// <summary>The FE Stream Load URL of a table: {FeUrl}/api/{db}/{table}/_stream_load.</summary>
    public string StreamLoadUrl(string database, string table) => $"{FeUrl}/api/{database}/{table}/_stream_load";

    /// <summary>Creates a table from one CREATE TABLE statement (db.table, or a name plus `database`).</summary>
    public DorisTableDefinition CreateTable(string ddl, string? database = null) =>
        CreateTable(DorisTableDefinition.Parse(ddl, database));

    public DorisTableDefinition CreateTable(DorisTableDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _cluster.AddTable(definition);
        return definition;
    }

    public DorisTableDefinition? FindTable(string database, string table) => _cluster.FindTable(database, table)?.Definition;

    /// <summary>Every statement sent to the FE's SQL endpoint (<c>POST /api/query/default_cluster/{db}</c>), in order.</summary>
    public IReadOnlyList<string> Statements => _cluster.Statements;

    /// <summary>
    /// The visible rows of a table (committed loads only; precommitted two-phase loads are not visible):
    /// ordered by key for Unique Key tables, in arrival order for Duplicate Key tables. Each row maps column
    /// names (case-insensitive, in table order) to values typed as described on DorisType.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string database, string table)
    {
        var t = _cluster.GetTable(database, table);
        var columns = t.Definition.Columns;
        return [.. t.Snapshot().Select(values =>
        {
            var row = new Dictionary<string, object?>(columns.Count, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Count; i++)
                row[columns[i].Name] = values[i];
            return (IReadOnlyDictionary<string, object?>)row;
        })];
    }

    /// <summary>The visible rows as a text table, the way the MySQL client prints a SELECT *.</summary>
    public string FormatTable(string database, string table)
    {
        var t = _cluster.GetTable(database, table);
        return TableFormatter.Format(t.Definition, t.Snapshot());
    }

    /// <summary>Removes every row of a table (labels and transactions are kept).</summary>
    public void TruncateTable(string database, string table) => _cluster.GetTable(database, table).Truncate();

    /// <summary>Status of a transaction by id, or null if the database has no such transaction.</summary>
    public DorisTxnStatus? TransactionStatus(string database, long txnId) => _cluster.Transactions.StatusOf(database, txnId);

    /// <summary>Status of the latest transaction that used a label, or null if the label was never used.</summary>
    public DorisTxnStatus? LabelStatus(string database, string label) => _cluster.Transactions.StatusOf(database, label);

    /// <summary>The lines behind an ErrorURL (what a GET on it returns), or null for an unknown URL.</summary>
    public IReadOnlyList<string>? ErrorLog(string errorUrl)
    {
        var query = new Uri(errorUrl).Query.TrimStart('?');
        foreach (var part in query.Split('&'))
        {
            if (part.StartsWith("file=", StringComparison.Ordinal))
                return _cluster.ErrorLogs.Lines(Uri.UnescapeDataString(part[5..]));
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _cluster.Stop();
        if (_fe is not null)
            await _fe.DisposeAsync().ConfigureAwait(false);
        if (_be is not null)
            await _be.DisposeAsync().ConfigureAwait(false);
        _cluster.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
