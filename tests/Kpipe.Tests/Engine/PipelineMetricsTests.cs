using Confluent.Kafka;
using Kpipe.Engine;

namespace Kpipe.Tests.Engine;

public sealed class PipelineMetricsTests
{
    [Fact]
    public void Outcomes_are_counted_per_partition_and_add_up_to_what_was_consumed()
    {
        var metrics = new PipelineMetrics();
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 10).Select(i => new ManagedRecord("t", i % 2, i, null, [1]))]);

        metrics.Consumed(batch);
        batch.TryDrop(0);
        metrics.Filtered(batch.TopicPartition(0));
        batch.TryDrop(1);
        metrics.Skipped(batch.TopicPartition(1));
        batch.TryDrop(3);
        metrics.DeadLettered(batch.TopicPartition(3));
        metrics.Written(batch);

        var p0 = metrics.Partitions[new TopicPartition("t", 0)];
        var p1 = metrics.Partitions[new TopicPartition("t", 1)];
        Assert.Equal((5L, 4L, 1L, 0L, 0L), (p0.In, p0.Written, p0.Filtered, p0.Skipped, p0.DeadLettered));
        Assert.Equal((5L, 3L, 0L, 1L, 1L), (p1.In, p1.Written, p1.Filtered, p1.Skipped, p1.DeadLettered));
        Assert.Equal(0, p0.Pending + p1.Pending);
        Assert.Equal(10, metrics.RecordsIn);
        Assert.Equal(metrics.RecordsIn, metrics.RecordsWritten + metrics.RecordsFiltered + metrics.RecordsSkipped + metrics.RecordsDeadLettered);
    }

    [Fact]
    public void Counting_a_batch_allocates_nothing_once_its_partitions_are_known()
    {
        var metrics = new PipelineMetrics();
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 1_000).Select(i => new ManagedRecord("t", i % 4, i, null, [1]))]);
        metrics.Consumed(batch);
        metrics.Written(batch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            metrics.Consumed(batch);
            metrics.Written(batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
