using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace Kpipe.Engine;

/// <summary>
/// The counts of one pipeline, in total and per source partition, and what the source last learned of its
/// cluster (lag, brokers up, assignment). Every consumed record ends in exactly one of written, filtered, skipped
/// or dead-lettered, so once the pipeline is drained
/// <c>RecordsIn == RecordsWritten + RecordsFiltered + RecordsSkipped + RecordsDeadLettered</c>, for the pipeline
/// and for each partition.
/// </summary>
/// <remarks>
/// This is the one place the counts live: the System.Diagnostics.Metrics instruments
/// (<see cref="Metrics.PipelineInstruments"/>) observe these fields when an exporter collects, and the stop line,
/// the progress line and the health checks read them too. Counting stays a few interlocked adds per batch and
/// partition, with no allocation and no instrument call on the hot path.
/// </remarks>
public sealed class PipelineMetrics
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionCounts> _partitions = new();
    private long _bytesIn, _batches, _commits;
    private long _lastOutcome = Stopwatch.GetTimestamp();
    private int _brokersUp = -1, _assigned;
    private long _statisticsAt;

    /// <summary>Counts not published as metrics (tests, <c>kpipe test</c>).</summary>
    public PipelineMetrics() : this("", "")
    {
    }

    public PipelineMetrics(string pipeline, string group)
    {
        Pipeline = pipeline;
        Group = group;
    }

    public string Pipeline { get; }
    public string Group { get; }

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

    /// <summary>Sum of the lag of the assigned partitions whose lag is known; null when none is.</summary>
    public long? Lag
    {
        get
        {
            long? total = null;
            foreach (var (_, c) in _partitions)
                if (c.Lag is { } lag) total = (total ?? 0) + lag;
            return total;
        }
    }

    /// <summary>Source brokers librdkafka last reported connected; -1 before its first statistics.</summary>
    public int BrokersUp => Volatile.Read(ref _brokersUp);

    /// <summary>Partitions assigned to this member, as of the last statistics.</summary>
    public int AssignedPartitions => Volatile.Read(ref _assigned);

    /// <summary>When librdkafka's statistics last arrived (<see cref="Stopwatch.GetTimestamp"/>), 0 before.</summary>
    public long StatisticsAt => Interlocked.Read(ref _statisticsAt);

    /// <summary>Time since a record last got an outcome (written, filtered, skipped, dead-lettered), or since
    /// the pipeline started.</summary>
    public TimeSpan SinceLastOutcome => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastOutcome));

    /// <summary>Bytes consumed and not yet acknowledged, read from the engine when asked.</summary>
    public Func<long> InFlightBytes { get; internal set; } = static () => 0;

    /// <summary>How long the oldest record consumed but not yet acknowledged has been waiting; null when none is.</summary>
    public Func<TimeSpan?> OldestUnwrittenAge { get; internal set; } = static () => null;

    /// <summary>Running, stopped or failed, with the reason of a failure; read by the health checks.</summary>
    public PipelineState State { get; internal set; } = PipelineState.Starting;

    public string? FailureReason { get; internal set; }

    /// <summary><c>engine.stallTimeout</c>: how long records may wait with none getting an outcome before the
    /// pipeline counts as stalled.</summary>
    public TimeSpan StallTimeout { get; internal set; } = TimeSpan.FromMinutes(5);

    internal void Consumed(RecordBatch batch)
    {
        Interlocked.Add(ref _bytesIn, batch.Bytes);
        Interlocked.Increment(ref _batches);
        PerSlot(batch, false, static (c, n) => c.AddIn(n));
    }

    /// <summary>The batch is acknowledged: its records not dropped are written.</summary>
    internal void Written(RecordBatch batch)
    {
        PerSlot(batch, true, static (c, n) => c.AddWritten(n));
        Progressed();
    }

    internal void Filtered(TopicPartition tp)
    {
        Of(tp).AddFiltered();
        Progressed();
    }

    internal void Skipped(TopicPartition tp)
    {
        Of(tp).AddSkipped();
        Progressed();
    }

    internal void DeadLettered(TopicPartition tp)
    {
        Of(tp).AddDeadLettered();
        Progressed();
    }

    internal void Committed() => Interlocked.Increment(ref _commits);

    /// <summary>What librdkafka's statistics say of the source: brokers up, the assignment, each assigned
    /// partition's high watermark and committed offset.</summary>
    internal void Statistics(Sources.Kafka.ConsumerStatistics stats)
    {
        Volatile.Write(ref _brokersUp, stats.BrokersUp);
        Volatile.Write(ref _assigned, stats.AssignedPartitions);
        var seen = new HashSet<PartitionCounts>();
        foreach (var p in stats.Partitions)
        {
            var counts = Of(new TopicPartition(p.Topic, p.Partition));
            counts.SetPosition(p.HighWatermark, p.LowWatermark, p.Committed);
            seen.Add(counts);
        }
        // Partitions no longer in the assignment have no lag of this member's to report.
        foreach (var (_, c) in _partitions)
            if (!seen.Contains(c)) c.Unassign();
        Interlocked.Exchange(ref _statisticsAt, Stopwatch.GetTimestamp());
    }

    private void Progressed() => Interlocked.Exchange(ref _lastOutcome, Stopwatch.GetTimestamp());

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

public enum PipelineState
{
    Starting,
    Running,
    Stopped,
    Failed,
}
