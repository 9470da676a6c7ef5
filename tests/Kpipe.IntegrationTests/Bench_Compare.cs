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
}
