using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToKafka_RestartResumes
{
    [Fact]
    public async Task A_second_run_continues_from_the_committed_offsets_and_nothing_is_lost()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 4);
        kafka.CreateTopic("out", 4);
        var options = PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "restart");

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(5_000));
        var first = PipelineHarness.Start(options);
        await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 5_000, TimeSpan.FromSeconds(60));
        var firstMetrics = await first.StopAsync();
        var committedAfterFirst = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "restart", "in");
        Assert.Equal(5_000, committedAfterFirst.Values.Sum());

        // Records produced while the pipeline is down are picked up by the next run, from the committed offsets.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(3_000, start: 5_000));
        var second = PipelineHarness.Start(options);
        await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 8_000, TimeSpan.FromSeconds(60));
        var secondMetrics = await second.StopAsync();

        Assert.Equal(5_000, firstMetrics.RecordsWritten);
        Assert.Equal(3_000, secondMetrics.RecordsIn);
        var copied = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30), 8_000);
        var values = copied.Select(r => PipelineHarness.Text(r.Message.Value)).ToList();
        Assert.Equal(8_000, values.Count);
        Assert.Equal(8_000, values.Distinct().Count());
        Assert.Equal(8_000, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "restart", "in").Values.Sum());
    }
}
