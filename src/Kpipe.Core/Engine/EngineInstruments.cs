using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kpipe.Metrics;

namespace Kpipe.Engine;

/// <summary>
/// The engine's recorded (not observed) instruments: batch sizes and each transform's time per batch. Recorded
/// once per batch with tags bound at start, so recording allocates nothing.
/// </summary>
internal sealed class EngineInstruments
{
    private static readonly Histogram<int> BatchRecords = KpipeMeters.Engine.CreateHistogram(
        MetricNames.BatchRecords, "{message}", "Records per batch taken from the source.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = Buckets.Records });

    private static readonly ConcurrentDictionary<string, Histogram<double>> TransformDurations = new();

    private readonly TagList _tags;
    private readonly Histogram<double>[] _transforms;

    public EngineInstruments(string pipeline, IReadOnlyList<string> transformKinds)
    {
        _tags = new TagList { { MetricNames.Pipeline, pipeline } };
        _transforms = [.. transformKinds.Select(kind => TransformDurations.GetOrAdd(kind, static k => KpipeMeters.Transform(k).CreateHistogram(
            MetricNames.TransformDuration(k), "s", $"Time the {k} transform takes per batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Seconds })))];
    }

    public void Batch(int records) => BatchRecords.Record(records, _tags);

    public void Transformed(int index, long startedTimestamp) =>
        _transforms[index].Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, _tags);
}
