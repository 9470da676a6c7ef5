using System.Buffers;

namespace Kpipe.Rows;

/// <summary>
/// One growing buffer holding the text values of a row batch, so string columns cost no string object
/// and no allocation per value. Rented from the shared pool and returned on dispose.
/// </summary>
public sealed class ByteArena : IDisposable
{
    private byte[] _buffer;
    private int _used;

    public ByteArena(int initialSize = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

    /// <summary>Room for <paramref name="size"/> more bytes; write into it, then <see cref="Commit"/>.</summary>
    public Span<byte> Reserve(int size)
    {
        if (_used + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + size));
            _buffer.AsSpan(0, _used).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(_used, size);
    }

    /// <summary>Keeps <paramref name="size"/> bytes of the last reservation; returns their offset.</summary>
    public int Commit(int size)
    {
        var offset = _used;
        _used += size;
        return offset;
    }

    public int Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        return Commit(bytes.Length);
    }

    public ReadOnlySpan<byte> Get(int offset, int length) => _buffer.AsSpan(offset, length);

    public void Reset() => _used = 0;

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
