using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Kpipe.Benchmarks.Compare;

/// <summary>report.md (a table per work item, the tracked ratios, the machine and the command) and ratios.png.</summary>
internal static class ReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The ratios the project tracks: name, value, and what a value below 1 means.</summary>
    public static List<(string Name, double Value, string Meaning)> Ratios(CompareResult r)
    {
        var list = new List<(string, double, string)>();
        void Cpu(string item, string other, string name)
        {
            // GNU time counts in 10 ms steps: a tiny run's kcat may show 0 CPU, and no ratio can be made of it.
            if (r.Find(item, CompareRun.Kpipe) is { } k && r.Find(item, other) is { CpuSeconds: > 0 } b)
                list.Add((name, k.CpuMicrosPerRecord / b.CpuMicrosPerRecord, "below 1: kpipe uses less CPU per record"));
        }
        Cpu(CompareRun.Seed3, CompareRun.Python, "kpipe / Python CPU per row, seed 3");
        Cpu(CompareRun.Cdc, CompareRun.Python, "kpipe / Python CPU per row, CDC");
        if (r.Find(CompareRun.KafkaToKafka, CompareRun.Kpipe) is { } kk && r.Find(CompareRun.KafkaToKafka, CompareRun.KcatPipe) is { } pipe)
        {
            list.Add(("kpipe / kcat pipe throughput", kk.RecordsPerSecond / pipe.RecordsPerSecond, "above 1: kpipe moves more per second (process start to last record)"));
            if (kk.SinkRecordsPerSecond is { } a && pipe.SinkRecordsPerSecond is { } b)
                list.Add(("kpipe / kcat pipe throughput, first to last sink record", a / b, "above 1: kpipe moves more per second once copying"));
        }
        Cpu(CompareRun.KafkaToKafka, CompareRun.KcatFloor, "kpipe / kcat floor CPU per message");
        return list;
    }

    public static void Write(CompareResult r, CompareOptions o, string outDir)
    {
        var md = new StringBuilder();
        md.AppendLine("# kpipe compared with baselines");
        md.AppendLine();
        md.AppendLine(Inv, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine(Inv, $"- machine: {Environment.ProcessorCount} CPUs ({CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        md.AppendLine(Inv, $"- load average (1, 5, 15 min) at the start: {r.LoadAverageAtStart ?? "unknown"}, at the end: {CompareRun.LoadAverage() ?? "unknown"} (other work on the machine slows every contender)");
        md.AppendLine(Inv, $"- command: `dotnet run -c Release --project bench/Kpipe.Benchmarks -- compare --messages {o.Messages} --out {o.OutDir}`");
        md.AppendLine(Inv, $"- input: {o.Messages:N0} messages per work item, {Workloads.Partitions} partitions, lz4; the embedded Kafka and the counting Stream Load endpoint run in the bench process, on the same cores as the contenders");
        md.AppendLine();
        md.AppendLine("Wall: from the contender's process start to the last record at the sink. CPU: user + sys of the contender's process(es), read from /proc before SIGTERM (kpipe, Python) or from GNU time (kcat). Peak RSS: VmHWM. CPU first to last at sink (Kafka -> Kafka only: Doris loads land in bursts): the same, counted from the first record at the sink (start-up and first JIT compilations left out). Allocated: kpipe's `GC.GetTotalAllocatedBytes` at exit (`KPIPE_BENCH_STATS=1`), start-up and shutdown included.");
        md.AppendLine();
        foreach (var item in new[] { CompareRun.KafkaToKafka, CompareRun.Seed3, CompareRun.Cdc })
        {
            md.AppendLine(Inv, $"## {item}");
            md.AppendLine();
            md.AppendLine("| contender | messages | records | wall s | records/s | records/s first to last at sink | CPU us/record | CPU us/record first to last at sink | peak RSS MB | alloc B/record |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in r.Measurements.Where(m => m.WorkItem == item))
                md.AppendLine(Inv, $"| {Cell(m.Contender)} | {m.Messages:N0} | {m.Records:N0} | {m.WallSeconds:F2} | {m.RecordsPerSecond:N0} | {(m.SinkRecordsPerSecond is { } sr ? sr.ToString("N0", Inv) : "-")} | {m.CpuMicrosPerRecord:F2} | {(m.SinkCpuMicrosPerRecord is { } sc ? sc.ToString("F2", Inv) : "-")} | {(m.PeakRssMb is { } rss ? rss.ToString("F0", Inv) : "-")} | {(m.AllocatedBytesPerRecord is { } a ? a.ToString("F0", Inv) : "-")} |");
            foreach (var s in r.Skipped.Where(s => s.WorkItem == item))
                md.AppendLine(Inv, $"| {Cell(s.Contender)} | skipped: {s.Reason} | | | | | | | | |");
            md.AppendLine();
            foreach (var m in r.Measurements.Where(m => m.WorkItem == item && m.Note != null))
                md.AppendLine(Inv, $"- {m.Contender}: {m.Note}");
            md.AppendLine();
        }

        md.AppendLine("## Ratios");
        md.AppendLine();
        md.AppendLine("| ratio | value | reading |");
        md.AppendLine("|---|---:|---|");
        foreach (var (name, value, meaning) in Ratios(r))
            md.AppendLine(Inv, $"| {name} | {value:F2} | {meaning} |");
        if (r.Latencies.FirstOrDefault(l => l.Label.StartsWith("kpipe", StringComparison.Ordinal)) is { } lat)
            md.AppendLine(Inv, $"| end-to-end latency Kafka -> Kafka at {o.LatencyRate:N0} msg/s, {lat.Label} | p50 {lat.P50Ms:F1} ms, p99 {lat.P99Ms:F1} ms | after the first second: p50 {lat.SteadyP50Ms:F1} ms, p99 {lat.SteadyP99Ms:F1} ms; see (d) |");
        if (r.AssignedToFirstRecordMs is { } startup)
            md.AppendLine(Inv, $"| start-up: 'assigned' logged -> first record at the sink | {startup:F0} ms | process start -> 'assigned': {r.ProcessStartToAssignedMs:F0} ms |");
        if (r.IdleCpuPercent is { } idle)
            md.AppendLine(Inv, $"| idle CPU, caught-up pipeline, {o.IdleWindow.TotalSeconds:0} s from {o.IdleSettle.TotalSeconds:0} s after the last record | {idle:F2}% of a core | |");
        md.AppendLine();
        if (r.Latencies.Count > 0)
        {
            md.AppendLine(Inv, $"## (d) End-to-end latency at {o.LatencyRate:N0} msg/s for {o.LatencySeconds} s");
            md.AppendLine();
            md.AppendLine("Produced by the bench with its timestamp in a header (kpipe copies headers), received by a reader in the bench (fetch.wait.max.ms 5).");
            md.AppendLine();
            md.AppendLine("| path | messages | achieved msg/s | p50 ms | p99 ms | max ms | p50 ms after 1st s | p99 ms after 1st s |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var l in r.Latencies)
                md.AppendLine(Inv, $"| {Cell(l.Label)} | {l.Messages:N0} | {l.Rate:N0} | {l.P50Ms:F1} | {l.P99Ms:F1} | {l.MaxMs:F1} | {l.SteadyP50Ms:F1} | {l.SteadyP99Ms:F1} |");
            md.AppendLine();
        }
        if (r.Notes.Count > 0)
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var n in r.Notes) md.AppendLine(Inv, $"- {n}");
            md.AppendLine();
        }
        var chart = Chart(r, Path.Combine(outDir, "ratios.png"));
        if (chart) md.AppendLine("![ratios](ratios.png)");
        File.WriteAllText(Path.Combine(outDir, "report.md"), md.ToString());
    }

    /// <summary>A table cell: a '|' in a contender's name would end the cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static bool Chart(CompareResult r, string path)
    {
        var ratios = Ratios(r);
        if (ratios.Count == 0) return false;
        var plot = new ScottPlot.Plot();
        // Parity first, so the bars and their value labels are drawn over it.
        var one = plot.Add.HorizontalLine(1);
        one.LinePattern = ScottPlot.LinePattern.Dashed;
        one.Color = ScottPlot.Colors.Gray;
        var bars = plot.Add.Bars(ratios.Select(x => x.Value).ToArray());
        for (var i = 0; i < bars.Bars.Count; i++)
        {
            bars.Bars[i].Label = ratios[i].Value.ToString("F2", Inv);
            bars.Bars[i].FillColor = ScottPlot.Colors.SteelBlue;
        }
        bars.ValueLabelStyle.FontSize = 16;
        var ticks = ratios.Select((x, i) => new ScottPlot.Tick(i, x.Name.Replace(", ", "\n", StringComparison.Ordinal).Replace(" CPU", "\nCPU", StringComparison.Ordinal).Replace(" throughput", "\nthroughput", StringComparison.Ordinal))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title("kpipe relative to baselines (same run, same machine; dashed line = parity)");
        plot.YLabel("ratio");
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        plot.SavePng(path, 1100, 600);
        return true;
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line == null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
