using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kpipe.Metrics;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// The Kafka sink's metrics, under the semantic conventions' names: messages delivered
/// (<c>messaging.client.sent.messages</c>) and the time from producing a batch to its last delivery report
/// (<c>messaging.client.operation.duration</c>, operation <c>send</c>). Recorded once per batch, with tags bound
/// when the sink starts.
/// </summary>
internal sealed class KafkaSinkInstruments
{
    private static readonly Counter<long> Sent = KpipeMeters.KafkaSink.CreateCounter<long>(
        MetricNames.SentMessages, "{message}", "Messages the Kafka sink produced and the broker acknowledged.");

    private static readonly Histogram<double> Duration = KpipeMeters.KafkaSink.CreateHistogram(
        MetricNames.OperationDuration, "s", "Time from producing a batch to its last delivery report.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Seconds });

    private readonly TagList _tags;

    public KafkaSinkInstruments(string pipeline, string sink, string topic)
    {
        _tags = new TagList
        {
            { MetricNames.Pipeline, pipeline },
            { MetricNames.Sink, sink },
            { MetricNames.System, "kafka" },
            { MetricNames.Operation, "send" },
            { MetricNames.Destination, topic },
        };
    }

    public void Delivered(long messages, long startedTimestamp)
    {
        if (messages > 0) Sent.Add(messages, _tags);
        Duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, _tags);
    }
}
