namespace Kpipe.Benchmarks.Compare;

/// <summary>One contender's run of one work item.</summary>
/// <param name="Messages">messages read from the source topic.</param>
/// <param name="Records">records handled: messages copied (Kafka) or rows loaded (Doris), counted at the sink.</param>
public sealed record Measurement(
    string WorkItem,
    string Contender,
    long Messages,
    long Records,
    double WallSeconds,
    double CpuSeconds,
    double? PeakRssMb,
    double? AllocatedBytes,
    string? Note = null)
{
    public double RecordsPerSecond => Records / WallSeconds;

    /// <summary>From the first record seen at the sink to the last (the bench polls every 20 ms): the rate of the
    /// copy itself, without the process's start-up; null when not observed.</summary>
    public SinkWindow? Sink { get; init; }

    public double? SinkRecordsPerSecond => Sink is { } w && w.Seconds > 0 ? (Records - w.RecordsAtFirst) / w.Seconds : null;

    /// <summary>CPU per record from the first record at the sink to the last: the copy's own cost, without the
    /// process's start-up and the JIT's first compilations (later re-compilations stay in).</summary>
    public double? SinkCpuMicrosPerRecord => Sink is { CpuSecondsAtFirst: { } c } w && Records > w.RecordsAtFirst
        ? (CpuSeconds - c) * 1e6 / (Records - w.RecordsAtFirst) : null;

    public double CpuMicrosPerRecord => CpuSeconds * 1e6 / Records;

    public double? AllocatedBytesPerRecord => AllocatedBytes / Records;
}

/// <summary>A contender that could not run (tool absent) and why.</summary>
public sealed record Skipped(string WorkItem, string Contender, string Reason);

/// <summary>Everything one compare run measured.</summary>
public sealed class CompareResult
{
    public List<Measurement> Measurements { get; } = [];

    public List<Skipped> Skipped { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>/proc/loadavg when the run started: the machine is shared, and a busy one slows every contender.</summary>
    public string? LoadAverageAtStart { get; set; }

    /// <summary>(d): the floor (no pipeline), then kpipe as configured by the example, then a variant.</summary>
    public List<LatencyRun> Latencies { get; } = [];

    public double? ProcessStartToAssignedMs { get; set; }

    public double? AssignedToFirstRecordMs { get; set; }

    public double? IdleCpuPercent { get; set; }

    public Measurement? Find(string workItem, string contender) =>
        Measurements.FirstOrDefault(m => m.WorkItem == workItem && m.Contender == contender);
}

/// <summary>End-to-end latency of messages produced at a steady rate: produced (bench) -> received (bench).</summary>
public sealed record LatencyRun(string Label, long Messages, double Rate, double P50Ms, double P99Ms, double MaxMs, double SteadyP50Ms, double SteadyP99Ms);

/// <summary>When the sink first held records (and how many), how long until it held all of them, and the contender's
/// CPU seconds at the first record when it was read then.</summary>
public sealed record SinkWindow(long RecordsAtFirst, double Seconds, double? CpuSecondsAtFirst = null);

/// <summary>Wraps a sink count to note when records first appear there.</summary>
internal sealed class FirstSeen(Func<long> count, Func<double?>? cpuSeconds = null)
{
    private long _at;
    private long _records;
    private double? _cpu;

    public long Count()
    {
        var c = count();
        if (_at == 0 && c > 0)
        {
            _at = System.Diagnostics.Stopwatch.GetTimestamp();
            _records = c;
            _cpu = cpuSeconds?.Invoke();
        }
        return c;
    }

    public SinkWindow? Until(long done) => _at == 0 ? null : new SinkWindow(_records, (done - _at) / (double)System.Diagnostics.Stopwatch.Frequency, _cpu);
}
