using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Kpipe.Kafka.Native;

namespace Kpipe.Tests.Kafka.Native;

/// <summary>A consumed message copied out of librdkafka's memory, for assertions.</summary>
internal sealed record Received(
    string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, long TimestampMs,
    List<(string Name, byte[]? Value)> Headers)
{
    public string Text => Value is null ? "<null>" : Encoding.UTF8.GetString(Value);
}

internal sealed class RecordingConsumerEvents : IConsumerEvents
{
    public ConcurrentQueue<(ErrorCode Code, string Reason, bool IsFatal)> Errors { get; } = new();
    public List<IReadOnlyList<TopicPartition>> Assigned { get; } = [];
    public List<IReadOnlyList<TopicPartition>> Revoked { get; } = [];
    public List<IReadOnlyList<TopicPartition>> Lost { get; } = [];

    /// <summary>Runs inside OnRevoked, before the binding unassigns (the engine commits here).</summary>
    public Action<NativeConsumer, IReadOnlyList<TopicPartition>>? BeforeRevoke { get; set; }

    /// <summary>Where OnAssigned starts each partition; default: the committed offset.</summary>
    public Func<TopicPartition, Offset> StartAt { get; set; } = _ => Offset.Unset;

    public IReadOnlyList<TopicPartitionOffset> OnAssigned(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        Assigned.Add(partitions);
        return partitions.Select(p => new TopicPartitionOffset(p, StartAt(p))).ToList();
    }

    public void OnRevoked(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        BeforeRevoke?.Invoke(consumer, partitions);
        Revoked.Add(partitions);
    }

    public void OnLost(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions) => Lost.Add(partitions);

    public void OnError(ErrorCode code, string reason, bool isFatal) => Errors.Enqueue((code, reason, isFatal));

    public void OnLog(int syslogLevel, string facility, string message)
    {
    }
}

internal sealed class RecordingProducerEvents : IProducerEvents
{
    public List<DeliveryReport> Reports { get; } = [];
    public List<int> BatchSizes { get; } = [];
    public ConcurrentQueue<(ErrorCode Code, string Reason, bool IsFatal)> Errors { get; } = new();

    public void OnDelivered(ReadOnlySpan<DeliveryReport> reports)
    {
        BatchSizes.Add(reports.Length);
        foreach (var r in reports)
        {
            Reports.Add(r);
        }
    }

    public void OnError(ErrorCode code, string reason, bool isFatal) => Errors.Enqueue((code, reason, isFatal));

    public void OnLog(int syslogLevel, string facility, string message)
    {
    }
}

internal static class NativeTestSupport
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    public static Dictionary<string, string> ConsumerConfig(string bootstrap, string group, params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["group.id"] = group,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["partition.assignment.strategy"] = "cooperative-sticky",
            // Members learn of a rebalance from heartbeat responses; the 3 s default would only slow tests.
            ["heartbeat.interval.ms"] = "100",
            // The mock coordinator waits up to session.timeout.ms - 1 s for members to rejoin a rebalance
            // (rdkafka_mock_cgrp.c); with the 45 s default a second member's join takes 44 s.
            ["session.timeout.ms"] = "3000",
            ["topic.metadata.refresh.interval.ms"] = "500",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        return config;
    }

    public static Dictionary<string, string> ProducerConfig(string bootstrap, params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["linger.ms"] = "5",
            ["reconnect.backoff.ms"] = "50",
            ["reconnect.backoff.max.ms"] = "200",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        return config;
    }

    public static Received Copy(NativeConsumer consumer, nint handle)
    {
        var m = new KafkaMessage(handle);
        var headers = new List<(string, byte[]?)>();
        var h = m.Headers;
        for (var i = 0; KafkaHeaders.TryGet(h, i, out var name, out var value, out var isNull); i++)
        {
            headers.Add((Encoding.UTF8.GetString(name), isNull ? null : value.ToArray()));
        }

        return new Received(
            consumer.TopicName(m.TopicHandle), m.Partition, m.Offset,
            m.HasKey ? m.Key.ToArray() : null, m.HasValue ? m.Value.ToArray() : null, m.TimestampMs, headers);
    }

    /// <summary>Consumes (copying and destroying every message) until <paramref name="done"/> holds.</summary>
    public static List<Received> ConsumeUntil(
        NativeConsumer consumer, Func<List<Received>, bool> done, TimeSpan? timeout = null, int batchSize = 100)
    {
        var received = new List<Received>();
        var buffer = new nint[batchSize];
        var clock = Stopwatch.StartNew();
        while (!done(received))
        {
            if (clock.Elapsed > (timeout ?? WaitLimit))
            {
                Assert.Fail($"Condition not reached within {timeout ?? WaitLimit}; got {received.Count} messages.");
            }

            var n = consumer.ConsumeBatch(buffer, 100);
            for (var i = 0; i < n; i++)
            {
                received.Add(Copy(consumer, buffer[i]));
                KafkaMessage.Destroy(buffer[i]);
            }
        }

        return received;
    }

    /// <summary>Produces and serves reports until every message is delivered; returns the reports.</summary>
    public static void ProduceAll(NativeProducer producer, string topic, IEnumerable<(int Partition, string? Key, string? Value)> messages)
    {
        var rkt = producer.Topic(topic);
        foreach (var (partition, key, value) in messages)
        {
            var k = key is null ? null : Encoding.UTF8.GetBytes(key);
            var v = value is null ? null : Encoding.UTF8.GetBytes(value);
            while (producer.Produce(rkt, partition, k, k is not null, v, v is not null, 0, 0, 0) == ErrorCode.Local_QueueFull)
            {
                producer.Poll(50);
            }
        }

        Assert.Equal(0, producer.Flush((int)WaitLimit.TotalMilliseconds));
    }
}
