using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Operations_MetricsMatchTheSink
{
    [Fact]
    public async Task Scraped_counters_equal_what_the_sink_received_and_lag_falls_to_zero()
    {
        using var source = EmbeddedKafka.Start();
        using var sink = EmbeddedKafka.Start();
        source.CreateTopic("in", 3);
        sink.CreateTopic("out", 3);
        using var endpoint = new OperationsEndpoint();
        const string pipeline = "metrics-scrape";
        await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(3_000));
        var run = PipelineHarness.Start(PipelineHarness.KafkaToKafka(source.BootstrapServers, sink.BootstrapServers, "in", "out", pipeline));

        // During the run: the pipeline is published from its start.
        await OperationsEndpoint.WaitUntil(async () => (await endpoint.SamplesAsync("messaging_client_consumed_messages_total", pipeline)).Count > 0,
            TimeSpan.FromSeconds(60), async () => $"no consumed-messages series; /metrics:\n{(await endpoint.GetAsync("/metrics")).Body}");
        await PipelineHarness.WaitForCount(sink.BootstrapServers, "out", 3_000, TimeSpan.FromSeconds(60));
        await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(2_000, start: 3_000));
        await PipelineHarness.WaitForCount(sink.BootstrapServers, "out", 5_000, TimeSpan.FromSeconds(60));

        // Lag is read from librdkafka's statistics once a second, after the commits: wait for every partition at 0.
        await OperationsEndpoint.WaitUntil(async () =>
            {
                var lags = await endpoint.SamplesAsync("kpipe_source_lag", pipeline);
                return lags.Count == 3 && lags.All(l => l.Value == 0);
            }, TimeSpan.FromSeconds(60),
            async () => $"lag did not fall to 0 on 3 partitions; /metrics:\n{(await endpoint.GetAsync("/metrics")).Body}");

        var received = PipelineHarness.Count(sink.BootstrapServers, "out");
        Assert.Equal(5_000, received);
        Assert.Equal(received, await endpoint.SumAsync("messaging_client_consumed_messages_total", pipeline));
        Assert.Equal(received, await endpoint.SumAsync("kpipe_records_written_total", pipeline));
        Assert.Equal(received, await endpoint.SumAsync("messaging_client_sent_messages_total", pipeline));
        Assert.Equal(0, await endpoint.SumAsync("kpipe_records_filtered_total", pipeline));
        Assert.Equal(0, await endpoint.SumAsync("kpipe_records_skipped_total", pipeline));
        Assert.Equal(0, await endpoint.SumAsync("kpipe_records_dead_lettered_total", pipeline));
        var perPartition = await endpoint.SamplesAsync("messaging_client_consumed_messages_total", pipeline);
        Assert.Equal(new[] { "0", "1", "2" }, perPartition.Select(s => s.Labels["messaging_destination_partition_id"]).Order());
        Assert.All(perPartition, s => Assert.Equal("in", s.Labels["messaging_destination_name"]));
        Assert.All(perPartition, s => Assert.Equal(pipeline, s.Labels["messaging_consumer_group_name"]));
        Assert.Equal(200, (int)(await endpoint.GetAsync("/readyz")).Status);
        Assert.Equal(200, (int)(await endpoint.GetAsync("/healthz")).Status);

        var metrics = await run.StopAsync();
        Assert.Equal(received, metrics.RecordsWritten);
    }
}
