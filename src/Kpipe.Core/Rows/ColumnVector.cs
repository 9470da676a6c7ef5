namespace Kpipe.Rows;

/// <summary>
/// One column of a <see cref="RowBatch"/>: a null flag per row and the value in the lane its type uses
/// (see <see cref="ColumnType"/>). Arrays grow and are reused across batches.
/// </summary>
public sealed class ColumnVector(ColumnType type, ByteArena arena)
{
    private bool[] _nulls = new bool[256];
    private long[] _longs = type.IsBytes || type.IsDouble ? [] : new long[256];
    private double[] _doubles = type.IsDouble ? new double[256] : [];
    private int[] _offsets = type.IsBytes ? new int[256] : [];
    private int[] _lengths = type.IsBytes ? new int[256] : [];

    public ColumnType Type { get; } = type;

    internal void EnsureCapacity(int rows)
    {
        if (rows <= _nulls.Length) return;
        var size = Math.Max(rows, _nulls.Length * 2);
        Array.Resize(ref _nulls, size);
        if (_longs.Length > 0) Array.Resize(ref _longs, size);
        if (_doubles.Length > 0) Array.Resize(ref _doubles, size);
        if (_offsets.Length > 0)
        {
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _lengths, size);
        }
    }

    public bool IsNull(int row) => _nulls[row];

    public long GetLong(int row) => _longs[row];

    public bool GetBool(int row) => _longs[row] != 0;

    public double GetDouble(int row) => _doubles[row];

    public ReadOnlySpan<byte> GetBytes(int row) => arena.Get(_offsets[row], _lengths[row]);

    public void SetNull(int row) => _nulls[row] = true;

    public void SetLong(int row, long value)
    {
        _nulls[row] = false;
        _longs[row] = value;
    }

    public void SetDouble(int row, double value)
    {
        _nulls[row] = false;
        _doubles[row] = value;
    }

    public void SetBytes(int row, ReadOnlySpan<byte> value) => SetBytesAt(row, arena.Append(value), value.Length);

    /// <summary>Encodes text straight into the batch's arena (no intermediate byte array).</summary>
    public void SetUtf8(int row, string text)
    {
        var room = arena.Reserve(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = System.Text.Encoding.UTF8.GetBytes(text, room);
        SetBytesAt(row, arena.Commit(length), length);
    }

    /// <summary>Points the row at bytes already committed to the batch's arena.</summary>
    public void SetBytesAt(int row, int offset, int length)
    {
        _nulls[row] = false;
        _offsets[row] = offset;
        _lengths[row] = length;
    }

    /// <summary>Copies a cell of another vector of the same type into row <paramref name="to"/>.</summary>
    public void CopyFrom(ColumnVector source, int from, int to)
    {
        if (source.IsNull(from)) SetNull(to);
        else if (Type.IsBytes) SetBytes(to, source.GetBytes(from));
        else if (Type.IsDouble) SetDouble(to, source.GetDouble(from));
        else SetLong(to, source.GetLong(from));
    }
}
