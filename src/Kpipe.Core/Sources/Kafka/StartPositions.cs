using Confluent.Kafka;

namespace Kpipe.Sources.Kafka;

/// <summary>Start offsets for <c>startFrom: &lt;timestamp&gt;</c>: only partitions without a committed offset
/// start at the timestamp; the others resume where the group left off.</summary>
internal static class StartPositions
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static IEnumerable<TopicPartitionOffset> ForTimestamp(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, DateTimeOffset start)
    {
        var committed = consumer.Committed(partitions, Timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        var fresh = partitions.Where(tp => !committed.TryGetValue(tp, out var o) || o == Offset.Unset).ToList();
        var byTime = fresh.Count == 0
            ? []
            : consumer.OffsetsForTimes(fresh.Select(tp => new TopicPartitionTimestamp(tp, new Timestamp(start))), Timeout)
                .ToDictionary(t => t.TopicPartition, t => t.Offset);
        return partitions.Select(tp => byTime.TryGetValue(tp, out var o)
            // No record at or after the instant: OffsetsForTimes answers End, i.e. start with new records.
            ? new TopicPartitionOffset(tp, o)
            : new TopicPartitionOffset(tp, Offset.Unset));
    }
}
