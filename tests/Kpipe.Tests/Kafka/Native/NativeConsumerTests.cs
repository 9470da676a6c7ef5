using Confluent.Kafka;
using Kpipe.Kafka.Native;
using Kpipe.TestKit.Kafka;
using static Kpipe.Tests.Kafka.Native.NativeTestSupport;

namespace Kpipe.Tests.Kafka.Native;

public sealed class NativeConsumerTests
{
    [Theory]
    [InlineData("cooperative-sticky", "COOPERATIVE")]
    [InlineData("range", "EAGER")]
    public void An_empty_topic_gives_empty_batches_and_the_assignment_is_served_inside_ConsumeBatch(string strategy, string protocol)
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("empty", partitions: 2);
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(
            ConsumerConfig(kafka.BootstrapServers, "g-empty", ("partition.assignment.strategy", strategy)), events);
        consumer.Subscribe(["empty"]);

        // Only ConsumeBatch is called: the rebalance callback must be served by consume_batch_queue.
        var buffer = new nint[16];
        var deadline = DateTime.UtcNow + WaitLimit;
        while (events.Assigned.Count == 0 && DateTime.UtcNow < deadline)
        {
            Assert.Equal(0, consumer.ConsumeBatch(buffer, 100));
        }

        Assert.Equal(2, Assert.Single(events.Assigned).Count);
        Assert.Equal(protocol, consumer.RebalanceProtocol);
        Assert.Equal(2, consumer.Assignment.Count);
        Assert.Equal(0, consumer.ConsumeBatch(buffer, 50));
        Assert.Equal(0, consumer.ConsumeBatch(Span<nint>.Empty, 50));

