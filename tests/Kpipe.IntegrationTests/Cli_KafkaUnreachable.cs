namespace Kpipe.IntegrationTests;

/// <summary>
/// `kpipe run` against a source cluster that never answers: one summary naming the bootstrap servers and the
/// reason, a few deduplicated librdkafka lines instead of dozens a second, then a stop with exit 1 after
/// source.unreachableTimeout. Secrets in the client settings never appear.
/// </summary>
public sealed class Cli_KafkaUnreachable
{
    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static TheoryData<string, string> Clusters => new()
    {
        { $"127.0.0.1:{ClosedPort()}", "Connection refused" },
        { "kpipe-no-such-host.invalid:9092", "Failed to resolve" },
    };

    [Theory]
    [MemberData(nameof(Clusters))]
    public async Task The_pipeline_says_what_is_wrong_and_stops_after_the_timeout(string servers, string reason)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("kpipe-unreachable-").FullName, "unreachable.yaml");
        File.WriteAllText(file, $"""
            name: unreachable
            source:
              bootstrapServers: {servers}
              topics: [in]
              unreachableTimeout: 3s
              properties:
                security.protocol: SASL_PLAINTEXT
                sasl.mechanism: PLAIN
                sasl.username: kpipe
                sasl.password: hunter2-secret
            sinks:
              - type: console
            """);
        using var kpipe = KpipeProcess.Start("run", file);
        var exit = await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stderr = kpipe.Stderr;

        Assert.Equal(1, exit);
        Assert.Contains($"cannot reach the source Kafka cluster at {servers}: ", stderr);
        Assert.Single(stderr.Split('\n'), l => l.Contains("cannot reach the source Kafka cluster", StringComparison.Ordinal));
        var error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith($"error: pipeline unreachable failed: no broker of the source Kafka cluster at {servers} answered within 3s (source.unreachableTimeout): ", error);
        Assert.Contains(reason, error);
        // Each distinct complaint once (the same one comes back only after 30 s), not one per attempt.
        var warnings = stderr.Split('\n').Where(l => l.Contains(" warn: ", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count <= 6, string.Join("\n", warnings));
        Assert.DoesNotContain("hunter2-secret", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
