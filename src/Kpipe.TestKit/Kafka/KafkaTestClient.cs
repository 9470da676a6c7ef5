using System.Diagnostics;
using Confluent.Kafka;

namespace Kpipe.TestKit.Kafka;

/// <summary>
/// Blunt Kafka client helpers for tests and demos: preload a topic, read it back, inspect offsets.
/// They work against any Kafka, not only <see cref="EmbeddedKafka"/>.
/// </summary>
public static class KafkaTestClient
{
    private static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Produces every message to <paramref name="topic"/> (partition chosen by the default key hash)
    /// and completes once all are acknowledged.
    /// </summary>
    /// <remarks>
    /// The producer is idempotent with acks=all, so per-partition order survives retries and
    /// injected faults; lz4 matters on the mock cluster, whose partitions keep only ~5 MB of stored
    /// batches each. <paramref name="configure"/> may override anything, e.g. MessageTimeoutMs.
    /// </remarks>
    /// <exception cref="KafkaException">Some message was not delivered; carries the first error.</exception>
    public static Task ProduceAsync(
        string bootstrap,
        string topic,
        IEnumerable<Message<byte[]?, byte[]?>> messages,
        Action<ProducerConfig>? configure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(messages);

        // Produce() and Flush() block (queue full, waiting for acks); keep that off the caller's thread.
        return Task.Run(() => Produce(bootstrap, topic, messages, configure, cancellationToken), cancellationToken);
    }

