using System.Text;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class DeadLetter_TopicRefused
{
    [Fact]
    public async Task A_dead_letter_topic_the_cluster_refuses_stops_the_pipeline_before_the_bad_record_is_committed()
    {
        using var kafka = EmbeddedKafka.Start();
        using var dlqCluster = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        dlqCluster.CreateTopic("dlq", 1);
        // Every produce to the dead-letter cluster is refused, as for a topic the producer may not write.
        dlqCluster.PushRequestErrors(KafkaApiKey.Produce, [.. Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 50)]);
        var pipeline = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "dlq-refused", $"""
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
                bootstrapServers: {dlqCluster.BootstrapServers}
            """);
        ((Kpipe.Sinks.Kafka.KafkaSinkOptions)pipeline.Sinks[0]).KeyField = "id";
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 10).Select(i => new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes(i == 4 ? "{\"n\":4}" : $"{{\"id\":\"d{i}\"}}"),
        }));

        var run = PipelineHarness.Start(pipeline);
        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("dead-letter topic dlq could not be written: TopicAuthorizationFailed", failure.Message);
        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "dlq-refused", "in").Values.Sum();
        Assert.True(committed <= 4, $"committed {committed}: past the record whose dead letter was refused");
    }
}
