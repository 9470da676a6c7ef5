using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kpipe.Metrics;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The Doris sink's metrics: each Stream Load request's duration by outcome, the rows and bytes of committed
/// loads, and retries. Recorded once per load request, never per row.
/// </summary>
internal sealed class DorisSinkInstruments(string pipeline, string sink)
{
    private static readonly Histogram<double> Duration = KpipeMeters.DorisSink.CreateHistogram(
        MetricNames.DorisLoadDuration, "s", "Duration of one Stream Load request, by outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Seconds });

    private static readonly Counter<long> Rows = KpipeMeters.DorisSink.CreateCounter<long>(
        MetricNames.DorisLoadRows, "{row}", "Rows of the loads Doris committed.");

    private static readonly Counter<long> Bytes = KpipeMeters.DorisSink.CreateCounter<long>(
        MetricNames.DorisLoadBytes, "By", "Body bytes of the loads Doris committed.");

    private static readonly Counter<long> Retries = KpipeMeters.DorisSink.CreateCounter<long>(
        MetricNames.DorisLoadRetries, "{retry}", "Stream Load requests retried after a transient failure.");

    public void Sent(string table, LoadOutcomeKind outcome, long startedTimestamp)
    {
        var tags = new TagList
        {
            { MetricNames.Pipeline, pipeline },
            { MetricNames.Sink, sink },
            { MetricNames.Table, table },
            { MetricNames.Outcome, OutcomeName(outcome) },
        };
        Duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    public void Committed(string table, long rows, long bytes)
    {
        var tags = new TagList { { MetricNames.Pipeline, pipeline }, { MetricNames.Sink, sink }, { MetricNames.Table, table } };
        Rows.Add(rows, tags);
        Bytes.Add(bytes, tags);
    }

    public void Retried(string table) =>
        Retries.Add(1, new TagList { { MetricNames.Pipeline, pipeline }, { MetricNames.Sink, sink }, { MetricNames.Table, table } });

    private static string OutcomeName(LoadOutcomeKind kind) => kind switch
    {
        LoadOutcomeKind.Committed => "committed",
        LoadOutcomeKind.AlreadyCommitted => "already_committed",
        LoadOutcomeKind.DataError => "rejected",
        LoadOutcomeKind.Unauthorized => "unauthorized",
        _ => "failed",
    };
}
