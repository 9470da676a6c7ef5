using Kpipe.Rows;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The columns a Doris table gets from rows: the rows' own columns, then a change row's metadata as Doris's columns
/// (<see cref="RowMetadataForm.Doris"/>): the sequence under the transform's <c>sequenceColumn</c> name (the table's
/// <c>function_column.sequence_col</c>) and the delete sign, a hidden column (sent with <c>hidden_columns</c>). A
/// load's <c>columns</c> header and, under <c>createTable</c>, the table's columns come from here, so the table and
/// the labels are what they were when the transform made these columns itself. Rebuilt when the rows' schema
/// changes (<c>columns: auto</c> adding a column); routes are mapped once per schema.
/// </summary>
internal sealed class DorisRowColumns
{
    private readonly Dictionary<RowRoute, (RowRoute Route, string Header)> _routes = new(ReferenceEqualityComparer.Instance);
    private RowSchema? _rowSchema;
    private int[] _metadata = [];
    private int _sequence = -1;

    /// <summary>The rows' columns followed by their metadata columns.</summary>
    public RowSchema Schema { get; private set; } = new([]);

    /// <summary>The <c>columns</c> header for rows without a route: every column of <see cref="Schema"/>.</summary>
    public string Header { get; private set; } = "";

    /// <summary>Follows the schema of <paramref name="rows"/>; cheap when it is the one seen last.</summary>
    public void Follow(RowBatch rows)
    {
        if (ReferenceEquals(rows.Schema, _rowSchema)) return;
        _rowSchema = rows.Schema;
        var columns = rows.Schema.Names.Zip(rows.Schema.Types).ToList();
        var metadata = RowMetadata.Names(rows, RowMetadataForm.Doris);
        foreach (var name in metadata)
            columns.Add((name, name == rows.SequenceName ? rows.Sequence!.Type : ColumnType.Int));
        Schema = new RowSchema(columns);
        _metadata = [.. Enumerable.Range(rows.Schema.Count, metadata.Count)];
        _sequence = rows.SequenceName != null ? rows.Schema.Count : -1;
        Header = HeaderOf(Schema.Names);
        _routes.Clear();
    }

    /// <summary>A route over <see cref="Schema"/>: the route's columns, then the metadata columns (the sequence marked
    /// as such), and its <c>columns</c> header.</summary>
    public (RowRoute Route, string Header) Route(RowRoute route)
    {
        if (_routes.TryGetValue(route, out var mapped)) return mapped;
        var doris = route with { Columns = [.. route.Columns, .. _metadata], Sequence = _sequence };
        return _routes[route] = (doris, HeaderOf(doris.Columns.Select(c => Schema.Names[c])));
    }

    /// <summary>The names backquoted (Doris identifiers), comma-separated.</summary>
    private static string HeaderOf(IEnumerable<string> names) =>
        string.Join(",", names.Select(n => "`" + n.Replace("`", "``", StringComparison.Ordinal) + "`"));
}
