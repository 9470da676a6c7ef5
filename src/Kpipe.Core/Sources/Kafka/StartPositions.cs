using Confluent.Kafka;

namespace Kpipe.Sources.Kafka;

/// <summary>Start offsets for <c>startFrom: &lt;timestamp&gt;</c>: only partitions without a committed offset
/// start at the timestamp; the others resume where the group left off.</summary>
internal static class StartPositions
{
    /// <remarks>committed answers the group's committed offsets of the partitions (Offset.Unset when none);
    /// offsetsForTimes the first offset at or after each timestamp (Offset.End when none).</remarks>
    public static IEnumerable<TopicPartitionOffset> ForTimestamp(
        Func<IReadOnlyList<TopicPartition>, IReadOnlyList<TopicPartitionOffset>> committed,
        Func<IReadOnlyList<TopicPartitionTimestamp>, IReadOnlyList<TopicPartitionOffset>> offsetsForTimes,
        IReadOnlyList<TopicPartition> partitions, DateTimeOffset start)
    {
        var known = committed(partitions).ToDictionary(c => c.TopicPartition, c => c.Offset);
        var fresh = partitions.Where(tp => !known.TryGetValue(tp, out var o) || o == Offset.Unset).ToList();
        var byTime = fresh.Count == 0
            ? []
            : offsetsForTimes([.. fresh.Select(tp => new TopicPartitionTimestamp(tp, new Timestamp(start)))])
                .ToDictionary(t => t.TopicPartition, t => t.Offset);
        return partitions.Select(tp => byTime.TryGetValue(tp, out var o)
            // No record at or after the instant: the lookup answers End, i.e. start with new records.
            ? new TopicPartitionOffset(tp, o)
            : new TopicPartitionOffset(tp, Offset.Unset));
    }
}
