using Kpipe.Benchmarks.Compare;

namespace Kpipe.IntegrationTests;

/// <summary>The compare bench (bench/Kpipe.Benchmarks, `compare`) still runs end to end: a tiny input, no latency
/// or idle phase, every contender present or skipped with a reason. No timing is asserted.</summary>
public sealed class Bench_Compare
{
    private const int Messages = 2_000;

    [Fact]
    public async Task The_compare_bench_reports_every_contender_with_every_record()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"kpipe-bench-{Guid.NewGuid():N}");
        try
        {
            var result = await CompareRun.RunAsync(new CompareOptions
            {
                Messages = Messages,
                OutDir = outDir,
                // kpipe.dll is copied next to the tests because the test project references the CLI project.
                KpipeDll = Path.Combine(AppContext.BaseDirectory, "kpipe.dll"),
                Latency = false,
                StartupAndIdle = false,
                Timeout = TimeSpan.FromSeconds(45),
                Log = _ => { },
            });

            var report = await File.ReadAllTextAsync(Path.Combine(outDir, "report.md"));
            var expected = new (string Item, string Contender, long Records)[]
            {
                (CompareRun.KafkaToKafka, CompareRun.Kpipe, Messages),
                (CompareRun.KafkaToKafka, CompareRun.KcatPipe, Messages),
                (CompareRun.KafkaToKafka, CompareRun.KcatFloor, Messages),
                (CompareRun.Seed3, CompareRun.Kpipe, 3 * Messages),
                (CompareRun.Seed3, CompareRun.Python, 3 * Messages),
                (CompareRun.Cdc, CompareRun.Kpipe, Messages),
                (CompareRun.Cdc, CompareRun.Python, Messages),
            };
            foreach (var (item, contender, records) in expected)
            {
                var m = result.Find(item, contender);
                if (m == null)
                {
                    // Only a baseline may be missing, and only with its reason in the report.
                    Assert.NotEqual(CompareRun.Kpipe, contender);
                    var skipped = Assert.Single(result.Skipped, s => s.WorkItem == item && s.Contender == contender);
                    Assert.Contains($"skipped: {skipped.Reason}", report);
                    continue;
                }
                Assert.Equal(Messages, m.Messages);
                Assert.Equal(records, m.Records);
                Assert.Contains($"| {contender.Replace("|", "\\|")} | {Messages:N0} | {records:N0} |", report);
            }
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_CDC_item_runs_with_exactly_once_into_the_counting_endpoint()
    {
        // The endpoint counts a precommitted load only when the sink commits it through _stream_load_2pc: every row
        // counted means the two-phase commit went through end to end.
        var outDir = Path.Combine(Path.GetTempPath(), $"kpipe-bench-{Guid.NewGuid():N}");
        try
        {
            var options = new CompareOptions
            {
                Messages = Messages,
                OutDir = outDir,
                KpipeDll = Path.Combine(AppContext.BaseDirectory, "kpipe.dll"),
                Items = "c",
                Baselines = false,
                Latency = false,
                StartupAndIdle = false,
                Timeout = TimeSpan.FromSeconds(45),
                Log = _ => { },
            };
            options.KpipeEnvironment["DORIS_EXACTLY_ONCE"] = "true";
            var result = await CompareRun.RunAsync(options);
            var m = result.Find(CompareRun.Cdc, CompareRun.Kpipe);
            Assert.NotNull(m);
            Assert.Equal(Messages, m.Records);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }
}
