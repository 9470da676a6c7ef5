namespace Kpipe.Engine;

/// <summary>Bytes consumed but not yet acknowledged by every sink; the consumer pauses above the limit.</summary>
internal sealed class InFlightBudget(long limit)
{
    private long _used;

    public long Used => Interlocked.Read(ref _used);

    public bool Exhausted => Used >= limit;

    public void Take(long bytes) => Interlocked.Add(ref _used, bytes);

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
