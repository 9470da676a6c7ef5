using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToKafka_Transformed
{
    [Fact]
    public async Task Exploded_filtered_rows_arrive_as_json_messages_keyed_by_a_column()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("lists", 2);
        kafka.CreateTopic("readings", 2);
        var pipeline = PipelineLoader.Parse($"""
            name: transformed
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [lists]
            transforms:
              - type: select
                explode: payload
                columns:
                  - name: id
                    path: device_id
                  - name: battery_voltage
                    type: double
                  - name: timestamp
                    type: timestamp
              - type: filter
                where: battery_voltage >= 12
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: readings
                keyField: id
            engine:
              statsInterval: 0s
            """, "transformed.yaml");
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "lists",
        [
            new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("""{"payload":[{"device_id":"A","battery_voltage":"12.5","timestamp":1721383200000},{"device_id":"B","battery_voltage":"3.1","timestamp":1721383200000}]}""") },
            new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("""{"payload":[]}""") },
            new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("""{"payload":[{"device_id":"C","battery_voltage":14,"timestamp":"2024-07-19T12:00:00+02:00"}]}""") },
        ]);
        var run = PipelineHarness.Start(pipeline);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-transformed", "lists", 3, TimeSpan.FromSeconds(60));
        var metrics = await run.StopAsync();

        var messages = KafkaTestClient.ReadAll(kafka.BootstrapServers, "readings", TimeSpan.FromSeconds(20))
            .ToDictionary(r => PipelineHarness.Text(r.Message.Key), r => PipelineHarness.Text(r.Message.Value));
        Assert.Equal(new Dictionary<string, string>
        {
            ["A"] = """{"id":"A","battery_voltage":12.5,"timestamp":"2024-07-19T10:00:00Z"}""",
            ["C"] = """{"id":"C","battery_voltage":14,"timestamp":"2024-07-19T10:00:00Z"}""",
        }, messages);
        // The empty payload gave no row: counted as filtered, and its offset committed with the others.
        Assert.Equal((3, 2, 1, 0), (metrics.RecordsIn, metrics.RecordsWritten, metrics.RecordsFiltered, metrics.RecordsSkipped));
    }
}
