using System.Globalization;
using System.Text;
using Kpipe.Rows;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// Under <c>createTable: true</c>, keeps each Doris table able to take the rows routed to it, before any of them is
/// buffered: a missing table is created (Unique Key, merge-on-write, keyed on the route's key columns, with the
/// sequence column when the rows carry one), and a column the rows carry that the table lacks is added
/// (<c>ALTER TABLE ... ADD COLUMN</c>, Doris's light schema change). A route whose key is not the table's is refused:
/// Doris cannot change a Unique Key table's key. Statements go through the FE's SQL endpoint (<see cref="DorisSqlClient"/>).
/// Runs on the consumer thread, once per route (a table and one set of columns), so the rows themselves cost a
/// reference comparison.
/// </summary>
internal sealed partial class TableSchemaSync(DorisSqlClient sql, DorisSinkOptions options, string sinkName, ILogger logger) : IDisposable
{
    /// <summary>What the sink knows of a Doris table: its columns by name and its key columns, in order.</summary>
    private sealed record KnownTable(Dictionary<string, KnownColumn> Columns, string[] Keys);

    /// <summary>A Doris column as DESC shows it: its type (Doris's text, e.g. <c>int</c>), whether it takes NULL, whether
    /// it is a key column.</summary>
    private sealed record KnownColumn(string Type, bool Nullable, bool Key);

    private readonly Dictionary<DorisTable, KnownTable> _tables = [];
    // Routes checked: null when the table takes them, else the reason it cannot (a key changed, a statement refused).
    private readonly Dictionary<RowRoute, string?> _routes = new(ReferenceEqualityComparer.Instance);
    private readonly Backoff _backoff = new(options.RetryBackoff);
    private readonly ILogger _logger = logger;

    /// <summary>Null when <paramref name="table"/> has every column of <paramref name="route"/> (after creating the table
    /// or adding columns); otherwise why the rows cannot load. A refusal (a key change, a statement Doris refused) is
    /// remembered for the route; a failure that persists after <c>maxRetries</c> (no FE answered) is not, and sets
    /// <paramref name="unreachable"/>: the sink then stops, as after a load's exhausted retries.</summary>
    /// <param name="table">The Doris table the route's rows go to.</param>
    /// <param name="schema">The rows' schema (names and types of the route's columns).</param>
    /// <param name="route">The rows' route.</param>
    /// <param name="cancel">Stops waiting between retries (shutdown).</param>
    /// <param name="unreachable">Doris did not answer; retrying later may work.</param>
    public string? Ensure(DorisTable table, RowSchema schema, RowRoute route, CancellationToken cancel, out bool unreachable)
    {
        unreachable = false;
        if (_routes.TryGetValue(route, out var known)) return known;
        var (error, lasting) = Apply(table, schema, route, cancel);
        if (error == null || lasting) _routes[route] = error;
        unreachable = error != null && !lasting;
        return error;
    }

    private (string? Error, bool Lasting) Apply(DorisTable table, RowSchema schema, RowRoute route, CancellationToken cancel)
    {
        if (!_tables.TryGetValue(table, out var current))
        {
            var (described, error) = Describe(table, cancel);
            if (error != null) return (error, false);
            if (described == null)
            {
                if (Create(table, schema, route, cancel) is { } refused) return refused;
                (described, error) = Describe(table, cancel);
                if (error != null || described == null) return (error ?? $"Doris table {Name(table)} is still missing after CREATE TABLE", false);
            }
            _tables[table] = current = described;
        }
        if (route.Keys is { Length: > 0 } keys)
        {
            var wanted = keys.Select(k => schema.Names[k]).ToArray();
            if (!wanted.SequenceEqual(current.Keys, StringComparer.OrdinalIgnoreCase))
                return ($"the source's key ({string.Join(", ", wanted)}) is not the key of Doris table {Name(table)} ({string.Join(", ", current.Keys)}); Doris cannot change a Unique Key table's key: recreate the table, or route the rows elsewhere", true);
        }
        foreach (var c in route.Columns)
        {
            var name = schema.Names[c];
            if (Hidden(name)) continue;
            if (current.Columns.TryGetValue(name, out var existing))
            {
                if (DorisColumnTypes.Widened(existing.Type, schema.Types[c]) is { } wider
                    && Widen(table, current, name, existing, wider, cancel) is { } refused)
                    return refused;
                continue;
            }
            var type = DorisColumnTypes.Of(schema.Types[c], key: false, sequence: c == route.Sequence);
            var stmt = $"ALTER TABLE {Name(table)} ADD COLUMN {Quote(name)} {type} NULL";
            var result = Run(table.Database, stmt, cancel);
            if (!result.Ok)
            {
                // Another kpipe instance may have added it meanwhile: look again before giving up.
                var (again, _) = Describe(table, cancel);
                if (again == null || !again.Columns.ContainsKey(name))
                    return ($"cannot add column {Quote(name)} {type} to Doris table {Name(table)}: {result.Error}", !result.Transient);
            }
            else
            {
                LogColumnAdded(sinkName, Name(table), name, type);
            }
            current.Columns[name] = new KnownColumn(type, Nullable: true, Key: false);
        }
        return (null, false);
    }

