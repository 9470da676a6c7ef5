using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToKafka_SinkBrokerDown
{
    [Fact]
    public async Task The_pipeline_waits_while_the_sink_broker_is_down_and_resumes_without_loss()
    {
        using var source = EmbeddedKafka.Start();
        using var sink = EmbeddedKafka.Start();
        source.CreateTopic("in", 4);
        sink.CreateTopic("out", 4);
        var run = PipelineHarness.Start(PipelineHarness.KafkaToKafka(source.BootstrapServers, sink.BootstrapServers, "in", "out", "outage"));

        await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(2_000));
        await PipelineHarness.WaitForCount(sink.BootstrapServers, "out", 2_000, TimeSpan.FromSeconds(60));
        var committedBefore = KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "outage", "in").Values.Sum();

        sink.SetBrokerDown(1);
        await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(3_000, start: 2_000));
        await Task.Delay(TimeSpan.FromSeconds(4));
        // While the sink is down nothing past the outage can be committed.
        var committedDuring = KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "outage", "in").Values.Sum();
        Assert.True(committedDuring <= 2_000, $"committed {committedDuring} while the sink was down");
        Assert.False(run.Task.IsCompleted, "the pipeline gave up while the sink broker was down");
        sink.SetBrokerUp(1);

        await PipelineHarness.WaitForCount(sink.BootstrapServers, "out", 5_000, TimeSpan.FromSeconds(90));
        var metrics = await run.StopAsync();
        var values = KafkaTestClient.ReadAll(sink.BootstrapServers, "out", TimeSpan.FromSeconds(30), 5_000)
            .Select(r => PipelineHarness.Text(r.Message.Value)).ToHashSet();
        Assert.Equal(5_000, values.Count);
        Assert.Equal(5_000, metrics.RecordsWritten);
        Assert.True(committedBefore >= 0);
        Assert.Equal(5_000, KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "outage", "in").Values.Sum());
    }
}
