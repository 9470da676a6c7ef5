using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// `kpipe run` with a Kafka sink whose cluster never answers: like an unreachable source, one summary naming the
/// bootstrap servers and the reason, then a stop with exit 1 after the sink's unreachableTimeout, whether records
/// are waiting for it or not. Nothing is committed, secrets never appear.
/// </summary>
public sealed class Cli_KafkaSinkUnreachable
{
    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static TheoryData<string, string, int> Clusters => new()
    {
        { $"127.0.0.1:{ClosedPort()}", "Connection refused", 500 },
        { "kpipe-no-such-host.invalid:9092", "Failed to resolve", 0 },
    };

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task The_pipeline_says_what_is_wrong_and_stops_after_the_timeout(string servers, string reason, int records)
    {
        using var source = EmbeddedKafka.Start();
        source.CreateTopic("in", 2);
        if (records > 0) await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(records));
        var file = Path.Combine(Directory.CreateTempSubdirectory("kpipe-sink-unreachable-").FullName, "sink-unreachable.yaml");
        File.WriteAllText(file, $"""
            name: sink-unreachable
            source:
              bootstrapServers: {source.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {servers}
                topic: out
                unreachableTimeout: 3s
                properties:
                  security.protocol: SASL_PLAINTEXT
                  sasl.mechanism: PLAIN
                  sasl.username: kpipe
                  sasl.password: hunter2-secret
            engine:
              commitInterval: 100ms
            """);
        using var kpipe = KpipeProcess.Start("run", file);
        var exit = await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stderr = kpipe.Stderr;

        Assert.Equal(1, exit);
        Assert.Single(stderr.Split('\n'), l => l.Contains($"Kafka sink kafka-0: cannot reach the sink Kafka cluster at {servers}: ", StringComparison.Ordinal));
        var error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith($"error: pipeline sink-unreachable failed: Kafka sink kafka-0: no broker of the sink Kafka cluster at {servers} " +
            "answered within 3s (sinks[kafka].unreachableTimeout): ", error);
        Assert.Contains(reason, error);
        Assert.DoesNotContain("hunter2-secret", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain(KafkaTestClient.GetCommittedOffsets(source.BootstrapServers, "kpipe-sink-unreachable", "in"), o => o.Value > 0);
    }
}
