using System.Net;
using System.Net.Sockets;
using Kpipe.Cli;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_HttpEndpoints
{
    [Fact]
    public async Task Run_with_http_serves_metrics_and_readiness_and_logs_progress_from_the_metrics()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("out", 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(1_000));
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-http-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: cli-http
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
            engine:
              commitInterval: 100ms
              statsInterval: 1s
            """);
        var port = OperationsEndpoint.FreePort();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var kpipe = KpipeProcess.Start("run", file, "--http", $"127.0.0.1:{port}");
            await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", 1_000, TimeSpan.FromSeconds(60));
            await OperationsEndpoint.WaitUntil(async () =>
                {
                    try
                    {
                        using var ready = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
                        return ready.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(60), () => Task.FromResult($"/readyz never answered 200; stderr:\n{kpipe.Stderr}"));
            await OperationsEndpoint.WaitUntil(async () =>
                    (await http.GetStringAsync($"http://127.0.0.1:{port}/metrics")).Contains("kpipe_records_written_total{", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), () => Task.FromResult("no written counter on /metrics"));
            Assert.StartsWith("healthy\ncli-http: ready: ", await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"));
            // The periodic line reads the same counts, with rates and lag.
            await kpipe.WaitForStderrAsync("written=1000 (", TimeSpan.FromSeconds(30));
            await kpipe.WaitForStderrAsync("lag=", TimeSpan.FromSeconds(30));

            kpipe.Terminate();
            Assert.Equal(ExitCodes.Ok, await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_address_that_is_not_one_or_files_naming_two_exit_2_and_one_in_use_exits_1_before_anything_runs()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-http-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            name: cli-http-bad
            source:
              bootstrapServers: 127.0.0.1:1
              topics: [in]
            sinks:
              - type: console
            """);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            using (var bad = KpipeProcess.Start("run", file, "--http", "127.0.0.1:notaport"))
            {
                Assert.Equal(ExitCodes.InvalidConfig, await bad.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("--http '127.0.0.1:notaport'", bad.Stderr);
            }
            // One process serves one address: two files naming different ones are refused.
            var first = file + ".a.yaml";
            var second = file + ".b.yaml";
            var text = await File.ReadAllTextAsync(file);
            await File.WriteAllTextAsync(first, text.Replace("cli-http-bad", "cli-http-a") + "\nengine:\n  http: 127.0.0.1:19464\n");
            await File.WriteAllTextAsync(second, text.Replace("cli-http-bad", "cli-http-b") + "\nengine:\n  http: 127.0.0.1:19465\n");
            using (var conflicting = KpipeProcess.Start("run", first, second))
            {
                Assert.Equal(ExitCodes.InvalidConfig, await conflicting.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("different engine.http addresses (127.0.0.1:19464, 127.0.0.1:19465)", conflicting.Stderr);
            }
            File.Delete(first);
            File.Delete(second);
            using (var busy = KpipeProcess.Start("run", file, "--http", $"127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}"))
            {
                Assert.Equal(ExitCodes.PipelineFailed, await busy.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("cannot serve --http on 127.0.0.1:", busy.Stderr);
                Assert.DoesNotContain("started", busy.Stderr);
            }
        }
        finally
        {
            taken.Stop();
            File.Delete(file);
        }
    }
}
