namespace Kpipe.Sinks.Doris;

/// <summary>
/// The sink's own pool of load-body chunks, all of one size, keeping at most <c>maxPooled</c> of them.
/// </summary>
/// <remarks>
/// Why not <c>ArrayPool&lt;byte&gt;.Shared</c>: with ~100 MB of bodies alive, the shared pool trims itself on
/// every gen2 collection (TlsOverPerCoreLockedStacksArrayPool.Trim calls GC.GetGCMemoryInfo), which was 9% of
/// the CPU in a Kafka -> Doris profile, and its buffers churn through gen2. Why not
/// <c>ArrayPool&lt;byte&gt;.Create</c> (which does not trim): it rounds to power-of-two buckets, spin-locks per
/// bucket and hides how much it holds; this pool is a locked stack with counts tests can observe, and it keeps
/// no more than the sink's memory bound allows (<c>maxBufferedBytes / chunkSize</c>), so it never holds more
/// than the sink was allowed to use.
/// Chunks are allocated once, uninitialized, on the pinned object heap: they live as long as the sink, so a
/// generational heap would only copy them around during compaction, and pinned memory goes to the socket
/// without being pinned per write. They stay under the 85,000-byte large-object threshold anyway (64 KiB at
/// most), so a chunk dropped when the pool is full is ordinary garbage, not a LOH fragment.
/// </remarks>
internal sealed class BodyChunkPool(int chunkSize, int maxPooled)
{
    private readonly Stack<byte[]> _free = new();
    private readonly Lock _gate = new();
    private int _rented;
    private byte[] _spill = [];

    public int ChunkSize { get; } = chunkSize;

    /// <summary>Chunks handed out and not returned yet.</summary>
    public int Rented => Volatile.Read(ref _rented);

    /// <summary>Chunks waiting in the pool.</summary>
    public int Pooled
    {
        get
        {
            lock (_gate) return _free.Count;
        }
    }

    public byte[] Rent()
    {
        byte[]? chunk = null;
        lock (_gate)
        {
            _free.TryPop(out chunk);
            _rented++;
        }
        return chunk ?? GC.AllocateUninitializedArray<byte>(ChunkSize, pinned: true);
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

    /// <summary>Takes back a chunk from <see cref="Rent"/>; beyond <c>maxPooled</c> it is left to the GC.</summary>
    public void Return(byte[] chunk)
    {
        lock (_gate)
        {
            _rented--;
            if (_free.Count < maxPooled) _free.Push(chunk);
        }
    }
}
