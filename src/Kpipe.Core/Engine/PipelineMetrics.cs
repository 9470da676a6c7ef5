using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Kpipe.Engine;

/// <summary>
/// Counters of one pipeline, in total and per source partition. Every consumed record ends in exactly one of
/// written, filtered, skipped or dead-lettered, so once the pipeline is drained
/// <c>RecordsIn == RecordsWritten + RecordsFiltered + RecordsSkipped + RecordsDeadLettered</c>, for the pipeline
/// and for each partition.
/// </summary>
public sealed class PipelineMetrics
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionCounts> _partitions = new();
    private long _bytesIn, _batches, _commits;

    public long RecordsIn => Sum(c => c.In);
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    /// <summary>Records acknowledged by every sink.</summary>
    public long RecordsWritten => Sum(c => c.Written);
    /// <summary>Records a filter rule dropped on purpose.</summary>
    public long RecordsFiltered => Sum(c => c.Filtered);
    /// <summary>Records dropped by the <c>skip</c> error policy.</summary>
    public long RecordsSkipped => Sum(c => c.Skipped);
    /// <summary>Records the <c>dead_letter</c> policy wrote to the dead-letter topic (acknowledged there).</summary>
    public long RecordsDeadLettered => Sum(c => c.DeadLettered);
    public long Batches => Interlocked.Read(ref _batches);
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The counters of each partition seen.</summary>
    public IReadOnlyDictionary<TopicPartition, PartitionCounts> Partitions => _partitions;

    internal void Consumed(RecordBatch batch)
    {
        Interlocked.Add(ref _bytesIn, batch.Bytes);
        Interlocked.Increment(ref _batches);
        PerSlot(batch, false, static (c, n) => c.AddIn(n));
    }

    /// <summary>The batch is acknowledged: its records not dropped are written.</summary>
    internal void Written(RecordBatch batch) => PerSlot(batch, true, static (c, n) => c.AddWritten(n));

    internal void Filtered(TopicPartition tp) => Of(tp).AddFiltered();
    internal void Skipped(TopicPartition tp) => Of(tp).AddSkipped();
    internal void DeadLettered(TopicPartition tp) => Of(tp).AddDeadLettered();
    internal void Committed() => Interlocked.Increment(ref _commits);

    private PartitionCounts Of(TopicPartition tp) => _partitions.GetOrAdd(tp, static _ => new PartitionCounts());

    /// <summary>Counts the batch's records (all, or only those not dropped) per partition: one dictionary look-up
    /// per partition of the batch, not per record.</summary>
    private void PerSlot(RecordBatch batch, bool skipDropped, Action<PartitionCounts, long> add)
    {
        var slots = batch.PartitionCount;
        Span<long> counts = slots <= 64 ? stackalloc long[slots] : new long[slots];
        counts.Clear();
        var entries = batch.Entries;
        for (var i = 0; i < entries.Length; i++)
            if (!skipDropped || !batch.IsDropped(i)) counts[entries[i].Slot]++;
        for (var s = 0; s < slots; s++)
            if (counts[s] > 0) add(Of(batch.PartitionAt(s)), counts[s]);
    }

    private long Sum(Func<PartitionCounts, long> pick)
    {
        long total = 0;
        foreach (var (_, c) in _partitions) total += pick(c);
        return total;
    }

    public override string ToString() =>
        $"in={RecordsIn} written={RecordsWritten} filtered={RecordsFiltered} skipped={RecordsSkipped} dead_lettered={RecordsDeadLettered} batches={Batches} commits={Commits}";
}

/// <summary>The outcomes of one source partition's records.</summary>
public sealed class PartitionCounts
{
    private long _in, _written, _filtered, _skipped, _deadLettered;

    public long In => Interlocked.Read(ref _in);
    public long Written => Interlocked.Read(ref _written);
    public long Filtered => Interlocked.Read(ref _filtered);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Records consumed that have no outcome yet (in flight).</summary>
    public long Pending => In - Written - Filtered - Skipped - DeadLettered;

    internal void AddIn(long n) => Interlocked.Add(ref _in, n);
    internal void AddWritten(long n) => Interlocked.Add(ref _written, n);
    internal void AddFiltered() => Interlocked.Increment(ref _filtered);
    internal void AddSkipped() => Interlocked.Increment(ref _skipped);
    internal void AddDeadLettered() => Interlocked.Increment(ref _deadLettered);

    public override string ToString() => $"in={In} written={Written} filtered={Filtered} skipped={Skipped} dead_lettered={DeadLettered}";
}
