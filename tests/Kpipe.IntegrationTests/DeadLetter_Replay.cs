using System.Text;
using Confluent.Kafka;
using Kpipe.Engine.DeadLetters;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>docs/errors.md, "Replaying dead letters": the fixed pipeline, reading the dead-letter topic.</summary>
public sealed class DeadLetter_Replay
{
    [Fact]
    public async Task The_fixed_pipeline_reading_the_dead_letter_topic_writes_the_dead_letters_once()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        kafka.CreateTopic("dlq", 1);
        kafka.CreateTopic("dlq.replay", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 100).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"k{i}"),
            // Every 10th record names its id differently: the first pipeline's keyField misses it.
            Value = Encoding.UTF8.GetBytes(i % 10 == 0 ? $"{{\"ident\":\"d{i}\"}}" : $"{{\"id\":\"d{i}\"}}"),
        }));
        const string deadLetters = """
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
            """;
        var first = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "orders", deadLetters);
        ((Kpipe.Sinks.Kafka.KafkaSinkOptions)first.Sinks[0]).KeyField = "id";
        var run = PipelineHarness.Start(first);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "orders", "in", 100, TimeSpan.FromSeconds(60));
        await run.StopAsync();
        Assert.Equal(10, PipelineHarness.Count(kafka.BootstrapServers, "dlq"));

        // The fix: the key is the record's own key. The same pipeline reads its dead letters, under a group of its own.
        var replay = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "dlq", "out", "orders-replay",
            deadLetters.Replace("topic: dlq", "topic: dlq.replay"));
        var replaying = PipelineHarness.Start(replay);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "orders-replay", "dlq", 10, TimeSpan.FromSeconds(60));
        var metrics = await replaying.StopAsync();

        var written = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(20), 100);
        // Keyed by the id field the first time, by the record's own key in the replay: each record once.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 10 == 0 ? $"k{i}" : $"d{i}").Order(),
            written.Select(r => PipelineHarness.Text(r.Message.Key)).Order());
        Assert.Equal((10L, 10L, 0L), (metrics.RecordsIn, metrics.RecordsWritten, metrics.RecordsDeadLettered));
        Assert.Equal(0, PipelineHarness.Count(kafka.BootstrapServers, "dlq.replay"));
        // A replayed record carries where it failed first.
        var replayed = written.First(r => PipelineHarness.Text(r.Message.Key) == "k10");
        Assert.True(replayed.Message.Headers.TryGetLastBytes(DeadLetterHeaders.Offset, out var offset));
        Assert.Equal("10", Encoding.UTF8.GetString(offset));
    }
}
