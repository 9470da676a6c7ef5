using System.Text;
using Confluent.Kafka;
using Kpipe.Sources.Kafka;

namespace Kpipe.Tests.Sources.Kafka;

public sealed class ConsumerStatisticsTests
{
    // Trimmed from a librdkafka 2.x consumer's statistics (STATISTICS.md): a bootstrap entry, one broker, the
    // internal partition -1 and a partition not assigned to this member.
    private const string Json = """
        {"name":"kpipe-orders#consumer-1","type":"consumer","ts":1,
         "brokers":{
           "localhost:9092/bootstrap":{"name":"localhost:9092/bootstrap","nodeid":-1,"state":"UP"},
           "localhost:9092/1":{"name":"localhost:9092/1","nodeid":1,"state":"UP","toppars":{}},
           "localhost:9093/2":{"name":"localhost:9093/2","nodeid":2,"state":"TRY_CONNECT"}},
         "topics":{"orders":{"topic":"orders","partitions":{
           "0":{"partition":0,"fetch_state":"active","hi_offset":120,"lo_offset":0,"committed_offset":100,"consumer_lag":20},
           "1":{"partition":1,"fetch_state":"active","hi_offset":7,"lo_offset":7,"committed_offset":-1001},
           "2":{"partition":2,"fetch_state":"none","hi_offset":50,"lo_offset":0,"committed_offset":-1001},
           "-1":{"partition":-1,"hi_offset":-1,"lo_offset":-1,"committed_offset":-1001}}}},
         "cgrp":{"state":"up","join_state":"steady","assignment_size":2}}
        """;

    [Fact]
    public void Keeps_the_assigned_partitions_positions_and_counts_the_brokers_that_are_up()
    {
        var stats = ConsumerStatistics.Parse(Encoding.UTF8.GetBytes(Json), [new TopicPartition("orders", 0), new TopicPartition("orders", 1)]);

        Assert.Equal(1, stats.BrokersUp);
        Assert.Equal(2, stats.AssignedPartitions);
        Assert.Equal(
            new[] { new PartitionPosition("orders", 0, 120, 0, 100), new PartitionPosition("orders", 1, 7, 7, -1001) },
            stats.Partitions.OrderBy(p => p.Partition));
    }

    [Fact]
    public void Lag_is_the_high_watermark_minus_the_committed_offset_and_an_empty_partition_is_caught_up()
    {
        var metrics = new Kpipe.Engine.PipelineMetrics("orders", "g");
        metrics.Statistics(ConsumerStatistics.Parse(Encoding.UTF8.GetBytes(Json), [new TopicPartition("orders", 0), new TopicPartition("orders", 1)]));

        Assert.Equal(20, metrics.Partitions[new TopicPartition("orders", 0)].Lag);
        Assert.Equal(0, metrics.Partitions[new TopicPartition("orders", 1)].Lag);
        Assert.Equal(20, metrics.Lag);

        // Revoked: this member has no lag of its own to report for it any more.
        metrics.Statistics(ConsumerStatistics.Parse(Encoding.UTF8.GetBytes(Json), [new TopicPartition("orders", 1)]));
        Assert.Null(metrics.Partitions[new TopicPartition("orders", 0)].Lag);
        Assert.Equal(1, metrics.AssignedPartitions);
    }
}
