using Confluent.Kafka;

namespace Kpipe.Sources.Kafka;

/// <summary>Builds the librdkafka consumer configuration of a Kafka source.</summary>
internal static class KafkaConsumerFactory
{
    public static ConsumerConfig BuildConfig(KafkaSourceOptions options, string pipelineName)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.GroupId ?? $"kpipe-{pipelineName}",
            // Offsets are committed by the engine, only once every sink acknowledged the records.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // Cooperative rebalancing: a member joining or leaving moves only the partitions that must move,
            // the others keep flowing.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            AutoOffsetReset = options.StartFrom == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            // Larger fetches amortise round trips; librdkafka's defaults target latency, not throughput.
            FetchMinBytes = 1,
            QueuedMinMessages = 100_000,
            ClientId = $"kpipe-{pipelineName}",
        };
        foreach (var (key, value) in options.Properties) config.Set(key, value);
        return config;
    }
}
