namespace Kpipe.Sinks.Doris;

/// <summary>
/// The sink's own pool of load-body chunks, in sizes that double from <see cref="FirstChunkSize"/> (4 KiB) to
/// <see cref="ChunkSize"/>, keeping at most <c>maxPooledBytes</c> of them.
/// </summary>
/// <remarks>
/// Why sizes that grow: a body's first chunk is the smallest and each next one twice the last (<see cref="LoadBody"/>),
/// so a load of a few rows holds 4 KiB, not a whole chunk. A CDC pipeline of 1,000 tables has 1,000 loads open at
/// once; with one 64 KiB chunk each they held 64 MB (half the default maxBufferedBytes) for a few KB of rows, and
/// past 2,000 tables the memory bound sealed every load at every row. A large load still reaches full-size chunks
/// after four small ones.
/// Why not <c>ArrayPool&lt;byte&gt;.Shared</c>: with ~100 MB of bodies alive, the shared pool trims itself on
/// every gen2 collection (TlsOverPerCoreLockedStacksArrayPool.Trim calls GC.GetGCMemoryInfo), which was 9% of
/// the CPU in a Kafka -> Doris profile, and its buffers churn through gen2. Why not
/// <c>ArrayPool&lt;byte&gt;.Create</c> (which does not trim): it spin-locks per bucket and hides how much it holds;
/// this pool is a locked stack per size with counts tests can observe, and it keeps no more than the sink's memory
/// bound allows (<c>maxBufferedBytes</c>), so it never holds more than the sink was allowed to use.
/// Chunks are allocated once, uninitialized, on the pinned object heap: they live as long as the sink, so a
/// generational heap would only copy them around during compaction, and pinned memory goes to the socket
/// without being pinned per write. They stay under the 85,000-byte large-object threshold anyway (64 KiB at
/// most), so a chunk dropped when the pool is full is ordinary garbage, not a LOH fragment.
/// </remarks>
internal sealed class BodyChunkPool
{
    /// <summary>The first chunk of every body: one page, what a load of a few CDC rows needs.</summary>
    public const int FirstChunkSize = 4096;

    private readonly Stack<byte[]>[] _free;
    private readonly Lock _gate = new();
    private readonly long _maxPooledBytes;
    private long _pooledBytes;
    private int _rented;
    private long _rentedBytes;
    private byte[] _spill = [];

    /// <param name="chunkSize">The largest chunk: a power of two times <see cref="FirstChunkSize"/>, or that size itself.</param>
    /// <param name="maxPooledBytes">Most bytes of chunks kept for reuse; chunks returned past it are left to the GC.</param>
    public BodyChunkPool(int chunkSize, long maxPooledBytes)
    {
        ChunkSize = Math.Max(FirstChunkSize, chunkSize);
        _maxPooledBytes = maxPooledBytes;
        var sizes = 1;
        while ((FirstChunkSize << (sizes - 1)) < ChunkSize) sizes++;
        ChunkSize = FirstChunkSize << (sizes - 1);
        _free = [.. Enumerable.Range(0, sizes).Select(_ => new Stack<byte[]>())];
    }

    /// <summary>The largest chunk.</summary>
    public int ChunkSize { get; }

    /// <summary>Chunks handed out and not returned yet.</summary>
    public int Rented => Volatile.Read(ref _rented);

    /// <summary>Bytes of the chunks handed out and not returned yet.</summary>
    public long RentedBytes => Interlocked.Read(ref _rentedBytes);

    /// <summary>Chunks waiting in the pool.</summary>
    public int Pooled
    {
        get
        {
            lock (_gate) return _free.Sum(s => s.Count);
        }
    }

    /// <summary>The size of the chunk that follows one of <paramref name="previous"/> bytes in a body (0: the
    /// body's first), large enough for <paramref name="sizeHint"/> bytes when a chunk can be.</summary>
    public int NextSize(int previous, int sizeHint)
    {
        var size = previous == 0 ? FirstChunkSize : Math.Min(ChunkSize, previous * 2);
        while (size < sizeHint && size < ChunkSize) size *= 2;
        return size;
    }

    public byte[] Rent(int size)
    {
        var index = Index(size);
        byte[]? chunk;
        lock (_gate)
        {
            if (_free[index].TryPop(out chunk)) _pooledBytes -= chunk.Length;
            _rented++;
            _rentedBytes += FirstChunkSize << index;
        }
        return chunk ?? GC.AllocateUninitializedArray<byte>(FirstChunkSize << index, pinned: true);
    }

    /// <summary>
    /// A buffer of at least <paramref name="size"/> bytes for a piece of a row larger than a chunk, reused (and
    /// grown when needed) from row to row; <see cref="LoadBody"/> copies it into chunks at once. Only the
    /// consumer thread writes rows (under the sink's lock), so one buffer serves every body.
    /// </summary>
    public byte[] Spill(int size)
    {
        if (_spill.Length < size) _spill = new byte[Math.Max(size, _spill.Length * 2)];
        return _spill;
    }

    /// <summary>Takes back a chunk from <see cref="Rent"/>; beyond <c>maxPooledBytes</c> it is left to the GC.</summary>
    public void Return(byte[] chunk)
    {
        lock (_gate)
        {
            _rented--;
            _rentedBytes -= chunk.Length;
            if (_pooledBytes + chunk.Length > _maxPooledBytes) return;
            _free[Index(chunk.Length)].Push(chunk);
            _pooledBytes += chunk.Length;
        }
    }

    private int Index(int size)
    {
        var index = 0;
        while ((FirstChunkSize << index) < size) index++;
        if (index >= _free.Length) throw new ArgumentOutOfRangeException(nameof(size), size, $"chunks are at most {ChunkSize} bytes");
        return index;
    }
}
