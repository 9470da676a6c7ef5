namespace Kpipe.TestKit.Doris;

/// <summary>A read-only stream that can look at its first non-blank byte and then replay everything it read.</summary>
internal sealed class PeekableStream(Stream inner) : Stream
{
    private readonly MemoryStream _peeked = new();
    private int _replayed;

    public async Task<int> PeekNonWhitespaceAsync(CancellationToken ct)
    {
        var one = new byte[1];
        while (true)
        {
            var n = await inner.ReadAsync(one, ct).ConfigureAwait(false);
            if (n == 0)
                return -1;
            _peeked.WriteByte(one[0]);
            if (one[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
                return one[0];
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var fromPeek = ReadPeeked(buffer);
        return fromPeek > 0 ? fromPeek : inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var fromPeek = ReadPeeked(buffer.Span);
        return fromPeek > 0 ? ValueTask.FromResult(fromPeek) : inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int ReadPeeked(Span<byte> buffer)
    {
        var left = (int)_peeked.Length - _replayed;
        if (left <= 0 || buffer.IsEmpty)
            return 0;
        var n = Math.Min(left, buffer.Length);
        _peeked.GetBuffer().AsSpan(_replayed, n).CopyTo(buffer);
        _replayed += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _peeked.Dispose();
        base.Dispose(disposing);
    }
}
