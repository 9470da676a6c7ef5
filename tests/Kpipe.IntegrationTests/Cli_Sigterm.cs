using System.Diagnostics;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_Sigterm
{
    [Fact]
    public async Task Sigterm_mid_run_exits_0_and_a_restart_leaves_nothing_missing()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 4);
        kafka.CreateTopic("out", 4);
        const int count = 50_000;
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(count));
        var file = PipelineHarness.KafkaToKafkaFile(kafka.BootstrapServers, "sigterm");
        try
        {
            // First run: stopped by SIGTERM while it is copying.
            using (var first = KpipeProcess.Start("run", file))
            {
                await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 1, TimeSpan.FromSeconds(60));
                first.Terminate();
                var exit = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, $"exit code {exit}; stderr:\n{first.Stderr}");
                Assert.Contains("SIGTERM received", first.Stderr);
            }
            var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-sigterm", "in").Values.Sum();
            // Drained and committed: what is committed is in the sink.
            Assert.True(PipelineHarness.Count(kafka.BootstrapServers, "out") >= committed);

            // Second run picks up from the commit and finishes the topic.
            using (var second = KpipeProcess.Start("run", file))
            {
                // The first run may have copied everything before its SIGTERM: wait for this one to be running.
                await second.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
                await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", count, TimeSpan.FromSeconds(90));
                second.Terminate();
                Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }
            var values = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30))
                .Select(r => PipelineHarness.Text(r.Message.Value)).ToHashSet();
            var missing = PipelineHarness.Numbered(count).Select(m => PipelineHarness.Text(m.Value)).Where(v => !values.Contains(v)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} messages missing, e.g. {string.Join(", ", missing.Take(3))}");
            Assert.Equal(count, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-sigterm", "in").Values.Sum());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_second_signal_while_draining_exits_at_once_with_130_and_commits_nothing_unwritten()
    {
        using var source = EmbeddedKafka.Start();
        using var sink = EmbeddedKafka.Start();
        source.CreateTopic("in", 1);
        sink.CreateTopic("out", 1);
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-sigterm2-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: twice
            source:
              bootstrapServers: {source.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {sink.BootstrapServers}
                topic: out
            engine:
              shutdownTimeout: 2m
            """);
        try
        {
            using var kpipe = KpipeProcess.Start("run", file);
            // The sink cluster is down: the records stay unacknowledged, so a clean stop would wait to drain.
            sink.SetBrokerDown(1);
            await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(100));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!kpipe.Stderr.Contains("assigned") && DateTime.UtcNow < deadline) await Task.Delay(100);
            await Task.Delay(1000);
            kpipe.Terminate();
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (!kpipe.Stderr.Contains("SIGTERM received") && DateTime.UtcNow < deadline) await Task.Delay(50);
            kpipe.Terminate();
            var exit = await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(exit == 130, $"exit code {exit}; stderr:\n{kpipe.Stderr}");
            Assert.Contains("second SIGTERM: exiting now", kpipe.Stderr);
            // Nothing reached the sink, so nothing may be committed: a restart reads all 100 records again.
            Assert.Equal(0, KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "kpipe-twice", "in").Values.Sum());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
