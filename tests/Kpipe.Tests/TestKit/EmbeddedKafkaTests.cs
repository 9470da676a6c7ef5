using System.Text;
using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.Tests.TestKit;

public sealed class EmbeddedKafkaTests
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private static Message<byte[]?, byte[]?> Keyed(int seq, int keyCount = 37) => new()
    {
        Key = Encoding.UTF8.GetBytes($"key-{seq % keyCount}"),
        Value = Encoding.UTF8.GetBytes($"value-{seq}"),
        Headers = new Headers
        {
            { "seq", BitConverter.GetBytes(seq) },
            { "origin", Encoding.UTF8.GetBytes("embedded-kafka-test") },
        },
    };

    private static int Seq(ConsumeResult<byte[]?, byte[]?> r) =>
        BitConverter.ToInt32(r.Message.Headers.GetLastBytes("seq"));

    [Fact]
    public async Task Three_brokers_round_trip_keys_values_headers_and_per_partition_order()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        Assert.Equal(3, kafka.BootstrapServers.Split(',').Length);
        kafka.CreateTopic("orders", partitions: 4, replicationFactor: 3);

        const int count = 1_000;
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "orders", Enumerable.Range(0, count).Select(i => Keyed(i)));

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "orders", ReadTimeout);

        Assert.Equal(count, records.Count);
        Assert.Equal(Enumerable.Range(0, count), records.Select(Seq).Order());
        foreach (var r in records)
        {
            var seq = Seq(r);
            Assert.Equal($"key-{seq % 37}", Encoding.UTF8.GetString(r.Message.Key!));
            Assert.Equal($"value-{seq}", Encoding.UTF8.GetString(r.Message.Value!));
            Assert.Equal("embedded-kafka-test", Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("origin")));
            Assert.Equal(2, r.Message.Headers.Count);
        }

        var byPartition = records.GroupBy(r => r.Partition.Value).ToList();
        Assert.True(byPartition.Count > 1, "37 keys should spread over more than one of 4 partitions");
        foreach (var partition in byPartition)
        {
            // A single producer sends each partition's records in production order.
            var seqs = partition.Select(Seq).ToList();
            Assert.Equal(seqs.Order(), seqs);
            var offsets = partition.Select(r => r.Offset.Value).ToList();
            Assert.Equal(offsets.Order(), offsets);
        }

        Assert.All(
            records.GroupBy(r => Encoding.UTF8.GetString(r.Message.Key!)),
            sameKey => Assert.Single(sameKey.Select(r => r.Partition.Value).Distinct()));

        var watermarks = KafkaTestClient.GetWatermarks(kafka.BootstrapServers, "orders");
        Assert.Equal([0, 1, 2, 3], watermarks.Keys.Order());
        Assert.Equal(count, watermarks.Values.Sum(w => w.High - w.Low));
    }

    [Fact]
    public async Task Consumer_group_commit_is_visible_through_GetCommittedOffsets()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        kafka.CreateTopic("events", partitions: 2, replicationFactor: 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "events", Enumerable.Range(0, 100).Select(i => Keyed(i)));

        Assert.Empty(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "group-a", "events"));

        var config = new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "group-a",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using (var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build())
        {
            consumer.Subscribe("events");
            var seen = 0;
            var deadline = DateTime.UtcNow + ReadTimeout;
            while (seen < 100 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false })
                {
                    seen++;
                }
            }

            Assert.Equal(100, seen);
            consumer.Commit();
            consumer.Close();
        }

        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "group-a", "events");
        var watermarks = KafkaTestClient.GetWatermarks(kafka.BootstrapServers, "events");
        Assert.Equal(100, committed.Values.Sum());
        foreach (var (partition, offset) in committed)
        {
            Assert.Equal(watermarks[partition].High, offset);
        }

        Assert.Empty(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "group-b", "events"));
    }

    [Fact]
    public async Task Producer_delivers_everything_after_the_only_broker_comes_back_up()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        kafka.CreateTopic("outage", partitions: 2);

        kafka.SetBrokerDown(1);
        var produce = KafkaTestClient.ProduceAsync(
            kafka.BootstrapServers,
            "outage",
            Enumerable.Range(0, 500).Select(i => Keyed(i)),
            c => c.MessageTimeoutMs = 120_000);

        await Task.Delay(TimeSpan.FromSeconds(2));
        // Not a timing assertion: with the only broker refusing connections nothing can be acked.
        Assert.False(produce.IsCompleted);

        kafka.SetBrokerUp(1);
        await produce;

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "outage", ReadTimeout);
        Assert.Equal(Enumerable.Range(0, 500), records.Select(Seq).Order());
    }

    [Fact]
    public async Task Injected_produce_errors_are_retried_by_the_producer()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("flaky", partitions: 1);
        kafka.PushRequestErrors(
            KafkaApiKey.Produce,
            ErrorCode.NotLeaderForPartition,
            ErrorCode.RequestTimedOut,
            ErrorCode.Local_Transport);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "flaky", Enumerable.Range(0, 50).Select(i => Keyed(i)));

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "flaky", ReadTimeout);
        Assert.Equal(Enumerable.Range(0, 50), records.Select(Seq));
    }

    [Fact]
    public async Task Leader_move_and_rtt_keep_the_cluster_usable()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 2);
        kafka.CreateTopic("moving", partitions: 2, replicationFactor: 2);
        kafka.SetBrokerRtt(1, TimeSpan.FromMilliseconds(20));
        kafka.SetPartitionLeader("moving", 0, 2);
        kafka.SetPartitionLeader("moving", 1, 2);
        kafka.SetBrokerDown(1);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "moving", Enumerable.Range(0, 100).Select(i => Keyed(i)));

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "moving", ReadTimeout);
        Assert.Equal(100, records.Count);
    }

    [Fact]
    public async Task ReadAll_with_expectedCount_waits_for_records_produced_later()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("late", partitions: 3);

        var read = Task.Run(() => KafkaTestClient.ReadAll(kafka.BootstrapServers, "late", ReadTimeout, expectedCount: 30));
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "late", Enumerable.Range(0, 30).Select(i => Keyed(i)));

        Assert.Equal(Enumerable.Range(0, 30), (await read).Select(Seq).Order());
    }

    [Fact]
    public void ReadAll_of_an_empty_topic_returns_nothing()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("empty", partitions: 2);

        Assert.Empty(KafkaTestClient.ReadAll(kafka.BootstrapServers, "empty", ReadTimeout));
    }

    [Fact]
    public void Errors_are_reported_clearly_and_Dispose_is_idempotent()
    {
        var kafka = EmbeddedKafka.Start(brokers: 2);
        kafka.CreateTopic("dup", partitions: 1);

        var duplicate = Assert.Throws<KafkaException>(() => kafka.CreateTopic("dup", partitions: 1));
        Assert.Contains("dup", duplicate.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.SetBrokerDown(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.CreateTopic("wide", partitions: 1, replicationFactor: 3));
        Assert.Throws<KafkaException>(() => KafkaTestClient.GetWatermarks(kafka.BootstrapServers, "no-such-topic"));

        kafka.Dispose();
        kafka.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kafka.SetBrokerUp(1));
    }
}
