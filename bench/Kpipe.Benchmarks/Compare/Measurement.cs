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

    public double? LatencyP50Ms { get; set; }

    public double? LatencyP99Ms { get; set; }

    public double? LatencyMaxMs { get; set; }

    public long LatencyMessages { get; set; }

    public double? LatencyAchievedRate { get; set; }

    public double? ProcessStartToAssignedMs { get; set; }

    public double? AssignedToFirstRecordMs { get; set; }

    public double? IdleCpuPercent { get; set; }

    public Measurement? Find(string workItem, string contender) =>
        Measurements.FirstOrDefault(m => m.WorkItem == workItem && m.Contender == contender);
}
