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

/// <summary>How the messages of the source topics are laid out; see docs/cdc.md, "Message formats".</summary>
public enum DebeziumFormat
{
    /// <summary>Recognise the layout per message (the rules in docs/cdc.md); misreads flattened rows whose own
    /// columns are named <c>op</c>, <c>before</c>, <c>after</c> or <c>payload</c> unless they carry
    /// ExtractNewRecordState's <c>__op</c> or <c>__deleted</c>.</summary>
    Auto,
    /// <summary>Debezium's envelope (<c>before</c>, <c>after</c>, <c>source</c>, <c>op</c>), bare or inside the JSON
    /// converter's <c>{"schema", "payload"}</c>.</summary>
    Envelope,
    /// <summary>Rows flattened by ExtractNewRecordState, written without schemas: every top-level field is a column.</summary>
    Flattened,
    /// <summary>Rows flattened by ExtractNewRecordState inside the JSON converter's <c>{"schema", "payload"}</c>.</summary>
    FlattenedSchema,
}

/// <summary>What a tombstone (a Kafka record with a null value) does.</summary>
public enum TombstonePolicy
{
    /// <summary>By format: <c>delete</c> for the flattened formats, <c>ignore</c> otherwise.</summary>
    Auto,
    /// <summary>The record's Kafka key names a row to delete (ExtractNewRecordState's default way to send a delete).</summary>
    Delete,
    /// <summary>No row; the delete event before it already removed the row.</summary>
    Ignore,
}

/// <summary>The Doris type of the sequence column, which decides how wide a sequence value may be.</summary>
public enum SequenceType
{
    /// <summary>BIGINT: 63 bits, enough for every position but SQL Server's LSN.</summary>
    Bigint,
    /// <summary>LARGEINT: 127 bits, for SQL Server's 80-bit LSN; the value is written as decimal text.</summary>
    Largeint,
}

/// <summary>
/// Decodes Debezium change events (JSON converter, with or without schemas, the seed's form, or flattened by
/// ExtractNewRecordState) into rows for a Doris Unique Key table: creates, snapshot reads and updates
/// upsert the <c>after</c> image; deletes emit the key. Each row carries its operation (and sequence) as metadata,
/// which the Doris sink writes as <c>__DORIS_DELETE_SIGN__</c> (and the sequence column), the Kafka sink as
/// <c>__op</c>/<c>__deleted</c> (docs/cdc.md, "Row metadata").
/// </summary>
[TypeName("debezium")]
public sealed class DebeziumOptions : TransformOptions, IValidatableOptions
{
    /// <summary>Doris's delete sign, which the Doris sink writes for each row; not a name for a declared column.</summary>
    public const string DeleteSignColumn = Rows.RowMetadata.DeleteSign;

    /// <summary>The table's columns; paths are relative to the row image (<c>after</c>, or <c>before</c> for
    /// a delete). With a schema in the message, Debezium's semantic types (dates, timestamps, decimals...)
    /// are decoded from it (docs/cdc.md); without one, the declared types decide. <c>auto</c>: every field of the
    /// event's schema is a column, typed by docs/cdc.md's type map, and a field the source adds becomes a column
    /// (needs the JSON converter's schemas; each source table's rows are routed to its own Doris table).</summary>
    [AutoWord(nameof(AutoColumns))]
    public List<ColumnOptions> Columns { get; set; } = [];

    /// <summary><c>columns: auto</c>: the columns come from each event's schema.</summary>
    internal bool AutoColumns { get; set; }

    /// <summary>Under <c>columns: auto</c>, a source column widened from int to long or double moves to a wider column
    /// (docs/cdc.md, "Widening"). Off when a Doris sink of the pipeline has no <c>createTable</c>: that sink would not
    /// widen its column, and Doris writes a value out of the column's range as NULL unless in strict mode. Set by
    /// <see cref="Engine.PipelineChecks.Settle"/>.</summary>
    internal bool WidenColumns { get; set; } = true;

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

    /// <summary>Where the order of events comes from, for Doris's sequence column: a dotted path in the envelope
    /// (<c>source.lsn</c>, <c>source.scn</c>, <c>source.change_lsn</c>, <c>ts_ms</c>) or, failing that, in the row
    /// (<c>__lsn</c> on a flattened row), or <c>binlog</c> for MySQL's <c>source.file</c> and <c>source.pos</c>
    /// combined. Numbers, decimal strings and SQL Server LSNs are read as integers in their real order (docs/cdc.md).
    /// Written to the column <c>sequenceColumn</c>.</summary>
    public string? Sequence { get; set; }

