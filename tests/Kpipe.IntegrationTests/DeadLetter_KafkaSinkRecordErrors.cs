using System.Text;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Engine.DeadLetters;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class DeadLetter_KafkaSinkRecordErrors
{
    private static Message<byte[]?, byte[]?> Record(int i, bool good) => new()
    {
        Key = Encoding.UTF8.GetBytes($"k{i}"),
        Value = Encoding.UTF8.GetBytes(good ? $"{{\"id\":\"d{i}\",\"n\":{i}}}" : $"{{\"n\":{i}}}"),
        Headers = new Headers { { "origin", Encoding.UTF8.GetBytes($"test-{i}") } },
        Timestamp = new Timestamp(1_721_383_200_000L + i, TimestampType.CreateTime),
    };

    private static string Header(ConsumeResult<byte[]?, byte[]?> r, string name) =>
        r.Message.Headers.TryGetLastBytes(name, out var v) ? Encoding.UTF8.GetString(v) : "<none>";

    [Fact]
    public async Task Bad_records_go_to_the_dead_letter_topic_once_with_their_headers_and_every_offset_is_committed()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("out", 2);
        kafka.CreateTopic("dlq", 1);
        var pipeline = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "dlq-kafka", """
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
            """);
        ((Kpipe.Sinks.Kafka.KafkaSinkOptions)pipeline.Sinks[0]).KeyField = "id";
        // Every 50th record lacks the key field: a record error raised inside the Kafka sink.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 1_000).Select(i => Record(i, i % 50 != 7)));

        var run = PipelineHarness.Start(pipeline);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "dlq-kafka", "in", 1_000, TimeSpan.FromSeconds(60));
        var metrics = await run.StopAsync();

        var dead = KafkaTestClient.ReadAll(kafka.BootstrapServers, "dlq", TimeSpan.FromSeconds(20), 20);
        Assert.Equal(20, dead.Count);
        Assert.Equal(Enumerable.Range(0, 1_000).Where(i => i % 50 == 7).Select(i => $"{{\"n\":{i}}}").Order(),
            dead.Select(r => PipelineHarness.Text(r.Message.Value)).Order());
        var first = dead.Single(r => PipelineHarness.Text(r.Message.Value) == "{\"n\":7}");
        Assert.Equal("k7", PipelineHarness.Text(first.Message.Key));
        Assert.Equal(1_721_383_200_007L, first.Message.Timestamp.UnixTimestampMs);
        Assert.Equal("test-7", Header(first, "origin"));
        Assert.Equal("in", Header(first, DeadLetterHeaders.Topic));
        Assert.Contains(Header(first, DeadLetterHeaders.Partition), new[] { "0", "1" });
        Assert.Matches("^[0-9]+$", Header(first, DeadLetterHeaders.Offset));
        Assert.Equal(typeof(RecordErrorException).FullName, Header(first, DeadLetterHeaders.ExceptionClass));
        Assert.Contains("key field 'id' is missing", Header(first, DeadLetterHeaders.ExceptionMessage));
        Assert.Equal("dlq-kafka", Header(first, DeadLetterHeaders.Pipeline));
        Assert.Equal("sinks.kafka-0", Header(first, DeadLetterHeaders.KpipeStage));

        Assert.Equal(980, KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(20), 980).Count);
        Assert.Equal((1_000, 980, 20), (metrics.RecordsIn, metrics.RecordsWritten, metrics.RecordsDeadLettered));
        foreach (var (tp, counts) in metrics.Partitions)
            Assert.True(counts.Pending == 0 && counts.Skipped == 0 && counts.Filtered == 0, $"{tp}: {counts}");
    }

    [Fact]
    public async Task An_unwritable_dead_letter_topic_stops_the_pipeline_without_committing_the_bad_record()
    {
        using var kafka = EmbeddedKafka.Start();
        using var dlqCluster = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        dlqCluster.SetBrokerDown(1);
        var pipeline = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "dlq-down", $$"""
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
                bootstrapServers: {{dlqCluster.BootstrapServers}}
                properties:
                  message.timeout.ms: "2000"
            """);
        ((Kpipe.Sinks.Kafka.KafkaSinkOptions)pipeline.Sinks[0]).KeyField = "id";
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 10).Select(i => Record(i, i != 5)));

        var run = PipelineHarness.Start(pipeline);
        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("dead-letter topic dlq could not be written", failure.Message);
        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "dlq-down", "in").Values.Sum();
        Assert.True(committed <= 5, $"committed {committed}: past the record whose dead letter was never written");
    }
}
