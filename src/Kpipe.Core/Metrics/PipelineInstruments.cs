using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kpipe.Engine;

namespace Kpipe.Metrics;

/// <summary>
/// The observable instruments over every running pipeline's <see cref="PipelineMetrics"/>. They are created
/// once per process (an instrument name appears once per meter, whatever the number of pipelines) and read the
/// pipelines' counts only when an exporter collects, so the hot path never calls an instrument.
/// </summary>
public static class PipelineInstruments
{
    private static readonly ConcurrentDictionary<PipelineMetrics, byte> Running = new();

    static PipelineInstruments()
    {
        var source = KpipeMeters.Source;
        source.CreateObservableCounter(MetricNames.ConsumedMessages, () => PerPartition(static c => c.In, withGroup: true),
            "{message}", "Records consumed from the source, per topic and partition.");
        source.CreateObservableCounter(MetricNames.ConsumedBytes, () => PerPipeline(static m => m.BytesIn),
            "By", "Bytes consumed as engine.maxInFlightBytes counts them: keys, values and 64 bytes per record.");
        source.CreateObservableGauge(MetricNames.Lag, Lags,
            "{message}", "High watermark minus the group's committed offset, per assigned partition.");
        source.CreateObservableCounter(MetricNames.Commits, () => PerPipeline(static m => m.Commits),
            "{commit}", "Offset commits that succeeded.");
        source.CreateObservableGauge(MetricNames.BrokersUp, () => PerPipeline(static m => m.BrokersUp, skipNegative: true),
            "{broker}", "Source brokers librdkafka reports connected.");

        var engine = KpipeMeters.Engine;
        engine.CreateObservableCounter(MetricNames.Written, () => PerPartition(static c => c.Written),
            "{message}", "Records acknowledged by every sink.");
        engine.CreateObservableCounter(MetricNames.Filtered, () => PerPartition(static c => c.Filtered),
            "{message}", "Records a filter (or an empty exploded array) left without rows.");
        engine.CreateObservableCounter(MetricNames.Skipped, () => PerPartition(static c => c.Skipped),
            "{message}", "Bad records dropped under errors.policy skip.");
        engine.CreateObservableCounter(MetricNames.DeadLettered, () => PerPartition(static c => c.DeadLettered),
            "{message}", "Bad records written to the dead-letter topic.");
        engine.CreateObservableUpDownCounter(MetricNames.InFlightBytes, () => PerPipeline(static m => m.InFlightBytes()),
            "By", "Bytes consumed and not yet acknowledged by every sink (bounded by engine.maxInFlightBytes).");
        engine.CreateObservableGauge(MetricNames.OldestUnwrittenAge, OldestAges,
            "s", "How long the oldest record consumed but not yet acknowledged has been waiting.");
        engine.CreateObservableGauge(MetricNames.Ready, () => PerPipeline(static m => PipelineHealth.Check(m).Ready ? 1 : 0),
            "1", "1 when the pipeline is ready (see /readyz), else 0.");
    }

    /// <summary>Publishes the pipeline's counts until the returned handle is disposed.</summary>
    public static IDisposable Publish(PipelineMetrics metrics)
    {
        Running.TryAdd(metrics, 0);
        return new Unpublish(metrics);
    }

    /// <summary>The pipelines publishing now (the health endpoints and the progress line read them).</summary>
    public static IReadOnlyCollection<PipelineMetrics> Pipelines => [.. Running.Keys.OrderBy(m => m.Pipeline, StringComparer.Ordinal)];

    private static IEnumerable<Measurement<long>> PerPipeline(Func<PipelineMetrics, long> pick, bool skipNegative = false)
    {
        foreach (var (m, _) in Running)
        {
            var value = pick(m);
            if (skipNegative && value < 0) continue;
            yield return new Measurement<long>(value, new TagList { { MetricNames.Pipeline, m.Pipeline } });
        }
    }

    private static IEnumerable<Measurement<long>> PerPartition(Func<PartitionCounts, long> pick, bool withGroup = false)
    {
        foreach (var (m, _) in Running)
        {
            foreach (var (tp, c) in m.Partitions)
            {
                var tags = PartitionTags(m, tp);
                if (withGroup)
                {
                    tags.Add(MetricNames.System, "kafka");
                    tags.Add(MetricNames.ConsumerGroup, m.Group);
                }
                yield return new Measurement<long>(pick(c), tags);
            }
        }
    }

    private static IEnumerable<Measurement<long>> Lags()
    {
        foreach (var (m, _) in Running)
            foreach (var (tp, c) in m.Partitions)
                if (c.Lag is { } lag) yield return new Measurement<long>(lag, PartitionTags(m, tp));
    }

    private static IEnumerable<Measurement<double>> OldestAges()
    {
        foreach (var (m, _) in Running)
            yield return new Measurement<double>(m.OldestUnwrittenAge()?.TotalSeconds ?? 0, new TagList { { MetricNames.Pipeline, m.Pipeline } });
    }

    private static TagList PartitionTags(PipelineMetrics m, Confluent.Kafka.TopicPartition tp) => new()
    {
        { MetricNames.Pipeline, m.Pipeline },
        { MetricNames.Destination, tp.Topic },
        // The semantic conventions make the partition id a string attribute.
        { MetricNames.PartitionId, tp.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private sealed class Unpublish(PipelineMetrics metrics) : IDisposable
    {
        public void Dispose() => Running.TryRemove(metrics, out _);
    }
}
