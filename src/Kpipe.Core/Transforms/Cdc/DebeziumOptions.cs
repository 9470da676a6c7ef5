using Kpipe.Config;
using Kpipe.Transforms.Select;

namespace Kpipe.Transforms.Cdc;

/// <summary>What to do with a Debezium truncate event (<c>op: t</c>).</summary>
public enum TruncatePolicy
{
    /// <summary>Log a warning and go on; the Doris table keeps its rows.</summary>
    Ignore,
    /// <summary>Stop the pipeline: a truncate must be applied by hand.</summary>
    Fail,
}

/// <summary>
/// Decodes Debezium change events (JSON converter, with or without schemas, the seed's form, or flattened by
/// ExtractNewRecordState) into rows for a Doris Unique Key table: creates, snapshot reads and updates
/// upsert the <c>after</c> image; deletes emit the key with <c>__DORIS_DELETE_SIGN__ = 1</c>.
/// </summary>
[TypeName("debezium")]
public sealed class DebeziumOptions : TransformOptions, IValidatableOptions
{
    /// <summary>Name of the output column carrying Doris's delete sign.</summary>
    public const string DeleteSignColumn = "__DORIS_DELETE_SIGN__";

    /// <summary>The table's columns; paths are relative to the row image (<c>after</c>, or <c>before</c> for
    /// a delete). With a schema in the message, Debezium's semantic types (dates, timestamps, decimals...)
    /// are decoded from it (docs/cdc.md); without one, the declared types decide.</summary>
    public List<ColumnOptions> Columns { get; set; } = [];

    /// <summary>Many tables in one pipeline: the columns of each source table, by its name (<c>source.table</c>
    /// in the event, or the last part of the topic name for flattened events). Each row then goes to the Doris
    /// table named by the sink's <c>table</c> with <c>{table}</c> replaced by the source table, and carries only
    /// its table's columns. Events of a table not listed use <c>columns</c>, or are a record error when
    /// <c>columns</c> is empty.</summary>
    public Dictionary<string, List<ColumnOptions>> Tables { get; set; } = [];

    /// <summary>Apply deletes through the delete sign (default true). False ignores delete events (counted
    /// as filtered), as the seed did.</summary>
    public bool Deletes { get; set; } = true;

    /// <summary><c>ignore</c> (default: warn and go on) or <c>fail</c>.</summary>
    public TruncatePolicy Truncate { get; set; } = TruncatePolicy.Ignore;

    /// <summary>Where the order of events comes from, for Doris's sequence column: a path in the envelope
    /// such as <c>source.lsn</c> (PostgreSQL) or <c>ts_ms</c>, or <c>binlog</c> for MySQL's
    /// <c>source.file</c> and <c>source.pos</c> combined. Written to the column <c>sequenceColumn</c>.</summary>
    public string? Sequence { get; set; }

    /// <summary>Output column receiving the sequence value; the Doris table's sequence column
    /// (<c>function_column.sequence_col</c>). Default <c>_seq</c>.</summary>
    public string SequenceColumn { get; set; } = "_seq";

    /// <summary>Zone of zoneless timestamps in messages without a schema. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    internal static (string, Rows.ColumnType, EpochUnit, string?, bool, MetadataField) Declaration(ColumnOptions c) =>
        (c.Path ?? c.Name, c.ParsedType, c.Unit, c.Default, c.Required, c.Meta);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Columns.Count == 0 && Tables.Count == 0) yield return ("columns", "declare the columns (or, for many tables, 'tables')");
        var all = Columns.Concat(Tables.Values.SelectMany(t => t)).ToList();
        if (all.Any(c => c.Name == DeleteSignColumn))
            yield return ("columns", $"{DeleteSignColumn} is added by the transform; do not declare it");
        if (Sequence != null && all.Any(c => c.Name == SequenceColumn))
            yield return ("sequenceColumn", $"'{SequenceColumn}' is also a declared column");
        // Tables share one row schema (the union of their columns): a name must mean one column everywhere.
        var clash = all.GroupBy(c => c.Name).FirstOrDefault(g => g.Select(Declaration).Distinct().Count() > 1);
        if (clash != null)
            yield return ("tables", $"column '{clash.Key}' is declared differently in different tables; declare it the same way (path, type, unit, default, required)");
        foreach (var (key, columns) in Tables.Select(t => ("tables", t.Value)).Prepend(("columns", Columns)))
        {
            if (columns.Count == 0) continue;
            var select = new SelectOptions { Columns = columns, TimeZone = TimeZone };
            foreach (var (_, message) in select.Validate()) yield return (key, message);
        }
    }
}
