using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToKafka_TwoInstances
{
    [Fact]
    public async Task Two_instances_in_one_group_split_the_partitions_and_copy_everything()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 4);
        kafka.CreateTopic("out", 4);
        var options = () => PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "pair");

        var a = PipelineHarness.Start(options());
        var b = PipelineHarness.Start(options());
        // Produce while both run, so the rebalance that splits the partitions happens with data flowing.
        // Spread over a few seconds so the second member has joined while records still arrive.
        for (var round = 0; round < 20; round++)
        {
            await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(1_000, start: round * 1_000));
            await Task.Delay(300);
        }
        // Wait for the commits, not the sink's count: a rebalance may make a partition's new owner write a few
        // records again (at-least-once), so the sink can hold 20,000 messages before every record is in it.
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "pair", "in", 20_000, TimeSpan.FromSeconds(90));
        var metricsA = await a.StopAsync();
        var metricsB = await b.StopAsync();

        // Read up to the end, not up to 20,000 records: a rebalance may have written some twice (at-least-once).
        var values = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30))
            .Select(r => PipelineHarness.Text(r.Message.Value)).ToHashSet();
        var expected = PipelineHarness.Numbered(20_000).Select(m => PipelineHarness.Text(m.Value)).ToHashSet();
        Assert.True(expected.SetEquals(values), $"sink holds {values.Count} distinct of {expected.Count} expected values");
        // Both members did work: the group split the partitions between them.
        Assert.True(metricsA.RecordsWritten > 0, $"instance A wrote nothing ({metricsA})");
        Assert.True(metricsB.RecordsWritten > 0, $"instance B wrote nothing ({metricsB})");
        Assert.True(metricsA.RecordsWritten + metricsB.RecordsWritten >= 20_000);
        Assert.Equal(20_000, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "pair", "in").Values.Sum());
    }
}
