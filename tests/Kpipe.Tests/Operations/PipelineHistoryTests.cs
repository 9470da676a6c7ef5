using Kpipe.Cli.Operations;
using Kpipe.Engine;

namespace Kpipe.Tests.Operations;

public sealed class PipelineHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rates_are_the_counts_added_since_the_previous_sample_per_second_and_ten_minutes_are_kept()
    {
        var m = new PipelineMetrics("p", "g");
        using var history = new PipelineHistory(sampleEverySecond: false);
        for (var second = 0; second < PipelineHistory.Capacity + 5; second++)
        {
            // 10 records a second; those of odd seconds stay unwritten.
            var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 10).Select(i => new ManagedRecord("t", 0, second * 10 + i, null, [1]))]);
            m.Consumed(batch);
            if (second % 2 == 0) m.Written(batch);
            history.Sample([m], Start.AddSeconds(second));
        }

        var rates = history.Rates("p");
        Assert.Equal(PipelineHistory.Capacity, rates.Count);
        Assert.Equal(Start.AddSeconds(5).ToUnixTimeMilliseconds(), rates[0].UnixMs);
        Assert.All(rates, r => Assert.Equal(10, r.InPerSecond));
        Assert.Equal(10 * (PipelineHistory.Capacity + 5), rates[^1].In);
        Assert.Equal([0.0, 10.0], rates.Skip(rates.Count - 2).Select(r => r.WrittenPerSecond));
    }

    [Fact]
    public void The_sinks_durations_come_from_their_histograms_per_pipeline_and_sink()
    {
        using var history = new PipelineHistory(sampleEverySecond: false);
        var instruments = new Kpipe.Sinks.Kafka.KafkaSinkInstruments("history-test", "kafka-0", "out");

        instruments.Delivered(10, System.Diagnostics.Stopwatch.GetTimestamp());
        instruments.Delivered(10, System.Diagnostics.Stopwatch.GetTimestamp());
        history.Sample([new PipelineMetrics("history-test", "g")], Start);

        var sink = Assert.Single(history.Sinks("history-test"));
        Assert.Equal(("kafka-0", "produce", 2L), (sink.Name, sink.Operation, sink.Count));
        var second = Assert.Single(sink.Samples());
        Assert.Equal(2, second.Count);
        Assert.Empty(history.Sinks("another"));
    }
}