    private static void Produce(
        string bootstrap,
        string topic,
        IEnumerable<Message<byte[]?, byte[]?>> messages,
        Action<ProducerConfig>? configure,
        CancellationToken cancellationToken)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            CompressionType = CompressionType.Lz4,
            LingerMs = 5,
        };
        configure?.Invoke(config);

        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();

        long produced = 0;
        long completed = 0;
        long failed = 0;
        Error? firstError = null;
        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
            {
                Volatile.Write(ref firstError, report.Error);
            }

            Interlocked.Increment(ref completed);
        }

        foreach (var message in messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, OnDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // Backpressure: give the background thread time to drain acknowledged batches.
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            produced++;
        }

        producer.Flush(cancellationToken);

        // Flush returns when librdkafka's queue is empty; the last handler may still be finishing on
        // the poll thread, and the counts must be final before they are judged.
        SpinWait.SpinUntil(() => Interlocked.Read(ref completed) >= produced, TimeSpan.FromSeconds(5));

        var failures = Interlocked.Read(ref failed);
        if (failures > 0)
        {
            var error = Volatile.Read(ref firstError) ?? new Error(ErrorCode.Unknown);
            throw new KafkaException(new Error(
                error.Code,
                $"{failures} of {produced} messages to '{topic}' were not delivered; first error: {error.Reason} ({error.Code})"));
        }
    }

    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning of every partition, by explicit assignment
    /// (no group, nothing committed).
    /// </summary>
    /// <remarks>
    /// Without <paramref name="expectedCount"/> it reads each partition up to its high watermark as of
    /// the call and ignores later records. With it, it ignores the watermarks and reads until that
    /// many records arrived, which suits topics still being written. Either way it gives up at
    /// <paramref name="timeout"/> and returns what it has rather than throwing, so assert the count.
    /// Records are grouped by partition (ascending), in offset order within each.
    /// </remarks>
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(
        string bootstrap,
        string topic,
        TimeSpan timeout,
        int? expectedCount = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (expectedCount is { } expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected);
        }

        var clock = Stopwatch.StartNew();
        TimeSpan Remaining() => Max(TimeSpan.Zero, timeout - clock.Elapsed);

        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        if (expectedCount == 0)
        {
            return records;
        }

        using var consumer = BuildConsumer(bootstrap, $"kpipe-testkit-reader-{Guid.NewGuid():N}", partitionEof: true);
        try
        {
            var partitions = GetPartitions(consumer, topic, Max(Remaining(), TimeSpan.FromSeconds(1)));

            // Partitions still to finish, with the offset that finishes them (watermark mode only).
            var pending = new Dictionary<int, long>();
            if (expectedCount is null)
            {
                foreach (var partition in partitions)
                {
                    var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), DefaultOperationTimeout);
                    if (w.High.Value > w.Low.Value)
                    {
                        pending[partition] = w.High.Value;
                    }
                }

                if (pending.Count == 0)
                {
                    return records;
                }
            }

            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

            while (clock.Elapsed < timeout)
            {
                var result = consumer.Consume(Remaining());
                if (result is null)
                {
                    continue;
                }

                int partition = result.Partition.Value;
                long offset = result.Offset.Value;

                if (expectedCount is { } count)
                {
                    if (!result.IsPartitionEOF)
                    {
                        records.Add(result);
                        if (records.Count >= count)
                        {
                            break;
                        }
                    }

                    continue;
                }

                if (!pending.TryGetValue(partition, out var end))
                {
                    continue;
                }

                // EOF also covers a partition whose last offsets are transaction markers, which are
                // never delivered as records.
                if (!result.IsPartitionEOF && offset < end)
                {
                    records.Add(result);
                }

                if (result.IsPartitionEOF ? offset >= end : offset + 1 >= end)
                {
                    pending.Remove(partition);
                    if (pending.Count == 0)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            consumer.Close();
        }

        return records
            .OrderBy(r => r.Partition.Value)
            .ThenBy(r => r.Offset.Value)
            .ToList();
    }

    /// <summary>
    /// The offsets <paramref name="groupId"/> has committed for <paramref name="topic"/>, by partition;
    /// partitions without a commit are absent. Does not join the group.
    /// </summary>
    public static IReadOnlyDictionary<int, long> GetCommittedOffsets(
        string bootstrap,
        string groupId,
        string topic,
        TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var limit = timeout ?? DefaultOperationTimeout;

        using var consumer = BuildConsumer(bootstrap, groupId, partitionEof: false);
        try
        {
            var partitions = GetPartitions(consumer, topic, limit);
            var committed = consumer.Committed(partitions.Select(p => new TopicPartition(topic, p)), limit);
            return committed
                .Where(c => c.Offset.Value >= 0)
                .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Low and high watermark of every partition of <paramref name="topic"/>.</summary>
    public static IReadOnlyDictionary<int, (long Low, long High)> GetWatermarks(
        string bootstrap,
        string topic,
        TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var limit = timeout ?? DefaultOperationTimeout;

        using var consumer = BuildConsumer(bootstrap, $"kpipe-testkit-watermarks-{Guid.NewGuid():N}", partitionEof: false);
        try
        {
            var result = new Dictionary<int, (long Low, long High)>();
            foreach (var partition in GetPartitions(consumer, topic, limit))
            {
                var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), limit);
                result[partition] = (w.Low.Value, w.High.Value);
            }

            return result;
        }
        finally
        {
            consumer.Close();
        }
    }

    private static IConsumer<byte[]?, byte[]?> BuildConsumer(string bootstrap, string groupId, bool partitionEof)
    {
        // Confluent.Kafka insists on group.id even for assign-only consumers; with auto-commit off and
        // no subscribe() the group is never joined nor written to.
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = partitionEof,
            AllowAutoCreateTopics = false,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
    }

    private static List<int> GetPartitions(IConsumer<byte[]?, byte[]?> consumer, string topic, TimeSpan timeout)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var metadata = admin.GetMetadata(topic, Max(timeout - clock.Elapsed, TimeSpan.FromMilliseconds(100)));
            var topicMetadata = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            var error = topicMetadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart);
            if (!error.IsError && topicMetadata!.Partitions.Count > 0)
            {
                return topicMetadata.Partitions.Select(p => p.PartitionId).Order().ToList();
            }

            // A topic created a moment ago may briefly report no leader; anything else is final.
            if (error.Code != ErrorCode.LeaderNotAvailable || clock.Elapsed >= timeout)
            {
                throw new KafkaException(new Error(
                    error.Code, $"No usable metadata for topic '{topic}': {error.Reason} ({error.Code})"));
            }

            Thread.Sleep(50);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
