using Xunit.Abstractions;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Kafka -> Doris with <c>exactlyOnce</c> across a rebalance (issue #12): a second instance joins while loads run,
/// then the first is SIGKILLed while a precommitted load's answer is held back, and its partitions move to the
/// second. The batches the second cuts differ from the first's, yet the Duplicate Key table ends exact.
/// </summary>
public sealed class KafkaToDoris_ExactlyOnceRebalance(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_instance_joins_mid_load_then_the_first_is_killed_and_the_table_holds_exactly_the_input()
    {
        await using var harness = await DorisCrashHarness.StartAsync("rebalance", partitions: 4);
        using var producing = new CancellationTokenSource();
        var production = harness.ProduceWhileAsync(150, TimeSpan.FromMilliseconds(100), 100_000, producing.Token);
        using var first = harness.StartInstance();
        await first.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
        await WaitForRowsAsync(harness, 1);

        // The second joins while the first is loading: the first hands over half of its partitions (revoked after
        // its last commit), the second resumes them from the committed offsets and their metadata.
        using var second = harness.StartInstance();
        await second.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
        await first.WaitForStderrAsync("revoked", TimeSpan.FromSeconds(60));
        var before = harness.Doris.Rows("shop", DorisCrashHarness.Table).Count;
        await WaitForRowsAsync(harness, before + 1);

        // Then the first dies while Doris holds back the answer to one of its precommitted loads.
        var moment = await harness.KillWhileAnswerHeldBackAsync(first);
        await producing.CancelAsync();
        await production;

        // The second takes the first's partitions once its session times out, and finishes everything.
        await harness.WaitForCommittedAsync(TimeSpan.FromSeconds(120));
        second.Terminate();
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"exit code {exit}; stderr:\n{second.Stderr}");

        var result = harness.Check();
        output.WriteLine($"first killed {moment}; {result}; {harness.Recoveries()}");
        Assert.True(result.Exact, $"{result}; first killed {moment}");
    }

    private static async Task WaitForRowsAsync(DorisCrashHarness harness, int rows)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (harness.Doris.Rows("shop", DorisCrashHarness.Table).Count < rows)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"fewer than {rows} rows loaded within a minute");
            await Task.Delay(50);
        }
    }
}
