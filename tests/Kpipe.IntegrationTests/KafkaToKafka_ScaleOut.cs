using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Scaling out the Kafka way (docs/operations.md): kpipe processes in one consumer group share the partitions;
/// one killed outright hands its partitions to the others once its session times out, one added takes some.
/// </summary>
public sealed class KafkaToKafka_ScaleOut
{
    [Fact]
    public async Task Three_instances_then_one_killed_and_one_added_deliver_every_record()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 6);
        kafka.CreateTopic("out", 6);
        const int rounds = 30, perRound = 1_000, total = rounds * perRound;
        var file = PipelineHarness.KafkaToKafkaFile(kafka.BootstrapServers, "scale");
        var instances = new List<KpipeProcess>();
        try
        {
            for (var i = 0; i < 3; i++) instances.Add(KpipeProcess.Start("run", file));
            foreach (var p in instances) await p.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));

            // Records keep arriving through the whole sequence: the kill and the join happen mid-stream.
            for (var round = 0; round < rounds; round++)
            {
                await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(perRound, start: round * perRound));
                if (round == 8)
                {
                    // Wait until the victim has copied something, so that its work in flight is what gets lost.
                    await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 1, TimeSpan.FromSeconds(60));
                    instances[0].Kill();
                }
                if (round == 16) instances.Add(KpipeProcess.Start("run", file));
                await Task.Delay(200);
            }
            await instances[^1].WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));

            // Done when the group has committed every record: the killed member's uncommitted records were read
            // again by the partitions' next owner.
            await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-scale", "in", total, TimeSpan.FromSeconds(120));
            Assert.True(instances[0].HasExited, "the killed instance is still running");
            foreach (var p in instances.Skip(1))
            {
                p.Terminate();
                var exit = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, $"exit code {exit}; stderr:\n{p.Stderr}");
            }

            // At least once: every record is in the sink (those the killed member wrote but had not committed
            // may be there twice).
            var values = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30))
                .Select(r => PipelineHarness.Text(r.Message.Value)).ToHashSet();
            var missing = PipelineHarness.Numbered(total).Select(m => PipelineHarness.Text(m.Value)).Where(v => !values.Contains(v)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {total} records missing, e.g. {string.Join(", ", missing.Take(5))}");
            // Each surviving instance and the added one owned partitions at some point.
            foreach (var p in instances.Skip(1))
                Assert.Contains("assigned", p.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var p in instances) p.Dispose();
            File.Delete(file);
        }
    }
}
