using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The body of one load (JSON lines) in chunks from the sink's <see cref="BodyChunkPool"/>, each twice the size of
/// the last up to the pool's largest (a load of a few rows holds 4 KiB). It is an
/// <see cref="IBufferWriter{T}"/>, so the sink's Utf8JsonWriter writes each row straight into the chunk that is
/// sent: no scratch copy. Appending never moves what is already written, a 64 MiB body needs no 64 MiB
/// contiguous array, and the memory it holds is known exactly (<see cref="Capacity"/>). The same chunks are sent
/// again on a redirect or a retry. Written only by the consumer thread, under the sink's lock; read by the load
/// once sealed.
/// </summary>
/// <remarks>
/// A row may span two chunks: Stream Load reads the body as a stream, so only the order of the bytes matters.
/// Utf8JsonWriter advances what it wrote and asks for more memory when the current chunk is short, so rows cross
/// chunk boundaries without a copy. When it asks for more than a chunk in one piece (it reserves six times a
/// string's length for escaping), it gets the pool's spill buffer, and what it writes there is copied into
/// chunks on <see cref="Advance"/>: a 200 KB value costs a copy, not a 1.2 MB chunk.
/// </remarks>
internal sealed class LoadBody(BodyChunkPool pool) : IBufferWriter<byte>, IDisposable
{
    private readonly List<Segment> _segments = [];
    private byte[]? _spill;

    /// <summary>Bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes of chunks held (what the body costs in memory).</summary>
    public long Capacity { get; private set; }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (sizeHint > pool.ChunkSize) return _spill = pool.Spill(sizeHint);
        _spill = null;
        if (_segments.Count > 0)
        {
            var last = _segments[^1];
            if (last.Chunk.Length - last.Used >= sizeHint) return last.Chunk.AsMemory(last.Used);
        }
        // The rest of the current chunk (smaller than the hint) stays unused: a few bytes, as the writer asks
        // for 256 bytes at the start of a row and for 4 KiB, or a token's size, when its memory runs out.
        // Each chunk is twice the last (up to the pool's largest): a body of a few rows holds a few KB.
        var chunk = pool.Rent(pool.NextSize(_segments.Count > 0 ? _segments[^1].Chunk.Length : 0, sizeHint));
        _segments.Add(new Segment(chunk, 0));
        Capacity += chunk.Length;
        return chunk;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        if (_spill is { } spill)
        {
            _spill = null;
            Write(spill.AsSpan(0, count));
            return;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        ref var last = ref CollectionsMarshal.AsSpan(_segments)[^1];
        if (count > last.Chunk.Length - last.Used) throw new InvalidOperationException("advanced past the memory handed out");
        last.Used += count;
        Length += count;
    }

    /// <summary>Copies bytes in, over as many chunks as they need.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var target = GetSpan(1);
            var n = Math.Min(data.Length, target.Length);
            data[..n].CopyTo(target);
            Advance(n);
            data = data[n..];
        }
    }

    /// <summary>Copies the bytes from <paramref name="position"/> to the end into <paramref name="target"/>.</summary>
    public void CopyTail(long position, LoadBody target)
    {
        long start = 0;
        foreach (var segment in _segments)
        {
            var end = start + segment.Used;
            if (end > position)
            {
                var offset = (int)Math.Max(0, position - start);
                target.Write(segment.Chunk.AsSpan(offset, segment.Used - offset));
            }
            start = end;
        }
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="position"/> into <paramref name="target"/>.</summary>
    public void CopyRange(long position, long length, LoadBody target) => ForRange(position, length, target.Write);

    /// <summary>The bytes of a range, as a new array (for the few rows Doris rejects).</summary>
    public byte[] Read(long position, int length)
    {
        var bytes = new byte[length];
        var at = 0;
        ForRange(position, length, piece =>
        {
            piece.CopyTo(bytes.AsSpan(at));
            at += piece.Length;
        });
        return bytes;
    }

    private void ForRange(long position, long length, ReadOnlySpanAction action)
    {
        long start = 0;
        var end = position + length;
        foreach (var segment in _segments)
        {
            var segmentEnd = start + segment.Used;
            if (segmentEnd > position && start < end)
            {
                var from = (int)Math.Max(0, position - start);
                var to = (int)Math.Min(segment.Used, end - start);
                action(segment.Chunk.AsSpan(from, to - from));
            }
            start = segmentEnd;
        }
    }

    /// <summary>Where each line (row) starts and how long it is, without its newline. Read only when Doris
    /// rejects a load, so it may allocate.</summary>
    public List<(long Start, int Length)> Lines()
    {
        var lines = new List<(long, int)>();
        long position = 0, lineStart = 0;
        foreach (var segment in _segments)
        {
            var span = segment.Chunk.AsSpan(0, segment.Used);
            int at;
            var from = 0;
            while ((at = span[from..].IndexOf((byte)'\n')) >= 0)
            {
                var end = position + from + at;
                lines.Add((lineStart, (int)(end - lineStart)));
                lineStart = end + 1;
                from += at + 1;
            }
            position += segment.Used;
        }
        if (lineStart < Length) lines.Add((lineStart, (int)(Length - lineStart)));
        return lines;
    }

    /// <summary>Cuts the body back to <paramref name="length"/> bytes, returning the chunks no longer used.</summary>
    public void Truncate(long length)
    {
        if (length >= Length) return;
        long start = 0;
        var keep = _segments.Count;
        var segments = CollectionsMarshal.AsSpan(_segments);
        for (var i = 0; i < segments.Length; i++)
        {
            var end = start + segments[i].Used;
            if (end > length)
            {
                var offset = (int)Math.Max(0, length - start);
                if (offset == 0) keep = Math.Min(keep, i);
                else segments[i].Used = offset;
            }
            start = end;
        }
        for (var i = _segments.Count - 1; i >= keep; i--)
        {
            pool.Return(_segments[i].Chunk);
            Capacity -= _segments[i].Chunk.Length;
            _segments.RemoveAt(i);
        }
        Length = length;
    }

    /// <summary>The written bytes, chunk by chunk.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments()
    {
        for (var i = 0; i < _segments.Count; i++)
            if (_segments[i].Used > 0)
                yield return _segments[i].Chunk.AsMemory(0, _segments[i].Used);
    }

    /// <summary>A new request content over the body (one per request: a request disposes its content, which
    /// leaves the chunks alone).</summary>
    public HttpContent CreateContent() => new Content(this);

    /// <summary>Gives the chunks back to the pool.</summary>
    public void Dispose()
    {
        foreach (var segment in _segments) pool.Return(segment.Chunk);
        _segments.Clear();
        Capacity = 0;
        Length = 0;
    }

    private record struct Segment(byte[] Chunk, int Used);

    private delegate void ReadOnlySpanAction(ReadOnlySpan<byte> piece);

    private sealed class Content(LoadBody body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var segment in body.Segments())
                await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
