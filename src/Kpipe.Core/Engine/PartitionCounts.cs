namespace Kpipe.Engine;

/// <summary>The outcomes of one source partition's records, and its position in Kafka.</summary>
public sealed class PartitionCounts
{
    private long _in, _written, _filtered, _skipped, _deadLettered;
    private long _lag = -1;

    public long In => Interlocked.Read(ref _in);
    public long Written => Interlocked.Read(ref _written);
    public long Filtered => Interlocked.Read(ref _filtered);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Records consumed that have no outcome yet (in flight).</summary>
    public long Pending => In - Written - Filtered - Skipped - DeadLettered;

    /// <summary>The partition's high watermark minus the group's committed offset, as of librdkafka's last
    /// statistics; null while unknown (not assigned here, or nothing committed yet in a partition with records).</summary>
    public long? Lag => Interlocked.Read(ref _lag) is var lag and >= 0 ? lag : null;

    internal void AddIn(long n) => Interlocked.Add(ref _in, n);
    internal void AddWritten(long n) => Interlocked.Add(ref _written, n);
    internal void AddFiltered() => Interlocked.Increment(ref _filtered);
    internal void AddSkipped() => Interlocked.Increment(ref _skipped);
    internal void AddDeadLettered() => Interlocked.Increment(ref _deadLettered);

    /// <remarks>Offsets below 0 are librdkafka's "unknown". A partition with no committed offset is caught up
    /// only when it holds nothing to read (low == high).</remarks>
    internal void SetPosition(long high, long low, long committed)
    {
        long lag = -1;
        if (high >= 0 && committed >= 0) lag = Math.Max(0, high - committed);
        else if (high >= 0 && low >= 0 && high == low) lag = 0;
        Interlocked.Exchange(ref _lag, lag);
    }

    internal void Unassign() => Interlocked.Exchange(ref _lag, -1);

    public override string ToString() => $"in={In} written={Written} filtered={Filtered} skipped={Skipped} dead_lettered={DeadLettered}";
}
