using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Kpipe.Cli;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_JsonLogs
{
    [Fact]
    public async Task Log_format_json_writes_a_json_object_per_line_with_a_rejected_records_pipeline_topic_partition_and_offset()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(5));
        // At offset 5: n is no number, so the select rejects it.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in",
            [new Message<byte[]?, byte[]?> { Key = "bad"u8.ToArray(), Value = Encoding.UTF8.GetBytes("{\"n\":\"x\"}") }]);
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-json-logs-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: json-logs
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            transforms:
              - type: select
                columns:
                  - name: n
                    type: long
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
            errors:
              policy: skip
            """);
        try
        {
            using var kpipe = KpipeProcess.Start("run", file, "--log-format", "json");
            await kpipe.WaitForStderrAsync("skipped record", TimeSpan.FromSeconds(60));
            kpipe.Terminate();
            Assert.Equal(ExitCodes.Ok, await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60)));

            // The logger's lines are JSON objects; the signal notice is the one plain line (docs/operations.md).
            var lines = kpipe.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("kpipe: SIGTERM received", StringComparison.Ordinal)).ToList();
            var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.All(entries, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _)));

            var skipped = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.Contains("skipped record", StringComparison.Ordinal));
            Assert.Equal("Warning", skipped.GetProperty("LogLevel").GetString());
            var state = skipped.GetProperty("State");
            Assert.Equal("json-logs", state.GetProperty("Pipeline").GetString());
            Assert.Equal("in", state.GetProperty("Topic").GetString());
            Assert.Equal(0, state.GetProperty("Partition").GetInt32());
            Assert.Equal(5, state.GetProperty("Offset").GetInt64());
            Assert.Equal("transforms[0].select", state.GetProperty("Stage").GetString());
            // The pipeline's run is a scope: every line it logs names it, whatever its message says.
            Assert.Contains(skipped.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("Pipeline", out var p) && p.GetString() == "json-logs");

            // The stop line counts what was processed; its pipeline is a field too.
            var stopped = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.StartsWith("Pipeline json-logs stopped", StringComparison.Ordinal));
            Assert.Equal("json-logs", stopped.GetProperty("State").GetProperty("Pipeline").GetString());
            Assert.Contains("in=6 written=5 filtered=0 skipped=1", stopped.GetProperty("Message").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