    private (string? Error, bool Lasting)? Create(DorisTable table, RowSchema schema, RowRoute route, CancellationToken cancel)
    {
        if (route.Keys is not { Length: > 0 } keys)
            return ($"Doris table {Name(table)} does not exist and cannot be created: the rows name no key columns (createTable keys the table on the Kafka key's fields; give the events a key, or create the table by hand)", true);
        var sb = new StringBuilder($"CREATE TABLE IF NOT EXISTS {Name(table)} (\n");
        // Doris wants the key columns first, in key order.
        var columns = keys.Concat(route.Columns.Where(c => !keys.Contains(c) && !Hidden(schema.Names[c]))).ToList();
        foreach (var c in columns)
        {
            var key = keys.Contains(c);
            if (key && !DorisColumnTypes.CanBeKey(schema.Types[c]))
                return ($"Doris table {Name(table)} cannot be created: key column {Quote(schema.Names[c])} is {schema.Types[c]}, which Doris does not allow in a key", true);
            sb.Append(CultureInfo.InvariantCulture, $"  {Quote(schema.Names[c])} {DorisColumnTypes.Of(schema.Types[c], key, c == route.Sequence)} {(key ? "NOT NULL" : "NULL")}");
            sb.Append(c == columns[^1] ? "\n" : ",\n");
        }
        var keyList = string.Join(", ", keys.Select(k => Quote(schema.Names[k])));
        sb.Append(CultureInfo.InvariantCulture, $") UNIQUE KEY({keyList})\nDISTRIBUTED BY HASH({keyList}) BUCKETS AUTO\nPROPERTIES (\n");
        // Merge-on-write: partial column updates (unavailable values) need it, and it is what Doris 2.1 defaults to.
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["enable_unique_key_merge_on_write"] = "true" };
        if (route.Sequence >= 0) properties["function_column.sequence_col"] = schema.Names[route.Sequence];
        foreach (var (name, value) in options.TableProperties) properties[name] = value;
        sb.Append(string.Join(",\n", properties.Select(p => $"  \"{Escape(p.Key)}\" = \"{Escape(p.Value)}\"")));
        sb.Append("\n)");
        var result = Run(table.Database, sb.ToString(), cancel);
        if (!result.Ok) return ($"cannot create Doris table {Name(table)}: {result.Error}", !result.Transient);
        LogTableCreated(sinkName, Name(table), string.Join(", ", keys.Select(k => schema.Names[k])));
        return null;
    }

    /// <summary>The table's columns and keys from <c>DESC</c> (Field, Type, Null, Key, ...); null when there is no such
    /// table. Any refusal of DESC is taken for a missing table: CREATE TABLE IF NOT EXISTS then settles it either way.</summary>
    private (KnownTable? Table, string? Error) Describe(DorisTable table, CancellationToken cancel)
    {
        var result = Run(table.Database, $"DESC {Name(table)}", cancel);
        if (!result.Ok) return result.Transient ? (null, $"cannot read Doris table {Name(table)}: {result.Error}") : (null, null);
        var columns = new Dictionary<string, KnownColumn>(StringComparer.OrdinalIgnoreCase);
        var keys = new List<string>();
        foreach (var row in result.Rows)
        {
            if (row.Length == 0 || row[0] is not { } name) continue;
            var key = row.Length > 3 && string.Equals(row[3], "true", StringComparison.OrdinalIgnoreCase);
            columns[name] = new KnownColumn(row.Length > 1 ? row[1] ?? "" : "", row.Length <= 2 || !string.Equals(row[2], "No", StringComparison.OrdinalIgnoreCase), key);
            if (key) keys.Add(name);
        }
        return (new KnownTable(columns, [.. keys]), null);
    }

    /// <summary>Runs a statement, retrying what got no answer (<c>maxRetries</c>, <c>retryBackoff</c>) as loads do.</summary>
    private DorisSqlResult Run(string database, string stmt, CancellationToken cancel)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = sql.ExecuteAsync(database, stmt, cancel).GetAwaiter().GetResult();
            if (result.Ok || !result.Transient || attempt >= options.MaxRetries || cancel.IsCancellationRequested) return result;
            var delay = _backoff.Delay(attempt + 1);
            LogStatementRetry(sinkName, result.Error ?? "", attempt + 1, options.MaxRetries, delay);
            cancel.WaitHandle.WaitOne(delay);
        }
    }

    // Doris's hidden columns (the delete sign) exist in every Unique Key table and are never created or added.
    private static bool Hidden(string name) => name.StartsWith("__DORIS_", StringComparison.OrdinalIgnoreCase);

    private static string Name(DorisTable table) => $"{Quote(table.Database)}.{Quote(table.Name)}";

    private static string Quote(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    public void Dispose() => sql.Dispose();

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: created table {Table}, Unique Key ({Keys}), merge-on-write")]
    private partial void LogTableCreated(string sink, string table, string keys);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: added column {Column} {Type} to {Table} (the source added it)")]
    private partial void LogColumnAdded(string sink, string table, string column, string type);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: a schema statement got no answer: {Reason}; retry {Retry} of {MaxRetries} in {Delay}")]
    private partial void LogStatementRetry(string sink, string reason, int retry, int maxRetries, TimeSpan delay);
}