        consumer.Close();
        Assert.Equal(2, Assert.Single(events.Revoked).Count);
        consumer.Close();
        Assert.Empty(events.Errors);
    }

    [Fact]
    public async Task Partition_EOF_is_not_returned_and_consumption_continues_past_it()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("eof", partitions: 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "eof", Messages(0, 5));
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(
            ConsumerConfig(kafka.BootstrapServers, "g-eof", ("enable.partition.eof", "true")), events);
        consumer.Subscribe(["eof"]);

        var first = ConsumeUntil(consumer, r => r.Count >= 5);
        // Reaching the end raised an EOF event, which the binding drops; the next batch still waits normally.
        var buffer = new nint[8];
        Assert.Equal(0, consumer.ConsumeBatch(buffer, 200));
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "eof", Messages(5, 5));
        var second = ConsumeUntil(consumer, r => r.Count >= 5);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), first.Concat(second).Select(r => r.Text));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), first.Concat(second).Select(r => r.Offset));
        Assert.Empty(events.Errors);
    }

    [Fact]
    public async Task An_error_inside_a_batch_reaches_OnError_and_the_good_messages_still_arrive()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("good", partitions: 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "good", Messages(0, 20));
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-error"), events);
        consumer.Subscribe(["good", "does-not-exist"]);

        var received = ConsumeUntil(consumer, r => r.Count >= 20 && !events.Errors.IsEmpty);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}"), received.Select(r => r.Text));
        Assert.Contains(events.Errors, e => e.Code == ErrorCode.UnknownTopicOrPart && !e.IsFatal);
    }

    [Fact]
    public void A_second_member_takes_partitions_mid_stream_and_no_revoked_message_is_returned_after_OnRevoked()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("moving", partitions: 4);

        var seen = new HashSet<(int Partition, long Offset)>();
        var eventsA = new RecordingConsumerEvents();
        var eventsB = new RecordingConsumerEvents();
        var nextOffsetA = new Dictionary<int, long>();
        var ownedByA = new HashSet<int>();
        var violations = new List<string>();
        var closing = false;

        // Like the engine: commit what was processed while the partitions are still ours. (Not at the
        // end: both members leave at once there, and the mock then rejects the old generation.)
        eventsA.BeforeRevoke = (consumer, partitions) =>
        {
            ownedByA.ExceptWith(partitions.Select(p => p.Partition.Value));
            if (closing)
            {
                return;
            }

            try
            {
                consumer.Commit(partitions
                    .Where(p => nextOffsetA.ContainsKey(p.Partition.Value))
                    .Select(p => new TopicPartitionOffset(p, nextOffsetA[p.Partition.Value]))
                    .ToList());
            }
            catch (NativeKafkaException e) when (e.Code is ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress)
            {
                // The mock sometimes moves the group to its next generation before this member's revoke is
                // served (seen under load); the engine treats a refused commit the same way (KafkaSource.Commit:
                // the records are read again by the next owner). What this test checks is unaffected: 'seen'
                // is a set, and no message of a revoked partition may come back after this callback.
            }
        };

        using var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers, ("linger.ms", "0")), new RecordingProducerEvents());
        var rkt = producer.Topic("moving");
        using var a = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-moving"), eventsA);
        using var b = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-moving"), eventsB);
        a.Subscribe(["moving"]);

        // Messages keep arriving on every partition during the whole rebalance, so A is mid-stream
        // (with fetched, undelivered messages of the moving partitions) when they are revoked.
        var produced = 0;
        var buffer = new nint[20];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bJoined = false;
        var bReceived = 0;
        while (true)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"saw {seen.Count} of {produced}; A revoked {eventsA.Revoked.Count} times, B received {bReceived}");
            var producing = produced < 1_000 || eventsA.Revoked.Count == 0 || bReceived == 0;
            if (producing)
            {
                for (var i = 0; i < 4; i++, produced++)
                {
                    Assert.Equal(ErrorCode.NoError, producer.Produce(rkt, produced % 4, default, false, [1], true, 0, 0, 0));
                }

                producer.Poll(0);
            }
            else if (seen.Count == produced)
            {
                break;
            }

            var n = a.ConsumeBatch(buffer, 10);
            foreach (var tp in eventsA.Assigned.SelectMany(x => x))
            {
                ownedByA.Add(tp.Partition.Value);
            }

            eventsA.Assigned.Clear();
            for (var i = 0; i < n; i++)
            {
                var m = new KafkaMessage(buffer[i]);
                if (!ownedByA.Contains(m.Partition))
                {
                    violations.Add($"A returned {m.Partition}@{m.Offset} after that partition was revoked");
                }

                seen.Add((m.Partition, m.Offset));
                nextOffsetA[m.Partition] = m.Offset + 1;
                KafkaMessage.Destroy(buffer[i]);
            }

            if (!bJoined && seen.Count >= 100)
            {
                b.Subscribe(["moving"]);
                bJoined = true;
            }

            if (bJoined)
            {
                n = b.ConsumeBatch(buffer, 10);
                bReceived += n;
                for (var i = 0; i < n; i++)
                {
                    var m = new KafkaMessage(buffer[i]);
                    seen.Add((m.Partition, m.Offset));
                    KafkaMessage.Destroy(buffer[i]);
                }
            }
        }

        closing = true;
        Assert.Empty(violations);
        Assert.Empty(eventsA.Lost);
        Assert.Equal("COOPERATIVE", a.RebalanceProtocol);
        // Cooperative: A kept what B did not take, and the moved partitions are exactly what B got.
        var movedFromA = eventsA.Revoked.SelectMany(r => r).Select(p => p.Partition.Value).Order().ToList();
        Assert.NotEmpty(movedFromA);
        Assert.Equal(movedFromA, eventsB.Assigned.SelectMany(r => r).Select(p => p.Partition.Value).Order());
        Assert.Equal(4, a.Assignment.Count + b.Assignment.Count);
        // Between both members every message was seen (offsets are dense: one producer, no transactions).
        Assert.Equal(produced, seen.Count);
    }

    [Fact]
    public async Task The_start_offsets_returned_by_OnAssigned_are_where_consumption_begins()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("starts", partitions: 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "starts", Messages(0, 10));
        var events = new RecordingConsumerEvents { StartAt = _ => new Offset(6) };
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-starts"), events);
        consumer.Subscribe(["starts"]);

        var received = ConsumeUntil(consumer, r => r.Count >= 4);

        Assert.Equal(["v6", "v7", "v8", "v9"], received.Select(r => r.Text));
    }

    [Fact]
    public async Task Commit_with_metadata_is_read_back_by_Committed_and_by_another_client()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("commits", partitions: 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "commits", Messages(0, 10));
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-commit"), events);
        consumer.Subscribe(["commits"]);
        ConsumeUntil(consumer, r => r.Count >= 10);

        var tp = new TopicPartition("commits", 0);
        Assert.Equal(Offset.Unset, Assert.Single(consumer.Committed([tp], 10_000)).Offset);

        consumer.Commit([new TopicPartitionOffset(tp, 7)]);
        Assert.Equal(7, Assert.Single(consumer.Committed([tp], 10_000)).Offset.Value);

        consumer.Commit([new TopicPartitionOffset(tp, 10)], metadata: "checkpoint-1");
        Assert.Equal(10, Assert.Single(consumer.Committed([tp], 10_000)).Offset.Value);
        Assert.Equal("checkpoint-1", Assert.Single(consumer.CommittedMetadata([tp], 10_000)));
        consumer.Close();

        Assert.Equal(10, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "g-commit", "commits")[0]);
    }

    [Fact]
    public async Task OffsetsForTimes_carries_the_query_to_the_broker_and_returns_its_answer()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("times", partitions: 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "times", Messages(0, 10));
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-times"), events);

        // The mock broker answers ListOffsets only for the two special timestamps (its lookup by a real
        // timestamp is a FIXME returning -1), so these check the plumbing: the query travels in the offset
        // field and the broker's answer replaces it. A real timestamp is checked against a real Kafka only.
        var latest = consumer.OffsetsForTimes([new TopicPartitionTimestamp("times", 0, new Timestamp(-1, TimestampType.CreateTime))], 10_000);
        var earliest = consumer.OffsetsForTimes([new TopicPartitionTimestamp("times", 0, new Timestamp(-2, TimestampType.CreateTime))], 10_000);

        Assert.Equal(new TopicPartitionOffset("times", 0, 10), Assert.Single(latest));
        Assert.Equal(new TopicPartitionOffset("times", 0, 0), Assert.Single(earliest));
    }

    [Fact]
    public void Pause_stops_a_partition_and_Resume_delivers_what_it_held_back()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("paused", partitions: 2);
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-pause"), events);
        consumer.Subscribe(["paused"]);
        var buffer = new nint[8];
        var deadline = DateTime.UtcNow + WaitLimit;
        while (consumer.Assignment.Count < 2 && DateTime.UtcNow < deadline)
        {
            Assert.Equal(0, consumer.ConsumeBatch(buffer, 100));
        }

        var p0 = new TopicPartition("paused", 0);
        consumer.Pause([p0]);
        using (var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers), new RecordingProducerEvents()))
        {
            ProduceAll(producer, "paused", Enumerable.Range(0, 20).Select(i => (i % 2, (string?)null, (string?)$"v{i}")));
        }

        var whilePaused = ConsumeUntil(consumer, r => r.Count(m => m.Partition == 1) >= 10);
        Assert.DoesNotContain(whilePaused, m => m.Partition == 0);

        consumer.Resume([p0]);
        var afterResume = ConsumeUntil(consumer, r => r.Count(m => m.Partition == 0) >= 10);
        Assert.Equal(10, afterResume.Count(m => m.Partition == 0));
    }

    [Fact]
    public void Seek_moves_the_position_of_an_assigned_partition()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("seek", partitions: 1);
        using (var producer = new NativeProducer(ProducerConfig(kafka.BootstrapServers), new RecordingProducerEvents()))
        {
            ProduceAll(producer, "seek", Enumerable.Range(0, 10).Select(i => (0, (string?)null, (string?)$"v{i}")));
        }

        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-seek"), events);
        consumer.Subscribe(["seek"]);
        ConsumeUntil(consumer, r => r.Count >= 10);

        consumer.Seek(new TopicPartitionOffset("seek", 0, 6), 10_000);
        var again = ConsumeUntil(consumer, r => r.Count >= 4);

        Assert.Equal(["v6", "v7", "v8", "v9"], again.Select(r => r.Text));
    }

    private static IEnumerable<Message<byte[]?, byte[]?>> Messages(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = System.Text.Encoding.UTF8.GetBytes($"k{i}"),
            Value = System.Text.Encoding.UTF8.GetBytes($"v{i}"),
        });
}
