using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToDoris_StopWhileDorisHangs
{
    [Fact]
    public async Task A_stop_while_the_sink_waits_for_buffer_space_behind_a_hanging_doris_ends_within_the_shutdown_timeout()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = ["CREATE TABLE shop.items (id BIGINT NOT NULL, name VARCHAR(2000)) DUPLICATE KEY(id)"],
        });
        // Every load hangs far longer than the test: only the shutdown bound can end the run.
        doris.Faults.NextLoadsStall(1_000, TimeSpan.FromMinutes(30));
        var pipeline = PipelineLoader.Parse($"""
            name: hang
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
              maxRecordsPerBatch: 100
            sinks:
              - type: doris
                feNodes: [{doris.FeUrl}]
                table: shop.items
                user: {doris.User}
                password: "{doris.Password}"
                maxBytes: 64KiB
                maxBufferedBytes: 256KiB
                maxLoadsInFlight: 1
                requestTimeout: 30m
            engine:
              statsInterval: 0s
              shutdownTimeout: 3s
            """, "hang.yaml");
        var name = new string('x', 1_500);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 2_000).Select(i => new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"{{name}}"}"""),
        }));

        var run = PipelineHarness.Start(pipeline);
        // The sink is full once a load is stuck in Doris and the buffers behind it hold their bound.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (doris.Faults.Pending == 1_000 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(doris.Faults.Pending < 1_000, "no load reached Doris");

        var metrics = await run.StopAsync();

        Assert.Equal(0, metrics.RecordsWritten);
        Assert.Empty(doris.Rows("shop", "items"));
        Assert.DoesNotContain(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-hang", "in"), o => o.Value > 0);
    }
}
