using System.Text;
using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_DlqReplay
{
    [Fact]
    public async Task Dlq_replay_sends_the_dead_letters_through_the_fixed_pipeline_and_exits_0_at_the_end()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        kafka.CreateTopic("dlq", 2);
        kafka.CreateTopic("dlq.replay", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 50).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"k{i}"),
            Value = Encoding.UTF8.GetBytes(i % 10 == 0 ? $"{{\"ident\":\"d{i}\"}}" : $"{{\"id\":\"d{i}\"}}"),
        }));
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-replay-{Guid.NewGuid():N}.yaml");
        string Pipeline(string keyField) => $"""
            name: orders
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
                {keyField}
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
            engine:
              commitInterval: 100ms
            """;
        try
        {
            await File.WriteAllTextAsync(file, Pipeline("keyField: id"));
            using (var first = KpipeProcess.Start("run", file))
            {
                await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-orders", "in", 50, TimeSpan.FromSeconds(60));
                first.Terminate();
                Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }
            Assert.Equal(5, PipelineHarness.Count(kafka.BootstrapServers, "dlq"));

            // The fix: key by the record's own key. The replay ends by itself once the dead-letter topic is done.
            await File.WriteAllTextAsync(file, Pipeline(""));
            using var replay = KpipeProcess.Start("dlq", "replay", file);
            var exit = await replay.WaitForExitAsync(TimeSpan.FromSeconds(90));

            Assert.True(exit == 0, $"exit {exit}; stderr:\n{replay.Stderr}");
            var keys = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(20), 50).Select(r => PipelineHarness.Text(r.Message.Key));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => i % 10 == 0 ? $"k{i}" : $"d{i}").Order(), keys.Order());
            Assert.Equal(0, PipelineHarness.Count(kafka.BootstrapServers, "dlq.replay"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
