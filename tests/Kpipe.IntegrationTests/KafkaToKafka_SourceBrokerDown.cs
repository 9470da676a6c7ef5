using System.Globalization;
using Kpipe.TestKit.Kafka;
using Xunit.Abstractions;

namespace Kpipe.IntegrationTests;

/// <summary>
/// The source cluster's only broker gone mid-run while a producer keeps writing (issue #11, "the broker gone for
/// 30 s"): the pipeline neither crashes nor gives up, resumes when the broker is back, and every record reaches the
/// sink, at least once.
/// </summary>
public sealed class KafkaToKafka_SourceBrokerDown(ITestOutputHelper output)
{
    private const int Records = 6_000;
    private const int Chunk = 200;

    /// <summary>
    /// How long the broker stays down: 10 s in the suite, longer than the harness's 6 s session timeout, so the
    /// outage also costs the pipeline its group membership (its partitions are lost and assigned again).
    /// KPIPE_TEST_BROKER_OUTAGE=30 runs it with the 30 s.
    /// </summary>
    private static TimeSpan Outage =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("KPIPE_TEST_BROKER_OUTAGE"), CultureInfo.InvariantCulture, out var s) ? s : 10);

    [Fact]
    public async Task A_source_broker_gone_mid_run_is_waited_out_and_every_record_arrives()
    {
        using var source = EmbeddedKafka.Start();
        using var sink = EmbeddedKafka.Start();
        source.CreateTopic("in", 4);
        sink.CreateTopic("out", 4);
        var run = PipelineHarness.Start(PipelineHarness.KafkaToKafka(source.BootstrapServers, sink.BootstrapServers, "in", "out", "source-outage"));

        // A producer writing steadily, chunk by chunk: the chunk it is on when the broker goes waits for it (as any
        // producer's would), so records are written before, during and after the outage.
        var producing = Task.Run(async () =>
        {
            for (var start = 0; start < Records; start += Chunk)
                await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(Chunk, start));
        });
        await PipelineHarness.WaitForCount(sink.BootstrapServers, "out", 1_000, TimeSpan.FromSeconds(60));
        Assert.True(PipelineHarness.Count(sink.BootstrapServers, "out") >= 1_000, "the pipeline never got going");

        source.SetBrokerDown(1);
        // The fault itself, not a wait for an outcome: the broker is away for this long.
        await Task.Delay(Outage);
        Assert.False(run.Task.IsCompleted, $"the pipeline stopped during the outage: {run.Task.Exception?.GetBaseException().Message}");
        Assert.False(producing.IsCompleted, "the producer finished before the outage: the outage was not mid-run");
        source.SetBrokerUp(1);

        await producing.WaitAsync(TimeSpan.FromSeconds(120));
        await PipelineHarness.WaitForCommitted(source.BootstrapServers, "source-outage", "in", Records, TimeSpan.FromSeconds(120));
        var metrics = await run.StopAsync();

        var written = KafkaTestClient.ReadAll(sink.BootstrapServers, "out", TimeSpan.FromSeconds(30))
            .Select(r => PipelineHarness.Text(r.Message.Value)).ToList();
        var expected = PipelineHarness.Numbered(Records).Select(m => PipelineHarness.Text(m.Value)).ToHashSet();
        Assert.Equal(expected, written.ToHashSet());
        Assert.Equal(Records, KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "source-outage", "in").Values.Sum());
        // At least once: records in flight when the group was lost may be written twice, never dropped.
        Assert.True(written.Count >= Records);
        output.WriteLine($"outage {Outage.TotalSeconds:0}s: {written.Count} messages written for {Records} records ({written.Count - Records} again); " +
            $"{metrics.RecordsWritten} written by the last run's count");
    }
}
