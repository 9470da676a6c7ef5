using Confluent.Kafka;

namespace Kpipe.Engine;

/// <summary>
/// Knows, per partition, which consumed batches are still unacknowledged and so which offset may be
/// committed: the one after the last record of the longest fully acknowledged prefix of batches. Batches
/// complete out of order (sinks are concurrent); committing only the acknowledged prefix is what makes
/// delivery at-least-once.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, Queue<(RecordBatch Batch, long LastOffset)>> _pending = [];
    private readonly Dictionary<TopicPartition, long> _committable = [];

    public void Add(RecordBatch batch)
    {
        lock (_gate)
        {
            for (var s = 0; s < batch.PartitionCount; s++)
            {
                var tp = batch.PartitionAt(s);
                if (!_pending.TryGetValue(tp, out var queue)) _pending[tp] = queue = new Queue<(RecordBatch, long)>();
                queue.Enqueue((batch, batch.LastOffsetAt(s)));
            }
        }
    }

    public void Complete(RecordBatch batch)
    {
        lock (_gate)
        {
            batch.MarkCompleted();
            foreach (var (tp, queue) in _pending)
            {
                while (queue.Count > 0 && queue.Peek().Batch.Completed)
                    _committable[tp] = queue.Dequeue().LastOffset + 1;
            }
        }
    }

    /// <summary>
    /// Forgets a batch whose dispatch stopped on an exception (the pipeline is stopping): it will never complete,
    /// so nothing from it on is committed, and the drain does not wait for it. It is the newest batch of each of
    /// its partitions, so batches before it still complete and are committed.
    /// </summary>
    public void Abandon(RecordBatch batch)
    {
        lock (_gate)
        {
            for (var s = 0; s < batch.PartitionCount; s++)
            {
                if (!_pending.TryGetValue(batch.PartitionAt(s), out var queue)) continue;
                var kept = queue.Where(q => !ReferenceEquals(q.Batch, batch)).ToList();
                queue.Clear();
                foreach (var q in kept) queue.Enqueue(q);
            }
        }
    }

    /// <summary>Offsets that became committable since the last call, for the given partitions (all when null).</summary>
    public List<TopicPartitionOffset> TakeCommittable(IReadOnlyCollection<TopicPartition>? only = null)
    {
        lock (_gate)
        {
            var result = new List<TopicPartitionOffset>();
            foreach (var (tp, offset) in _committable)
            {
                if (only == null || only.Contains(tp)) result.Add(new TopicPartitionOffset(tp, offset));
            }
            foreach (var tpo in result) _committable.Remove(tpo.TopicPartition);
            return result;
        }
    }

    /// <summary>Puts offsets back when their commit failed, unless a newer one was recorded meanwhile.</summary>
    public void Restore(IEnumerable<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            foreach (var tpo in offsets) _committable.TryAdd(tpo.TopicPartition, tpo.Offset.Value);
        }
    }

    /// <summary>How long the oldest unacknowledged batch has been in the engine; null when none is. Read by the
    /// metrics, on their collecting thread.</summary>
    public TimeSpan? OldestPendingAge()
    {
        long oldest = 0;
        lock (_gate)
        {
            foreach (var (_, queue) in _pending)
                if (queue.Count > 0 && (oldest == 0 || queue.Peek().Batch.ConsumedAt < oldest)) oldest = queue.Peek().Batch.ConsumedAt;
        }
        return oldest == 0 ? null : System.Diagnostics.Stopwatch.GetElapsedTime(oldest);
    }

    public bool HasPending(IReadOnlyCollection<TopicPartition>? only = null)
    {
        lock (_gate)
        {
            return _pending.Any(kv => kv.Value.Count > 0 && (only == null || only.Contains(kv.Key)));
        }
    }

    /// <summary>Forgets partitions that this process no longer owns.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var tp in partitions)
            {
                _pending.Remove(tp);
                _committable.Remove(tp);
            }
        }
    }
}
