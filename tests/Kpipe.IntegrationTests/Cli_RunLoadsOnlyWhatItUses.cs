using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// `kpipe run` must not carry the test kit (embedded Kafka, Doris emulator) or ASP.NET Core into a production
/// process: the package holds them for `kpipe demo`, and .NET loads an assembly only when code touches it, so a
/// stray reference from the run path would show here as a mapped file.
/// </summary>
public sealed class Cli_RunLoadsOnlyWhatItUses
{
    /// <remarks>With --http, and the status page and its JSON served once: they come from HttpListener, not
    /// Kestrel.</remarks>
    [Fact]
    public async Task A_running_pipeline_has_neither_the_test_kit_nor_aspnetcore_loaded()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        kafka.CreateTopic("out", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(100));
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-loads-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: loads
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
            """);
        try
        {
            var port = OperationsEndpoint.FreePort();
            using var kpipe = KpipeProcess.Start("run", file, "--http", $"127.0.0.1:{port}");
            await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 100, TimeSpan.FromSeconds(60));
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                Assert.Contains("<title>kpipe status</title>", await http.GetStringAsync($"http://127.0.0.1:{port}/"));
                Assert.Contains("\"name\":\"loads\"", await http.GetStringAsync($"http://127.0.0.1:{port}/status.json"));
            }
            var mapped = File.ReadAllLines($"/proc/{kpipe.Id}/maps").Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last())).ToHashSet();
            Assert.Contains("Kpipe.Core.dll", mapped);
            Assert.DoesNotContain("Kpipe.TestKit.dll", mapped);
            Assert.DoesNotContain(mapped, f => f.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            kpipe.Terminate();
            Assert.Equal(0, await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
