using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Kpipe.TestKit.Kafka;

namespace Kpipe.Benchmarks.Compare;

/// <summary>
/// <c>compare</c>: kpipe against baselines in one run, each contender a separate process on the same embedded
/// Kafka and counting Stream Load endpoint (both in this process). Work items: (a) Kafka -> Kafka against a
/// kcat pipe and kcat's consume-then-produce floor, (b) seed pipeline 3 -> Doris and (c) Debezium CDC -> Doris
/// against Python scripts with confluent-kafka, (d) end-to-end latency at a steady rate, (e) start-up and idle CPU.
/// Every wait is for a condition, bounded by <see cref="CompareOptions.Timeout"/>, and says what was missing.
/// </summary>
public static partial class CompareRun
{
    public const string KafkaToKafka = "(a) Kafka -> Kafka";
    public const string Seed3 = "(b) seed 3 -> Doris";
    public const string Cdc = "(c) CDC -> Doris";
    public const string Kpipe = "kpipe";
    public const string KcatPipe = "kcat -C | kcat -P";
    public const string KcatFloor = "kcat floor (consume to file, then produce it)";
    public const string Python = "python + confluent-kafka";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task<CompareResult> RunAsync(CompareOptions o)
    {
        var repo = o.RepoRoot ?? FindRepo();
        var outDir = Path.GetFullPath(o.OutDir);
        var work = Path.Combine(outDir, "work");
        Directory.CreateDirectory(work);
        var dll = o.KpipeDll ?? BuildKpipe(repo, o);
        var result = new CompareResult { LoadAverageAtStart = LoadAverage() };
        var kcat = o.Baselines && Tool(o.Kcat, ["-V"]) && Tool("/usr/bin/time", ["-f", "%U", "true"]);
        var python = o.Baselines && Tool(o.Python, ["-c", "import confluent_kafka"]);
        if (!o.Baselines) result.Notes.Add("--kpipe-only: no baseline was run, so no ratio is reported");
        if (!kcat && o.Baselines) result.Notes.Add($"kcat (or GNU time) not found: kcat baselines skipped. Install: apt-get install -y kcat time");
        if (!python && o.Baselines) result.Notes.Add($"{o.Python} cannot import confluent_kafka: Python baselines skipped. Install: apt-get install -y python3-confluent-kafka");

        await using var doris = await CountingStreamLoad.StartAsync();
        var run = new Runner(o, repo, dll, work, doris, result);
        if (o.Items.Contains('a', StringComparison.Ordinal)) await run.KafkaToKafkaAsync(kcat);
        if (o.Items.Contains('b', StringComparison.Ordinal)) await run.Seed3Async(python);
        if (o.Items.Contains('c', StringComparison.Ordinal)) await run.CdcAsync(python);
        if (o.StartupAndIdle) await run.StartupAndIdleAsync();
        if (o.Latency) await run.LatencyAsync();
        ReportWriter.Write(result, o, outDir);
        o.Log($"report: {Path.Combine(outDir, "report.md")}");
        return result;
    }

    internal static string FindRepo()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Kpipe.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Kpipe.sln not found above the current directory: run from the repository");
    }

    private static string BuildKpipe(string repo, CompareOptions o)
    {
        o.Log("building src/Kpipe.Cli (Release)");
        using var build = ChildProcess.Start("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q", Path.Combine(repo, "src", "Kpipe.Cli")]);
        if (build.WaitForExit(TimeSpan.FromMinutes(5), "dotnet build") != 0)
            throw new InvalidOperationException($"building kpipe failed:\n{ChildProcess.Tail(build.Stdout)}");
        var dll = Path.Combine(repo, "src", "Kpipe.Cli", "bin", "Release", "net10.0", "kpipe.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("kpipe.dll not found after the build", dll);
    }

    private static bool Tool(string file, string[] args)
    {
        try
        {
            using var p = ChildProcess.Start(file, args);
            return p.WaitForExit(TimeSpan.FromSeconds(30), file) == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="done"/> until true; throws with <paramref name="missing"/> when the time is up.</summary>
    internal static void WaitUntil(Func<bool> done, TimeSpan timeout, Func<string> missing, ChildProcess? process = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!done())
        {
            if (process is { HasExited: true } && !done())
                throw new InvalidOperationException($"{missing()}; the process exited with {process.ExitCode}:\n{ChildProcess.Tail(process.Stderr)}");
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"after {timeout.TotalSeconds:0}s: {missing()}" + (process == null ? "" : $"\nstderr:\n{ChildProcess.Tail(process.Stderr)}"));
            Thread.Sleep(Poll);
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages, or null off Linux.</summary>
    internal static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }

    internal static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    [GeneratedRegex(@"kpipe-bench-stats allocated_bytes=(\d+)")]
    private static partial Regex AllocatedLine();

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) .*: assigned ")]
    private static partial Regex AssignedLine();

    internal static double? Allocated(ChildProcess p)
    {
        var m = AllocatedLine().Match(p.Stderr);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>When kpipe logged its first partition assignment: the log's own timestamp, else when the line arrived.</summary>
    internal static DateTime? Assigned(ChildProcess p)
    {
        foreach (var (at, line) in p.StderrLines)
        {
            if (!line.Contains(": assigned ", StringComparison.Ordinal)) continue;
            var m = AssignedLine().Match(line);
            return m.Success ? DateTime.ParseExact(m.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : at;
        }
        return null;
    }

    internal static EmbeddedKafka StartKafka(params string[] topics)
    {
        var kafka = EmbeddedKafka.Start();
        foreach (var t in topics) kafka.CreateTopic(t, Workloads.Partitions);
        return kafka;
    }
}
