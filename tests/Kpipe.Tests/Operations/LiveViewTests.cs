using Kpipe.Cli.Operations;
using Kpipe.Engine;
using Kpipe.Sources.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Tests.Operations;

public sealed class LiveViewTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_pipeline_shows_its_state_counts_rates_lag_last_load_and_last_error()
    {
        var orders = new PipelineMetrics("orders", "g") { State = PipelineState.Running };
        using var history = new PipelineHistory(sampleEverySecond: false);
        var errors = new RecentErrors(() => Start.AddSeconds(1.5));
        history.Sample([orders], Start);
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 300).Select(i => new ManagedRecord("in", i % 2, i / 2, null, [1]))]);
        orders.Consumed(batch);
        batch.TryDrop(7);
        orders.Skipped(batch.TopicPartition(7));
        orders.Written(batch);
        orders.Statistics(new ConsumerStatistics(1, 2, [new("in", 0, 200, 0, 150), new("in", 1, 150, 0, 150)]));
        history.Recorded("orders", "doris-0", "Stream Load", 0.25, Start.AddSeconds(0.5));
        history.Recorded("orders", "doris-0", "Stream Load", 0.5, Start.AddSeconds(1));
        history.Sample([orders], Start.AddSeconds(2));
        errors.Add(LogLevel.Warning, "orders", "Pipeline orders: skipped record in[1]@3 (transforms[0].select): field 'n': not a number");

        var view = LiveView.Render([orders], history, errors, Start.AddSeconds(4), 200);

        Assert.Equal(
            "kpipe 17:00:04Z: 1 pipeline (Ctrl-C stops: drains, commits, exits)\n" +
            "orders  running  ready: 50 records behind\n" +
            "  in 300 (150/s)  written 299 (150/s)  filtered 0  errors 1  lag 50  in flight 0 B\n" +
            "  doris-0: last Stream Load 500.0 ms, 3 s ago (2 in all)\n" +
            "  last error 17:00:01Z Pipeline orders: skipped record in[1]@3 (transforms[0].select): field 'n': not a number\n",
            view);
    }

    [Fact]
    public void A_pipeline_not_started_yet_shows_no_rate_and_an_unknown_lag_and_lines_are_cut_to_the_terminal_width()
    {
        var idle = new PipelineMetrics("a-pipeline-with-a-long-name", "g");
        using var history = new PipelineHistory(sampleEverySecond: false);

        var view = LiveView.Render([idle], history, new RecentErrors(), Start, 40);

        var lines = view.Split('\n');
        Assert.Equal("a-pipeline-with-a-long-name  starting  ", lines[1]);
        Assert.All(lines, l => Assert.True(l.Length < 40, l));
        Assert.Equal("  in 0 (-/s)  written 0 (-/s)  filtered", lines[2]);
    }
}
