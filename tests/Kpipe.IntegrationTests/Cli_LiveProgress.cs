using Kpipe.Cli;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Cli_LiveProgress
{
    /// <summary>--progress live forces the view where auto would not (stderr is a pipe here): it is redrawn in
    /// place with ANSI, replaces the periodic progress line, and log lines still come through above it.</summary>
    [Fact]
    public async Task The_live_view_is_redrawn_in_place_with_the_counts_instead_of_the_progress_line()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("out", 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(200));
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-live-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: live
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
            engine:
              statsInterval: 1s
            """);
        try
        {
            using var kpipe = KpipeProcess.Start("run", file, "--progress", "live");
            await kpipe.WaitForStderrAsync("  in 200 (", TimeSpan.FromSeconds(60));
            await kpipe.WaitForStderrAsync("written 200 (", TimeSpan.FromSeconds(60));
            await kpipe.WaitForStderrAsync("  kafka-0: last produce ", TimeSpan.FromSeconds(60));
            kpipe.Terminate();
            Assert.Equal(ExitCodes.Ok, await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60)));

            var stderr = kpipe.Stderr;
            Assert.Contains("\nlive  running  ", stderr);
            // Redrawn in place: up over the view's lines, erase, draw again.
            Assert.Matches("\u001b\\[\\d+F\u001b\\[J", stderr);
            // The view replaces the periodic line even with statsInterval set...
            Assert.DoesNotContain("Pipeline live: in=", stderr);
            // ...and the log keeps its lines, the stop line with the final counts among them.
            Assert.Contains("Pipeline live stopped: in=200 written=200", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
