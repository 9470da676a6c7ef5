using Kpipe.Engine;
using Kpipe.Tests.Sinks.Doris;
using Microsoft.Extensions.Logging;

namespace Kpipe.Tests.Engine;

public sealed class RecordErrorHandlerTests
{
    [Fact]
    public void A_burst_of_skipped_records_costs_a_sample_of_lines_and_one_count()
    {
        var log = new CapturingLogger();
        var metrics = new PipelineMetrics();
        var handler = new RecordErrorHandler(ErrorPolicy.Skip, metrics, log, null, new ErrorPolicyOptions { LogSample = 5, LogInterval = TimeSpan.FromHours(1) });
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, 10_000).Select(i => new ManagedRecord("t", 0, i, null, [1]))]);
        metrics.Consumed(batch);
        handler.Stage = "transforms[0].select";

        for (var i = 0; i < batch.Count; i++) handler.Report(batch, i, "bad");
        handler.Tick(final: true);

        Assert.Equal(10_000, metrics.RecordsSkipped);
        var lines = log.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Equal("Pipeline : skipped record t[0]@0 (transforms[0].select): bad", lines[0]);
        Assert.StartsWith("9995 more rejected records in the last", lines[5]);
    }

    [Fact]
    public void Under_fail_the_error_names_the_record_and_the_stage()
    {
        var handler = new RecordErrorHandler(ErrorPolicy.Fail, new PipelineMetrics(), new CapturingLogger()) { Stage = "sinks.kafka-0" };
        var batch = ManagedBatch.Create(1, [new ManagedRecord("orders", 2, 41, null, [1])]);

        var e = Assert.Throws<RecordErrorException>(() => handler.Report(batch, 0, "key field 'id' is missing"));

        Assert.StartsWith("record orders[2]@41 (sinks.kafka-0): key field 'id' is missing", e.Message);
        Assert.False(batch.IsDropped(0));
    }
}
