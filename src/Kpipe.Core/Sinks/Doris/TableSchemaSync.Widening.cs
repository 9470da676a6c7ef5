using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// A column widened at the source (INT to BIGINT): <c>ALTER TABLE ... MODIFY COLUMN</c> before the rows of the wider type
/// are buffered. In Doris a type change is a heavy schema change: the statement starts a job that rewrites the table's
/// data and swaps the schema when it is done (ALTER-TABLE-COLUMN: "The schema change is asynchronous"), so the sink
/// waits for the job (<c>SHOW ALTER TABLE COLUMN</c>) before those rows load: until then the column keeps its old type,
/// and loads running during the job are also written to the old schema.
/// </summary>
internal sealed partial class TableSchemaSync
{
    // Between two looks at a running schema change job: short at first (small tables finish in about a second).
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(200), LongestPoll = TimeSpan.FromSeconds(5);

    private (string? Error, bool Lasting)? Widen(DorisTable table, KnownTable current, string name, KnownColumn existing, string wider, CancellationToken cancel)
    {
        if (existing.Key)
            return ($"column {Quote(name)} of the source widened to {wider}, but it is a key column of Doris table {Name(table)} ({existing.Type}); kpipe does not change a key column's type: alter the table by hand, or route the rows elsewhere", true);
        // MODIFY COLUMN restates the whole column: its nullability stays as it is.
        var stmt = $"ALTER TABLE {Name(table)} MODIFY COLUMN {Quote(name)} {wider} {(existing.Nullable ? "NULL" : "NOT NULL")}";
        var result = Run(table.Database, stmt, cancel);
        if (result.Ok) LogColumnWidening(sinkName, Name(table), name, existing.Type, wider);
        // Ran now, or refused because a job (this process's before a restart, another instance's) is still changing the
        // table: either way the new type counts once the table's latest job is done.
        if (WaitForSchemaChange(table, cancel) is { } failed) return failed;
        var (again, error) = Describe(table, cancel);
        if (error != null) return (error, false);
        if (again?.Columns.GetValueOrDefault(name) is { } now && DorisColumnTypes.Widened(now.Type, ColumnOf(wider)) == null)
        {
            current.Columns[name] = now;
            if (result.Ok) LogColumnWidened(sinkName, Name(table), name, now.Type);
            return null;
        }
        return ($"cannot widen column {Quote(name)} of Doris table {Name(table)} from {existing.Type} to {wider}: {result.Error ?? "the column kept its type"}", !result.Transient);
    }

    /// <summary>Null once the table's latest schema change job is FINISHED (or there is none); the reason when Doris
    /// cancelled it (lasting), or when it is still running after <c>requestTimeout</c> (not lasting: the sink stops,
    /// and a restart waits for the job again).</summary>
    private (string? Error, bool Lasting)? WaitForSchemaChange(DorisTable table, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + (options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout : TimeSpan.FromSeconds(60));
        var delay = FirstPoll;
        while (true)
        {
            var query = $"SHOW ALTER TABLE COLUMN FROM {Quote(table.Database)} WHERE TableName = \"{Escape(table.Name)}\" ORDER BY CreateTime DESC LIMIT 1";
            var result = Run(table.Database, query, cancel);
            if (!result.Ok) return ($"cannot read the schema change jobs of Doris table {Name(table)}: {result.Error}", !result.Transient);
            if (result.Rows.Count == 0) return null;
            // fe: SchemaChangeProcDir.TITLE_NAMES: JobId, TableName, CreateTime, FinishTime, IndexName, IndexId,
            // OriginIndexId, SchemaVersion, TransactionId, State, Msg, Progress, Timeout.
            var state = result.Value(result.Rows[0], "State", 9);
            if (string.Equals(state, "FINISHED", StringComparison.OrdinalIgnoreCase)) return null;
            if (string.Equals(state, "CANCELLED", StringComparison.OrdinalIgnoreCase))
                return ($"Doris cancelled the schema change of table {Name(table)}: {result.Value(result.Rows[0], "Msg", 10)}", true);
            if (DateTime.UtcNow + delay > deadline || cancel.IsCancellationRequested)
                return ($"the schema change of Doris table {Name(table)} is still {state} after {options.RequestTimeout.TotalSeconds:0}s (requestTimeout); kpipe stops so that no row of the wider type loads before it ends: start it again once SHOW ALTER TABLE COLUMN shows it FINISHED", false);
            cancel.WaitHandle.WaitOne(delay);
            delay = TimeSpan.FromTicks(Math.Min(LongestPoll.Ticks, delay.Ticks * 2));
        }
    }

    private static Rows.ColumnType ColumnOf(string dorisType) => dorisType switch
    {
        "INT" => Rows.ColumnType.Int,
        "BIGINT" => Rows.ColumnType.Long,
        _ => Rows.ColumnType.Double,
    };

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: widening column {Column} of {Table} from {From} to {To} (the source widened it); waiting for the schema change job")]
    private partial void LogColumnWidening(string sink, string table, string column, string from, string to);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: column {Column} of {Table} is now {Type}")]
    private partial void LogColumnWidened(string sink, string table, string column, string type);
}
