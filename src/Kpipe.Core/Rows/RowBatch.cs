namespace Kpipe.Rows;

/// <summary>
/// Typed rows produced from a record batch: column vectors plus, per row, the index of the record it came
/// from (one record may give many rows when an array is exploded, or none). Reused across batches. Rows that stand
/// for changes (CDC) also carry, beside their columns, an operation and a sequence: metadata that each sink maps to
/// its own form (<see cref="RowMetadata"/>), never columns.
/// </summary>
public sealed class RowBatch : IDisposable
{
    private int[] _source = new int[256];
    private bool[] _dropped = new bool[256];
    private int[] _route = new int[256];
    private RowOperation[] _operations = new RowOperation[256];
    private IReadOnlyList<RowRoute> _routes = [];

    public RowBatch(RowSchema schema)
    {
        Schema = schema;
        Columns = schema.Types.Select(t => new ColumnVector(t, Arena)).ToArray();
    }

    public RowSchema Schema { get; private set; }

    public ByteArena Arena { get; } = new();

    public ColumnVector[] Columns { get; private set; }

    /// <summary>Appends a column (CDC with <c>columns: auto</c>, when a source table gains one); the rows already
    /// added hold null in it. Returns its index. The schema becomes a new object, which tells readers to look again.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="type">The column's type.</param>
    public int AddColumn(string name, ColumnType type)
    {
        Schema = new RowSchema([.. Schema.Names.Zip(Schema.Types), (name, type)]);
        var column = new ColumnVector(type, Arena);
        column.EnsureCapacity(Math.Max(Count, 1));
        for (var row = 0; row < Count; row++) column.SetNull(row);
        Columns = [.. Columns, column];
        return Columns.Length - 1;
    }

    public int Count { get; private set; }

    /// <summary>The rows stand for changes: each has an <see cref="Operation"/> (and a sequence when
    /// <see cref="Sequence"/> is set), which the sinks write as metadata.</summary>
    public bool HasChanges { get; private set; }

    /// <summary>The order of the changes to one key (Doris's sequence column), one cell per row; null when the rows
    /// carry none.</summary>
    public ColumnVector? Sequence { get; private set; }

    /// <summary>The name the sequence takes where a sink writes it as a column (the Doris sink); null without one.</summary>
    public string? SequenceName { get; private set; }

    /// <summary>Makes the rows changes (<see cref="HasChanges"/>), with a sequence named <paramref name="sequenceName"/>
    /// of type <paramref name="sequenceType"/> when the name is given. Called once, before any row is added.</summary>
    public void CarryChanges(string? sequenceName, ColumnType sequenceType)
    {
        HasChanges = true;
        if (sequenceName == null) return;
        SequenceName = sequenceName;
        Sequence = new ColumnVector(sequenceType, Arena);
    }

    /// <summary>The change row <paramref name="row"/> stands for; <see cref="RowOperation.None"/> for plain rows.</summary>
    public RowOperation Operation(int row) => _operations[row];

    public void SetOperation(int row, RowOperation operation) => _operations[row] = operation;

    /// <summary>Index in the record batch of the record row <paramref name="row"/> came from.</summary>
    public int SourceIndex(int row) => _source[row];

    /// <summary>True when a filter removed the row, or its record was dropped.</summary>
    public bool IsDropped(int row) => _dropped[row];

    public void Drop(int row) => _dropped[row] = true;

    /// <summary>The tables rows can be routed to (CDC of many tables), each with the columns it has.</summary>
    public IReadOnlyList<RowRoute> Routes
    {
        get => _routes;
        set => _routes = value;
    }

    /// <summary>The route of a row, or null when the row has every column of the schema.</summary>
    public RowRoute? RouteOf(int row) => _route[row] < 0 ? null : _routes[_route[row]];

    public void SetRoute(int row, int route) => _route[row] = route;

    /// <summary>Starts a new row whose columns are all null; returns its index.</summary>
    public int AddRow(int sourceIndex)
    {
        var row = Count;
        if (row == _source.Length)
        {
            Array.Resize(ref _source, row * 2);
            Array.Resize(ref _dropped, row * 2);
            Array.Resize(ref _route, row * 2);
            Array.Resize(ref _operations, row * 2);
        }
        foreach (var c in Columns)
        {
            c.EnsureCapacity(row + 1);
            c.SetNull(row);
        }
        if (Sequence is { } sequence)
        {
            sequence.EnsureCapacity(row + 1);
            sequence.SetNull(row);
        }
        _operations[row] = RowOperation.None;
        _source[row] = sourceIndex;
        _dropped[row] = false;
        _route[row] = -1;
        Count = row + 1;
        return row;
    }

    /// <summary>Removes the rows from <paramref name="firstRow"/> on (a record that failed half-way).</summary>
    public void Truncate(int firstRow) => Count = Math.Min(Count, firstRow);

    public void Clear()
    {
        Count = 0;
        Arena.Reset();
    }

    public void Dispose() => Arena.Dispose();
}
