using Confluent.Kafka;
using Kpipe.Engine;

namespace Kpipe.Tests.Engine;

public sealed class OffsetTrackerTests
{
    private static readonly TopicPartition P0 = new("t", 0);
    private static readonly TopicPartition P1 = new("t", 1);

    private static RecordBatch Batch(long id, params (TopicPartition Tp, long Offset)[] records) =>
        ManagedBatch.Create(id, records.Select(r => new ManagedRecord(r.Tp.Topic, r.Tp.Partition.Value, r.Offset, null, null)).ToList());

    private static Dictionary<TopicPartition, long> Take(OffsetTracker t, IReadOnlyCollection<TopicPartition>? only = null) =>
        t.TakeCommittable(only).ToDictionary(o => o.TopicPartition, o => o.Offset.Value);

    [Fact]
    public void A_batch_completed_before_an_earlier_one_is_not_committed_until_the_earlier_completes()
    {
        var tracker = new OffsetTracker();
        var first = Batch(1, (P0, 10), (P0, 11));
        var second = Batch(2, (P0, 12), (P0, 13));
        tracker.Add(first);
        tracker.Add(second);

        tracker.Complete(second);
        Assert.Empty(Take(tracker));
        Assert.True(tracker.HasPending());

        tracker.Complete(first);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 14 }, Take(tracker));
        Assert.False(tracker.HasPending());
        Assert.Empty(Take(tracker));
    }

    [Fact]
    public void Partitions_advance_independently()
    {
        var tracker = new OffsetTracker();
        var mixed = Batch(1, (P0, 5), (P1, 7));
        var onlyP1 = Batch(2, (P1, 8));
        tracker.Add(mixed);
        tracker.Add(onlyP1);
        tracker.Complete(onlyP1);
        Assert.Empty(Take(tracker));
        tracker.Complete(mixed);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 6, [P1] = 9 }, Take(tracker));
    }

    [Fact]
    public void Taking_for_some_partitions_leaves_the_others_for_later()
    {
        var tracker = new OffsetTracker();
        var b = Batch(1, (P0, 1), (P1, 1));
        tracker.Add(b);
        tracker.Complete(b);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P1] = 2 }, Take(tracker, [P1]));
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 2 }, Take(tracker));
    }

    [Fact]
    public void A_failed_commit_is_restored_but_never_over_a_newer_offset()
    {
        var tracker = new OffsetTracker();
        var b1 = Batch(1, (P0, 1));
        tracker.Add(b1);
        tracker.Complete(b1);
        var failed = tracker.TakeCommittable();
        var b2 = Batch(2, (P0, 2));
        tracker.Add(b2);
        tracker.Complete(b2);
        tracker.Restore(failed);
        Assert.Equal(new Dictionary<TopicPartition, long> { [P0] = 3 }, Take(tracker));
    }

    [Fact]
    public void Forgotten_partitions_have_nothing_pending_or_committable()
    {
        var tracker = new OffsetTracker();
        tracker.Add(Batch(1, (P0, 1)));
        tracker.Forget([P0]);
        Assert.False(tracker.HasPending());
        Assert.Empty(Take(tracker));
    }
}
