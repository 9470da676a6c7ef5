using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Metrics;
using Kpipe.Sources.Kafka;

namespace Kpipe.Tests.Metrics;

public sealed class PipelineInstrumentsTests
{
    private sealed record Seen(string Meter, string Name, string? Unit, long Value, IReadOnlyDictionary<string, string?> Tags);

    /// <summary>Every observable measurement of the pipeline, as an exporter collecting now would see it.</summary>
    private static List<Seen> Collect(string pipeline)
    {
        var seen = new List<Seen>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name.StartsWith("Kpipe.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Add(i, value, tags));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, (long)value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;

        void Add(Instrument i, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string?>();
            foreach (var t in tags) map[t.Key] = t.Value?.ToString();
            if (map.GetValueOrDefault(MetricNames.Pipeline) == pipeline) seen.Add(new Seen(i.Meter.Name, i.Name, i.Unit, value, map));
        }
    }

    private static PipelineMetrics Running(string name)
    {
        var metrics = new PipelineMetrics(name, $"kpipe-{name}") { State = PipelineState.Running };
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 10).Select(i => new ManagedRecord("orders", i % 2, i, null, [1, 2]))]);
        metrics.Consumed(batch);
        batch.TryDrop(0);
        metrics.Filtered(batch.TopicPartition(0));
        batch.TryDrop(1);
        metrics.Skipped(batch.TopicPartition(1));
        batch.TryDrop(3);
        metrics.DeadLettered(batch.TopicPartition(3));
        metrics.Written(batch);
        metrics.Statistics(new ConsumerStatistics(1, 2,
        [
            new PartitionPosition("orders", 0, HighWatermark: 25, LowWatermark: 0, Committed: 10),
            new PartitionPosition("orders", 1, HighWatermark: 12, LowWatermark: 0, Committed: 12),
        ]));
        return metrics;
    }

    [Fact]
    public void Each_partition_reports_its_outcomes_and_lag_under_the_conventions_names_and_labels()
    {
        var name = $"instruments-{Guid.NewGuid():N}";
        using var published = PipelineInstruments.Publish(Running(name));

        var seen = Collect(name);

        long Value(string metric, int partition) => seen.Single(s => s.Name == metric
            && s.Tags[MetricNames.Destination] == "orders" && s.Tags[MetricNames.PartitionId] == partition.ToString()).Value;
        Assert.Equal((5L, 5L), (Value(MetricNames.ConsumedMessages, 0), Value(MetricNames.ConsumedMessages, 1)));
        Assert.Equal((4L, 3L), (Value(MetricNames.Written, 0), Value(MetricNames.Written, 1)));
        Assert.Equal((1L, 0L), (Value(MetricNames.Filtered, 0), Value(MetricNames.Filtered, 1)));
        Assert.Equal((0L, 1L), (Value(MetricNames.Skipped, 0), Value(MetricNames.Skipped, 1)));
        Assert.Equal((0L, 1L), (Value(MetricNames.DeadLettered, 0), Value(MetricNames.DeadLettered, 1)));
        Assert.Equal((15L, 0L), (Value(MetricNames.Lag, 0), Value(MetricNames.Lag, 1)));

        var consumed = seen.First(s => s.Name == MetricNames.ConsumedMessages);
        Assert.Equal("Kpipe.Sources.Kafka", consumed.Meter);
        Assert.Equal("{message}", consumed.Unit);
        Assert.Equal("kafka", consumed.Tags[MetricNames.System]);
        Assert.Equal($"kpipe-{name}", consumed.Tags[MetricNames.ConsumerGroup]);
        Assert.Equal("Kpipe.Engine", seen.First(s => s.Name == MetricNames.Written).Meter);
        // 2 value bytes and the 64 bytes of bookkeeping the in-flight bound counts per record.
        Assert.Equal(10 * (2 + 64), seen.Single(s => s.Name == MetricNames.ConsumedBytes).Value);
        Assert.Equal(1, seen.Single(s => s.Name == MetricNames.BrokersUp).Value);
        Assert.Equal(1, seen.Single(s => s.Name == MetricNames.Ready).Value);
    }

    [Fact]
    public void The_names_are_the_semantic_conventions_where_they_exist()
    {
        Assert.Equal("messaging.client.consumed.messages", MetricNames.ConsumedMessages);
        Assert.Equal("messaging.client.sent.messages", MetricNames.SentMessages);
        Assert.Equal("messaging.client.operation.duration", MetricNames.OperationDuration);
        Assert.Equal("messaging.destination.name", MetricNames.Destination);
        Assert.Equal("messaging.destination.partition.id", MetricNames.PartitionId);
        Assert.Equal("messaging.consumer.group.name", MetricNames.ConsumerGroup);
        Assert.Equal("messaging.system", MetricNames.System);
        Assert.Equal("kpipe.transform.select.duration", MetricNames.TransformDuration("select"));
        Assert.Equal("Kpipe.Transforms.Debezium", KpipeMeters.Transform("debezium").Name);
    }

    [Fact]
    public void A_stopped_pipeline_is_no_longer_reported()
    {
        var name = $"instruments-{Guid.NewGuid():N}";
        var published = PipelineInstruments.Publish(Running(name));
        Assert.NotEmpty(Collect(name));

        published.Dispose();

        Assert.Empty(Collect(name));
    }
}
