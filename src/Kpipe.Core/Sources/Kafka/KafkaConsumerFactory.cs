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
            // librdkafka's prefetch queue is memory outside the engine's in-flight bound; its default (64 MiB)
            // alone is a quarter of the 256 MB the process aims to stay under. 16 MiB still keeps several
            // fetches ahead of the pipeline.
            QueuedMaxMessagesKbytes = 16_384,
            FetchMaxBytes = 16 * 1024 * 1024,
            ClientId = $"kpipe-{pipelineName}",
            // Lag and broker health for /metrics and /readyz come from librdkafka's statistics (KafkaSource).
            // Every 5 s: at 1 s, writing and parsing them took a caught-up pipeline from 0.6% to 2.2-2.8% of a
            // core (the compare bench's idle phase, docs/performance.md); Prometheus scrapes every 15-30 s anyway.
            StatisticsIntervalMs = 5000,
        };
        foreach (var (key, value) in options.Properties) config.Set(key, value);
        return config;
    }
}
