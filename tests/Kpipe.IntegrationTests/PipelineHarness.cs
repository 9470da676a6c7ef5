using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.IntegrationTests;

/// <summary>Runs pipelines in-process against the embedded Kafka, for as long as a test needs.</summary>
internal sealed class PipelineHarness
{
    /// <summary>A pipeline file copying <c>in</c> to <c>out</c> (partitions preserved) on one cluster, for tests that
    /// run kpipe as a process; its group is <c>kpipe-</c> + <paramref name="name"/>. The caller deletes it.</summary>
    public static string KafkaToKafkaFile(string bootstrap, string name)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-{name}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, $"""
            name: {name}
            source:
              bootstrapServers: {bootstrap}
              topics: [in]
              maxRecordsPerBatch: 500
              properties:
                session.timeout.ms: "6000"
                heartbeat.interval.ms: "500"
            sinks:
              - type: kafka
                bootstrapServers: {bootstrap}
                topic: out
                partitioning: preserve
            engine:
              commitInterval: 100ms
            """);
        return file;
    }

    public static PipelineOptions KafkaToKafka(string sourceBootstrap, string sinkBootstrap, string source, string sink,
        string group, string extra = "")
    {
        var yaml = $"""
            name: {group}
            source:
              bootstrapServers: {sourceBootstrap}
              topics: [{source}]
              groupId: {group}
              maxRecordsPerBatch: 5000
              properties:
                # The mock cluster keeps a departed member until its session times out (see
                # docs/testing.md); a short session keeps group handovers in tests short.
                session.timeout.ms: "6000"
                heartbeat.interval.ms: "500"
            sinks:
              - type: kafka
                bootstrapServers: {sinkBootstrap}
                topic: {sink}
                partitioning: preserve
            engine:
              commitInterval: 200ms
              statsInterval: 0s
            {extra}
            """;
        return PipelineLoader.Parse(yaml, $"{group}.yaml");
    }

    /// <summary>A running pipeline; Stop drains and commits like SIGTERM does.</summary>
    public sealed class Running(Task<PipelineMetrics> task, CancellationTokenSource stop)
    {
        public Task<PipelineMetrics> Task { get; } = task;

        public async Task<PipelineMetrics> StopAsync()
        {
            await stop.CancelAsync();
            return await Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public static Running Start(PipelineOptions options, ILoggerFactory? loggers = null)
    {
        var stop = new CancellationTokenSource();
        // KPIPE_TEST_LOG=Debug shows the pipelines' logs when a test needs explaining.
        loggers ??= Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("KPIPE_TEST_LOG"), out var level)
            ? Kpipe.Cli.Logging.Create(level)
            : NullLoggerFactory.Instance;
        var task = PipelineHost.RunAsync(options, loggers, Stream.Null, stop.Token);
        return new Running(task, stop);
    }

    /// <summary>Waits until the topic holds <paramref name="count"/> records (or the timeout passes).</summary>
    public static async Task WaitForCount(string bootstrap, string topic, long count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Count(bootstrap, topic) < count && clock.Elapsed < timeout)
            await System.Threading.Tasks.Task.Delay(200);
    }

    /// <summary>Waits until the group has committed <paramref name="count"/> offsets in the topic (or the timeout
    /// passes): every record up to there was handled by the sinks.</summary>
    public static async Task WaitForCommitted(string bootstrap, string group, string topic, long count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (KafkaTestClient.GetCommittedOffsets(bootstrap, group, topic).Values.Sum() < count && clock.Elapsed < timeout)
            await System.Threading.Tasks.Task.Delay(100);
    }

    public static long Count(string bootstrap, string topic) =>
        KafkaTestClient.GetWatermarks(bootstrap, topic).Values.Sum(w => w.High - w.Low);

    /// <summary>Messages numbered 0..count-1: key "k{i}", value "v{i}:{partition-order}", a header "n" = i.</summary>
    public static IEnumerable<Message<byte[]?, byte[]?>> Numbered(int count, int start = 0)
    {
        for (var i = start; i < start + count; i++)
        {
            yield return new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes($"k{i}"),
                Value = Encoding.UTF8.GetBytes($"{{\"n\":{i},\"name\":\"device-{i}\"}}"),
                Headers = new Headers { { "n", Encoding.UTF8.GetBytes(i.ToString()) }, { "origin", "test"u8.ToArray() } },
                Timestamp = new Timestamp(1_721_383_200_000L + i, TimestampType.CreateTime),
            };
        }
    }

    public static string Text(byte[]? bytes) => bytes == null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>The value's number n of every record, per partition, in offset order.</summary>
    public static Dictionary<int, List<string>> ValuesByPartition(IEnumerable<ConsumeResult<byte[]?, byte[]?>> records) =>
        records.GroupBy(r => r.Partition.Value).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Offset.Value).Select(r => Text(r.Message.Value)).ToList());
}
