using System.Buffers;
using System.Net;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The body of one load (JSON lines) in fixed-size chunks rented from the shared array pool: appending never
/// copies what is already written, a 64 MiB body needs no 64 MiB contiguous array, and the memory it holds is
/// known exactly (<see cref="Capacity"/>). The same chunks are sent again on a redirect or a retry.
/// </summary>
internal sealed class LoadBody(int chunkSize) : IDisposable
{
    private readonly List<byte[]> _chunks = [];
    private int _lastUsed;

    /// <summary>Bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes rented (what the body costs in memory).</summary>
    public long Capacity { get; private set; }

    /// <summary>Appends bytes; returns how many bytes of new chunks were rented for them.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        long rented = 0;
        while (data.Length > 0)
        {
            if (_chunks.Count == 0 || _lastUsed == _chunks[^1].Length)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
                _chunks.Add(chunk);
                _lastUsed = 0;
                rented += chunk.Length;
            }
            var last = _chunks[^1];
            var n = Math.Min(data.Length, last.Length - _lastUsed);
            data[..n].CopyTo(last.AsSpan(_lastUsed));
            _lastUsed += n;
            Length += n;
            data = data[n..];
        }
        Capacity += rented;
        return rented;
    }

    /// <summary>The written bytes, chunk by chunk.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments()
    {
        for (var i = 0; i < _chunks.Count; i++)
            yield return _chunks[i].AsMemory(0, i == _chunks.Count - 1 ? _lastUsed : _chunks[i].Length);
    }

    /// <summary>A new request content over the body (one per request: a request disposes its content, which
    /// leaves the chunks alone).</summary>
    public HttpContent CreateContent() => new Content(this);

    public void Dispose()
    {
        foreach (var chunk in _chunks) ArrayPool<byte>.Shared.Return(chunk);
        _chunks.Clear();
        _lastUsed = 0;
    }

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
