using Xunit.Abstractions;

namespace Kpipe.IntegrationTests;

/// <summary>Runs only when KPIPE_CRASH_LONG is set: the crash harness's long form (docs/guarantees.md).</summary>
internal sealed class LongCrashFactAttribute : FactAttribute
{
    public LongCrashFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KPIPE_CRASH_LONG")))
            Skip = "set KPIPE_CRASH_LONG=1 to run the long crash harness (200,000 records, 20 SIGKILLs; minutes)";
    }
}

/// <summary>
/// Kafka -> Doris with <c>exactlyOnce</c> (issue #12): a Duplicate Key table, which keeps every copy of a row, ends
/// with exactly the input after kpipe is SIGKILLed at random moments and restarted while records keep arriving.
/// </summary>
public sealed class KafkaToDoris_ExactlyOnceCrashes(ITestOutputHelper output)
{
    [Fact]
    public Task A_Duplicate_Key_table_holds_exactly_the_input_after_5_SIGKILLs_at_random_moments_and_restarts() =>
        RunAsync(kills: 5, max: 200_000, chunk: 150, partitions: 4);

    /// <summary>The long form: <c>KPIPE_CRASH_LONG=1 dotnet test tests/Kpipe.IntegrationTests --filter
    /// FullyQualifiedName~ExactlyOnceCrashes.Long</c>.</summary>
    [LongCrashFact]
    public Task Long_form_200_000_records_and_20_SIGKILLs() =>
        RunAsync(kills: 20, max: 200_000, chunk: 250, partitions: 8, fill: true);

    /// <param name="kills">SIGKILLs.</param>
    /// <param name="max">Most records produced.</param>
    /// <param name="chunk">Records produced every 100 ms while the kills go on.</param>
    /// <param name="partitions">Partitions of the source topic.</param>
    /// <param name="fill">Produce up to <paramref name="max"/> records whatever the kills take.</param>
    private async Task RunAsync(int kills, int max, int chunk, int partitions, bool fill = false)
    {
        await using var harness = await DorisCrashHarness.StartAsync("crash", partitions);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var killing = new CancellationTokenSource();
        // Records keep arriving while instances are killed and restarted.
        var producing = harness.ProduceWhileAsync(chunk, TimeSpan.FromMilliseconds(100), max, fill ? CancellationToken.None : killing.Token);
        var moments = new List<string>();
        var arriving = 0;
        for (var kill = 0; kill < kills; kill++)
        {
            using var instance = harness.StartInstance();
            await instance.WaitForStderrAsync("assigned", TimeSpan.FromSeconds(60));
            if (!producing.IsCompleted) arriving++;
            moments.Add(await harness.KillAtRandomAsync(instance, random));
        }
        await killing.CancelAsync();
        await producing;
        await harness.FinishAsync(TimeSpan.FromSeconds(fill ? 600 : 120));

        var result = harness.Check();
        output.WriteLine($"seed {seed}: {kills} SIGKILLs, {arriving} of them while records were still arriving ({string.Join("; ", moments)}); "
            + $"{result}; {harness.Recoveries()}");
        Assert.True(result.Exact, $"random seed {seed}: {result}; kills: {string.Join("; ", moments)}");
    }
}
