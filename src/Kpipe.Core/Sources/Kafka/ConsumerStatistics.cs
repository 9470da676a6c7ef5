using System.Text.Json;
using Confluent.Kafka;

namespace Kpipe.Sources.Kafka;

/// <summary>
/// What kpipe reads from librdkafka's statistics JSON (its STATISTICS.md): how many brokers are connected,
/// and each assigned partition's watermarks and committed offset. librdkafka emits it every
/// <c>statistics.interval.ms</c> on the consuming thread; every 5 s, so parsing it into a document is cheap.
/// </summary>
internal sealed record ConsumerStatistics(int BrokersUp, int AssignedPartitions, IReadOnlyList<PartitionPosition> Partitions)
{
    /// <summary>Reads the statistics, keeping only the partitions in <paramref name="assignment"/>.</summary>
    public static ConsumerStatistics Parse(ReadOnlySpan<byte> json, IReadOnlyCollection<TopicPartition> assignment)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        var up = 0;
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                // Bootstrap entries (nodeid -1) are placeholders until the cluster's metadata names its brokers.
                if (broker.Value.TryGetProperty("nodeid", out var id) && id.GetInt32() < 0) continue;
                if (broker.Value.TryGetProperty("state", out var state) && state.ValueEquals("UP")) up++;
            }
        }
        var wanted = assignment.Select(tp => (tp.Topic, tp.Partition.Value)).ToHashSet();
        var partitions = new List<PartitionPosition>();
        if (root.TryGetProperty("topics", out var topics))
        {
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var parts)) continue;
                foreach (var part in parts.EnumerateObject())
                {
                    var p = part.Value;
                    var id = p.GetProperty("partition").GetInt32();
                    // Partition -1 is librdkafka's internal unassigned-messages queue.
                    if (id < 0 || !wanted.Contains((topic.Name, id))) continue;
                    partitions.Add(new PartitionPosition(topic.Name, id, Long(p, "hi_offset"), Long(p, "lo_offset"), Long(p, "committed_offset")));
                }
            }
        }
        return new ConsumerStatistics(up, assignment.Count, partitions);
    }

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : -1;
}

/// <summary>A partition's high and low watermarks and the group's committed offset; -1 (or below) when unknown.</summary>
internal readonly record struct PartitionPosition(string Topic, int Partition, long HighWatermark, long LowWatermark, long Committed);
