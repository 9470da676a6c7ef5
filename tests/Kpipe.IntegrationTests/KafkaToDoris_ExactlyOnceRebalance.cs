using Xunit.Abstractions;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Kafka -> Doris with <c>exactlyOnce</c> across rebalances (issue #12): while records keep arriving and loads run,
/// instances join (1 -> 3), one leaves with SIGTERM (3 -> 2), then the first is SIGKILLed while Doris holds back the
/// answer to a load it precommitted, and its partitions move to the last one (2 -> 1). Each owner cuts its loads
/// differently from the last, yet the Duplicate Key table ends with exactly the input.
/// </summary>
public sealed class KafkaToDoris_ExactlyOnceRebalance(ITestOutputHelper output)
{
    [Fact]
    public async Task Instances_join_and_leave_mid_load_then_the_first_is_killed_and_the_table_holds_exactly_the_input()
    {
        await using var harness = await DorisCrashHarness.StartAsync("rebalance", partitions: 6);
        using var producing = new CancellationTokenSource();
        var production = harness.ProduceWhileAsync(150, TimeSpan.FromMilliseconds(100), 100_000, producing.Token);
        using var first = harness.StartInstance();
        await first.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
        await WaitForMoreRowsAsync(harness);

        // Two join while the first is loading: it hands partitions over (revoked after their last commit), and the
        // newcomers resume them from the committed offsets and their metadata.
        using var second = harness.StartInstance();
        using var third = harness.StartInstance();
        await second.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
        await third.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
        await first.WaitForStderrAsync("revoked", TimeSpan.FromSeconds(60));
        await WaitForMoreRowsAsync(harness);

        // One leaves cleanly (its partitions drained, committed and made visible), mid-stream.
        third.Terminate();
        var thirdExit = await third.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(thirdExit == 0, $"exit code {thirdExit}; stderr:\n{third.Stderr}");
        await WaitForMoreRowsAsync(harness);

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

    /// <summary>Waits until more rows are visible than now: loads are running.</summary>
    private static async Task WaitForMoreRowsAsync(DorisCrashHarness harness)
    {
        var rows = harness.Doris.Rows("shop", DorisCrashHarness.Table).Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (harness.Doris.Rows("shop", DorisCrashHarness.Table).Count <= rows)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no row loaded beyond {rows} within a minute");
            await Task.Delay(50);
        }
    }
}