    /// <summary>The Doris table's sequence column (<c>function_column.sequence_col</c>), which the Doris sink fills
    /// with each row's sequence (the Kafka sink writes it as <c>__seq</c>). Default <c>_seq</c>.</summary>
    public string SequenceColumn { get; set; } = "_seq";

    /// <summary>How messages are laid out: <c>auto</c> (default), <c>envelope</c>, <c>flattened</c> or
    /// <c>flattened-schema</c> (docs/cdc.md, "Message formats").</summary>
    public DebeziumFormat Format { get; set; } = DebeziumFormat.Auto;

    /// <summary>What a tombstone does: <c>auto</c> (default: <c>delete</c> for the flattened formats, <c>ignore</c>
    /// otherwise), <c>delete</c> (the Kafka key names the row to delete) or <c>ignore</c>.</summary>
    public TombstonePolicy Tombstones { get; set; } = TombstonePolicy.Auto;

    /// <summary>Doris type of the sequence column: <c>bigint</c> (default) or <c>largeint</c> (SQL Server's
    /// 80-bit LSN).</summary>
    public SequenceType SequenceType { get; set; } = SequenceType.Bigint;

    /// <summary>Debezium's placeholder for a value it could not read (<c>unavailable.value.placeholder</c>: an unchanged
    /// TOASTed PostgreSQL column, an Oracle LOB), default <c>__debezium_unavailable_value</c>. A column holding it
    /// (as text, or base64 in a bytes column) is left out of the row, which then updates only its other columns
    /// (Doris's partial column update; Unique Key merge-on-write tables). Empty: no placeholder is recognised.</summary>
    public string? UnavailableValue { get; set; } = "__debezium_unavailable_value";

    /// <summary>Zone of zoneless timestamps in messages without a schema. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    internal bool TombstonesDelete => Tombstones == TombstonePolicy.Delete
        || (Tombstones == TombstonePolicy.Auto && Format is DebeziumFormat.Flattened or DebeziumFormat.FlattenedSchema);

    internal static (string, Rows.ColumnType, EpochUnit, string?, bool, MetadataField, string?) Declaration(ColumnOptions c) =>
        (c.Path ?? c.Name, c.ParsedType, c.Unit, c.Default, c.Required, c.Meta, c.Semantic);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (AutoColumns && Tables.Count > 0) yield return ("tables", "'columns: auto' takes every table's columns from its events; leave 'tables' out");
        if (Columns.Count == 0 && Tables.Count == 0 && !AutoColumns) yield return ("columns", "declare the columns (or, for many tables, 'tables')");
        var all = Columns.Concat(Tables.Values.SelectMany(t => t)).ToList();
        if (all.Any(c => c.Name == DeleteSignColumn))
            yield return ("columns", $"{DeleteSignColumn} is added by the transform; do not declare it");
        if (Sequence != null && all.Any(c => c.Name == SequenceColumn))
            yield return ("sequenceColumn", $"'{SequenceColumn}' is also a declared column");
        if (Sequence != null && TombstonesDelete)
            yield return ("tombstones", "a tombstone carries no position for the sequence column, so it cannot delete under 'sequence'; set 'tombstones: ignore' and have Debezium send deletes as rows (ExtractNewRecordState delete.tombstone.handling.mode=rewrite)");
        if (Sequence is { Length: 0 } || Sequence?.Split('.').Any(s => s.Length == 0) == true)
            yield return ("sequence", $"'{Sequence}' is not a dotted path such as source.lsn");
        foreach (var c in all)
        {
            if (c.Semantic != null && !SemanticHint.TryParse(c.Semantic, out _, out var why))
                yield return ("columns", $"column '{c.Name}': {why}");
        }
        // Tables share one row schema (the union of their columns): a name must mean one column everywhere.
        var clash = all.GroupBy(c => c.Name).FirstOrDefault(g => g.Select(Declaration).Distinct().Count() > 1);
        if (clash != null)
            yield return ("tables", $"column '{clash.Key}' is declared differently in different tables; declare it the same way (path, type, unit, default, required, semantic)");
        foreach (var (key, columns) in Tables.Select(t => ("tables", t.Value)).Prepend(("columns", Columns)))
        {
            if (columns.Count == 0) continue;
            var select = new SelectOptions { Columns = columns, TimeZone = TimeZone, AcceptsSemantic = true };
            foreach (var (_, message) in select.Validate()) yield return (key, message);
        }
    }
}
