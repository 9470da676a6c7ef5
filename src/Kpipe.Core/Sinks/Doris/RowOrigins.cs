using System.Buffers;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// For each row of a load, in body order, the record it came from: its part (batch) in the load and its index in
/// that batch. Only read when Doris rejects the load, to tell which records the rejected rows belong to; kept in an
/// array rented from the shared pool and grown by doubling, so adding a row allocates nothing in steady state.
/// </summary>
internal sealed class RowOrigins : IDisposable
{
    private long[] _origins = [];

    public int Count { get; private set; }

    public void Add(int part, int index)
    {
        if (Count == _origins.Length)
        {
            var grown = ArrayPool<long>.Shared.Rent(Math.Max(64, Count * 2));
            _origins.AsSpan(0, Count).CopyTo(grown);
            if (_origins.Length > 0) ArrayPool<long>.Shared.Return(_origins);
            _origins = grown;
        }
        _origins[Count++] = ((long)part << 32) | (uint)index;
    }

    public (int Part, int Index) this[int row] => ((int)(_origins[row] >> 32), (int)(uint)_origins[row]);

    public void Dispose()
    {
        if (_origins.Length > 0) ArrayPool<long>.Shared.Return(_origins);
        _origins = [];
        Count = 0;
    }
}
