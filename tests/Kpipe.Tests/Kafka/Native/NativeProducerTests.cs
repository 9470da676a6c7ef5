using System.Text;
using Confluent.Kafka;
using Kpipe.Kafka.Native;
using Kpipe.TestKit.Kafka;
using static Kpipe.Tests.Kafka.Native.NativeTestSupport;

namespace Kpipe.Tests.Kafka.Native;

public sealed class NativeProducerTests
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public void Delivery_reports_arrive_in_batches_carrying_every_opaque()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("reports", partitions: 2);
        var events = new RecordingProducerEvents();
        using var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers), events);
        var rkt = producer.Topic("reports");
        Assert.Equal(rkt, producer.Topic("reports"));

        const int count = 1_000;
        for (var i = 1; i <= count; i++)
        {
            Assert.Equal(ErrorCode.NoError, producer.Produce(rkt, -1, Encoding.UTF8.GetBytes($"k{i}"), true, [1, 2, 3], true, 0, 0, i));
        }

        Assert.Equal(0, producer.Flush(20_000));

        Assert.Equal(count, events.BatchSizes.Sum());
        Assert.Contains(events.BatchSizes, size => size > 1);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (nint)i), events.Reports.Select(r => r.Opaque).Order());
        Assert.All(events.Reports, r => Assert.Equal(ErrorCode.NoError, r.Error));
        Assert.All(events.Reports, r => Assert.True(r.Offset >= 0));
        Assert.Equal(0, producer.Outstanding);
        Assert.Equal(count, KafkaTestClient.ReadAll(kafka.BootstrapServers, "reports", ReadLimit).Count);
    }

    [Fact]
    public void A_full_queue_returns_QueueFull_and_every_accepted_message_is_delivered_once_the_broker_is_back()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("full", partitions: 1);
        var events = new RecordingProducerEvents();
        using var producer = new NativeProducer(
            ProducerConfig(kafka.BootstrapServers, ("queue.buffering.max.messages", "10"), ("message.timeout.ms", "60000")),
            events);
        var rkt = producer.Topic("full");
        kafka.SetBrokerDown(1);

        var accepted = 0;
        ErrorCode result;
        while ((result = producer.Produce(rkt, 0, default, false, Encoding.UTF8.GetBytes($"m{accepted}"), true, 0, 0, accepted)) == ErrorCode.NoError)
        {
            accepted++;
            Assert.True(accepted <= 10, "queue.buffering.max.messages=10 should have filled");
        }

        Assert.Equal(ErrorCode.Local_QueueFull, result);
        Assert.Equal(10, accepted);

        kafka.SetBrokerUp(1);
        const int total = 50;
        while (accepted < total)
        {
            if (producer.Produce(rkt, 0, default, false, Encoding.UTF8.GetBytes($"m{accepted}"), true, 0, 0, accepted) == ErrorCode.NoError)
            {
                accepted++;
            }
            else
            {
                producer.Poll(100);
            }
        }

        Assert.Equal(0, producer.Flush(30_000));
        Assert.Equal(total, events.Reports.Count);
        Assert.All(events.Reports, r => Assert.Equal(ErrorCode.NoError, r.Error));
        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "full", ReadLimit);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"m{i}"), records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task Keys_tombstones_headers_and_timestamps_round_trip_through_consume_and_produce()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", partitions: 1);
        kafka.CreateTopic("out", partitions: 1);
        var headers = new Headers { { "trace", Encoding.UTF8.GetBytes("abc") }, { "nothing", null }, { "empty", [] } };
        var input = new List<Message<byte[]?, byte[]?>>
        {
            new() { Key = null, Value = Encoding.UTF8.GetBytes("no key"), Timestamp = new Timestamp(1_600_000_000_000, TimestampType.CreateTime) },
            new() { Key = [], Value = Encoding.UTF8.GetBytes("empty key"), Timestamp = new Timestamp(1_600_000_001_000, TimestampType.CreateTime) },
            new() { Key = Encoding.UTF8.GetBytes("gone"), Value = null, Timestamp = new Timestamp(1_600_000_002_000, TimestampType.CreateTime) },
            new() { Key = Encoding.UTF8.GetBytes("h"), Value = [], Headers = headers, Timestamp = new Timestamp(1_600_000_003_000, TimestampType.CreateTime) },
        };
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", input);

        Pipe(kafka, "in", "out", input.Count);

        var output = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", ReadLimit);
        Assert.Equal(input.Count, output.Count);
        for (var i = 0; i < input.Count; i++)
        {
            Assert.Equal(input[i].Key, output[i].Message.Key);
            Assert.Equal(input[i].Value, output[i].Message.Value);
            Assert.Equal(input[i].Timestamp.UnixTimestampMs, output[i].Message.Timestamp.UnixTimestampMs);
        }

        Assert.Null(output[0].Message.Key);
        Assert.NotNull(output[1].Message.Key);
        Assert.Null(output[2].Message.Value);
        Assert.NotNull(output[3].Message.Value);
        var outHeaders = output[3].Message.Headers;
        Assert.Equal(["trace", "nothing", "empty"], outHeaders.Select(h => h.Key));
        Assert.Equal("abc", Encoding.UTF8.GetString(outHeaders[0].GetValueBytes()));
        Assert.Null(outHeaders[1].GetValueBytes());
        Assert.Equal([], outHeaders[2].GetValueBytes());
    }

    [Fact]
    public async Task A_message_larger_than_64_KiB_round_trips_intact()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("big-in", partitions: 1);
        kafka.CreateTopic("big-out", partitions: 1);
        var payload = new byte[200 * 1024];
        new Random(42).NextBytes(payload);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "big-in", [new Message<byte[]?, byte[]?> { Key = [7], Value = payload }]);

        Pipe(kafka, "big-in", "big-out", 1);

        var output = Assert.Single(KafkaTestClient.ReadAll(kafka.BootstrapServers, "big-out", ReadLimit));
        Assert.Equal(payload, output.Message.Value);
        Assert.Equal([7], output.Message.Key);
    }

    [Fact]
    public void A_transaction_with_produced_records_and_consumer_offsets_commits_and_its_records_are_readable()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("tx-in", partitions: 1);
        kafka.CreateTopic("tx-out", partitions: 1);
        using (var seed = new NativeProducer(ProducerConfig(kafka.BootstrapServers), new RecordingProducerEvents()))
        {
            ProduceAll(seed, "tx-in", Enumerable.Range(0, 5).Select(i => (0, (string?)null, (string?)$"v{i}")));
        }

        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-tx"), new RecordingConsumerEvents());
        consumer.Subscribe(["tx-in"]);
        var consumed = ConsumeUntil(consumer, r => r.Count >= 5);

        var events = new RecordingProducerEvents();
        using var producer = new NativeProducer(
            ProducerConfig(kafka.BootstrapServers, ("transactional.id", "kpipe-native-test")), events);
        producer.InitTransactions(20_000);
        producer.BeginTransaction();
        var rkt = producer.Topic("tx-out");
        foreach (var m in consumed)
        {
            Assert.Equal(ErrorCode.NoError, producer.Produce(rkt, -1, default, false, m.Value, true, 0, 0, 0));
        }

        producer.SendOffsetsToTransaction([new TopicPartitionOffset("tx-in", 0, 5)], consumer, 20_000);
        producer.CommitTransaction(20_000);
        producer.Poll(0);

        Assert.Equal(5, events.Reports.Count);
        Assert.All(events.Reports, r => Assert.Equal(ErrorCode.NoError, r.Error));
        // read_committed filtering is not real on the mock; this only shows the records were written.
        Assert.Equal(consumed.Select(m => m.Text), KafkaTestClient.ReadAll(kafka.BootstrapServers, "tx-out", ReadLimit)
            .Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
        // Not asserted: the group's committed offset. The mock's TxnOffsetCommit handler answers success
        // but stores nothing (rdkafka_mock_handlers.c), so only a real Kafka can show it.
    }

    [Fact]
    public void Consuming_reading_and_producing_allocate_nothing_per_message()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("alloc-in", partitions: 1);
        using (var seed = new NativeProducer(ProducerConfig(kafka.BootstrapServers), new RecordingProducerEvents()))
        {
            ProduceAll(seed, "alloc-in", Enumerable.Range(0, 2_000).Select(i => (0, (string?)$"k{i}", (string?)$"v{i}")));
        }

        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-alloc"), new RecordingConsumerEvents());
        var counter = new CountingProducerEvents();
        using var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers), counter);
        var rkt = producer.Topic("alloc-out");
        consumer.Subscribe(["alloc-in"]);
        var buffer = new nint[100];

        // Warm-up: join the group, cache the topic name, size the report buffers.
        var consumed = 0;
        while (consumed < 500)
        {
            consumed += Forward(consumer, producer, rkt, buffer);
        }

        producer.Flush(10_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (consumed < 2_000)
        {
            consumed += Forward(consumer, producer, rkt, buffer);
        }

        producer.Flush(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2_000, counter.Delivered);
        Assert.Equal(0, allocated);
    }

    /// <summary>Consumes one batch and produces each message on, reading every field as the engine would.</summary>
    private static int Forward(NativeConsumer consumer, NativeProducer producer, nint rkt, nint[] buffer)
    {
        var n = consumer.ConsumeBatch(buffer, 100);
        for (var i = 0; i < n; i++)
        {
            var m = new KafkaMessage(buffer[i]);
            _ = consumer.TopicName(m.TopicHandle);
            var headers = m.Headers;
            while (producer.Produce(rkt, -1, m.Key, m.HasKey, m.Value, m.HasValue, m.TimestampMs, headers, (nint)m.Offset) == ErrorCode.Local_QueueFull)
            {
                producer.Poll(10);
            }

            KafkaMessage.Destroy(buffer[i]);
        }

        producer.Poll(0);
        return n;
    }

    /// <summary>Consumes everything of <paramref name="from"/> and produces it unchanged to <paramref name="to"/>.</summary>
    private static void Pipe(EmbeddedKafka kafka, string from, string to, int count)
    {
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, $"g-pipe-{from}"), new RecordingConsumerEvents());
        var events = new RecordingProducerEvents();
        using var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers), events);
        var rkt = producer.Topic(to);
        consumer.Subscribe([from]);
        var buffer = new nint[16];
        var piped = 0;
        var deadline = DateTime.UtcNow + ReadLimit;
        while (piped < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"piped {piped} of {count}");
            piped += Forward(consumer, producer, rkt, buffer);
        }

        Assert.Equal(0, producer.Flush(20_000));
        Assert.All(events.Reports, r => Assert.Equal(ErrorCode.NoError, r.Error));
        Assert.Equal(count, events.Reports.Count);
    }

    private sealed class CountingProducerEvents : IProducerEvents
    {
        public int Delivered { get; private set; }

        public void OnDelivered(ReadOnlySpan<DeliveryReport> reports) => Delivered += reports.Length;

        public void OnError(ErrorCode code, string reason, bool isFatal)
        {
        }

        public void OnLog(int syslogLevel, string facility, string message)
        {
        }
    }
}
