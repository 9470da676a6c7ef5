using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

// startFrom: <instant> is covered by tests/Kpipe.Tests/Sources/Kafka/StartPositionsTests.cs: the mock cluster
// answers every ListOffsets-by-timestamp with "end", so it cannot show the feature end to end (docs/testing.md).
public sealed class KafkaToKafka_StartFrom
{
    [Fact]
    public async Task Latest_skips_what_was_there_before_the_group_existed()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(100));
        var options = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "from-latest");
        options.Source.StartFrom = "latest";

        var run = PipelineHarness.Start(options);
        // Produce until the group has its assignment and copies: only records after the start can arrive.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var next = 100;
        while (PipelineHarness.Count(kafka.BootstrapServers, "out") == 0 && DateTime.UtcNow < deadline)
        {
            await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(10, start: next));
            next += 10;
            await Task.Delay(300);
        }
        await run.StopAsync();

        var copied = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(20));
        Assert.NotEmpty(copied);
        Assert.All(copied, r => Assert.True(r.Message.Timestamp.UnixTimestampMs - 1_721_383_200_000L >= 100, "a record from before the start was copied"));
    }
}
