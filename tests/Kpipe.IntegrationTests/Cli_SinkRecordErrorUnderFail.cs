using System.Text;
using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_SinkRecordErrorUnderFail
{
    [Fact]
    public async Task A_record_error_inside_the_kafka_sink_stops_the_run_with_exit_1_and_one_line_naming_stage_and_record()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, 10).Select(i => new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes(i == 6 ? "{\"other\":1}" : $"{{\"id\":\"d{i}\"}}"),
        }));
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-sinkfail-{Guid.NewGuid():N}.yaml");
        // A drain that waited for the failed batch would take the whole shutdownTimeout: make it longer than the test.
        await File.WriteAllTextAsync(file, $"""
            name: sinkfail
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
                keyField: id
            engine:
              shutdownTimeout: 10m
            """);
        try
        {
            using var run = KpipeProcess.Start("run", file);
            var exit = await run.WaitForExitAsync(TimeSpan.FromSeconds(90));

            Assert.True(exit == 1, $"exit code {exit}; stderr:\n{run.Stderr}");
            var line = Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("error:"));
            Assert.Contains("pipeline sinkfail failed: record in[0]@6 (sinks.kafka-0): key field 'id' is missing", line);
            var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-sinkfail", "in").GetValueOrDefault(0);
            Assert.True(committed <= 6, $"committed {committed}, past the bad record");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
