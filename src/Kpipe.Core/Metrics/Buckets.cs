namespace Kpipe.Metrics;

/// <summary>Histogram bucket boundaries, given to exporters as instrument advice.</summary>
internal static class Buckets
{
    /// <summary>The semantic conventions' advice for messaging durations, in seconds, stretched to a minute
    /// for Stream Loads (Doris commits a load in seconds; a slow one takes tens).</summary>
    public static readonly IReadOnlyList<double> Seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    /// <summary>Records per batch: source.maxRecordsPerBatch goes up to a million.</summary>
    public static readonly IReadOnlyList<int> Records = [1, 10, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000];
}
