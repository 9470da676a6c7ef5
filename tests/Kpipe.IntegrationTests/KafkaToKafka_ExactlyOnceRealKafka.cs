using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>Runs only when KPIPE_TEST_REAL_KAFKA gives a real Kafka's bootstrap address (the embedded one neither
/// hides aborted records nor stores transactional offsets).</summary>
internal sealed class RealKafkaFactAttribute : FactAttribute
{
    public RealKafkaFactAttribute()
    {
        if (string.IsNullOrEmpty(KafkaToKafka_ExactlyOnceRealKafka.Bootstrap))
            Skip = "set KPIPE_TEST_REAL_KAFKA=host:port to run against a real Kafka";
    }
}

public sealed class KafkaToKafka_ExactlyOnceRealKafka
{
    internal static string? Bootstrap => Environment.GetEnvironmentVariable("KPIPE_TEST_REAL_KAFKA");

    /// <summary>The crash harness's short form for Kafka -> Kafka (issue #12): records keep arriving while the
    /// pipeline, a child process, is SIGKILLed at random moments 5 times and restarted; at the end a
    /// read_committed reader sees exactly the input, as a multiset.</summary>
    [RealKafkaFact]
    public async Task Read_committed_readers_see_exactly_the_input_after_5_SIGKILLs_at_random_moments_and_restarts()
    {
        var b = Bootstrap!;
        var id = Guid.NewGuid().ToString("N")[..8];
        var (input, output, group) = ($"kpipe-eos-{id}-in", $"kpipe-eos-{id}-out", $"kpipe-eos-{id}");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = b }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = input, NumPartitions = 4, ReplicationFactor = 1 },
                new TopicSpecification { Name = output, NumPartitions = 4, ReplicationFactor = 1 }]);
        const int chunks = 20, chunk = 2_500, count = chunks * chunk;
        var file = Path.Combine(Path.GetTempPath(), $"{group}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: {group}
            source:
              bootstrapServers: {b}
              topics: [{input}]
              groupId: {group}
              maxRecordsPerBatch: 500
              properties:
                # A killed member stays in the group until its session times out (librdkafka: 45 s); the
                # broker's minimum (6 s) keeps each restart's wait for its partitions short.
                session.timeout.ms: "6000"
                heartbeat.interval.ms: "500"
            sinks:
              - type: kafka
                bootstrapServers: {b}
                topic: {output}
                partitioning: preserve
                exactlyOnce: true
                transactionalId: {group}
            engine:
              commitInterval: 200ms
            """);
        // Records keep arriving while the pipeline is killed and restarted.
        var producing = Task.Run(async () =>
        {
            for (var c = 0; c < chunks; c++)
            {
                await KafkaTestClient.ProduceAsync(b, input, PipelineHarness.Numbered(chunk, start: c * chunk));
                await Task.Delay(300);
            }
        });
        var seed = Environment.TickCount;
        var random = new Random(seed);
        try
        {
            for (var kill = 0; kill < 5; kill++)
            {
                using var run = KpipeProcess.Start("run", file);
                await run.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
                // A random moment of the run: inside a transaction, during its commit, or between two.
                await Task.Delay(random.Next(200, 3_000));
                run.Kill();
                await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            await producing;
            using (var last = KpipeProcess.Start("run", file))
            {
                // Same transactional.id: its init_transactions aborts what the killed one left open.
                await PipelineHarness.WaitForCommitted(b, group, input, count, TimeSpan.FromSeconds(180));
                last.Terminate();
                Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }

            Assert.Equal(count, KafkaTestClient.GetCommittedOffsets(b, group, input).Values.Sum());
            // KafkaTestClient reads with librdkafka's default isolation.level, read_committed.
            var copied = KafkaTestClient.ReadAll(b, output, TimeSpan.FromSeconds(60))
                .Select(r => PipelineHarness.Text(r.Message.Value)).Order().ToList();
            var expected = PipelineHarness.Numbered(count).Select(m => PipelineHarness.Text(m.Value)).Order().ToList();
            Assert.True(expected.SequenceEqual(copied),
                $"random seed {seed}: {copied.Count} records read for {count} written, {copied.Count - copied.Distinct().Count()} duplicates, {expected.Except(copied).Count()} missing");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
