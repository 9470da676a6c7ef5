using Kpipe.Engine;
using Kpipe.Sources.Kafka;

namespace Kpipe.Tests.Engine;

public sealed class PipelineHealthTests
{
    private static PipelineMetrics Running(int brokersUp, int assigned, long high, long committed, TimeSpan stallTimeout)
    {
        var m = new PipelineMetrics("orders", "g") { State = PipelineState.Running, StallTimeout = stallTimeout };
        m.Statistics(new ConsumerStatistics(brokersUp, assigned,
            assigned > 0 ? [new PartitionPosition("orders", 0, high, 0, committed)] : []));
        return m;
    }

    [Fact]
    public void Assigned_reachable_and_caught_up_is_ready()
    {
        var verdict = PipelineHealth.Check(Running(1, 1, 10, 10, TimeSpan.FromMinutes(5)));
        Assert.Equal(new HealthVerdict(true, true, "ready: caught up"), verdict);
    }

    [Fact]
    public void No_broker_up_is_not_ready_but_healthy_and_says_so()
    {
        var verdict = PipelineHealth.Check(Running(0, 1, 10, 10, TimeSpan.FromMinutes(5)));
        Assert.Equal((false, true), (verdict.Ready, verdict.Healthy));
        Assert.Contains("no broker of the source Kafka cluster is connected", verdict.Reason);
    }

    [Fact]
    public void No_partition_assigned_is_not_ready()
    {
        var verdict = PipelineHealth.Check(Running(1, 0, 0, 0, TimeSpan.FromMinutes(5)));
        Assert.Equal((false, true), (verdict.Ready, verdict.Healthy));
        Assert.Contains("no partitions assigned", verdict.Reason);
    }

    [Fact]
    public void Records_waiting_with_nothing_written_past_the_stall_timeout_is_unhealthy_and_says_why()
    {
        // A stall timeout shorter than the time since the pipeline last made progress (its start).
        var verdict = PipelineHealth.Check(Running(1, 1, 50, 10, TimeSpan.FromTicks(1)));
        Assert.Equal((false, false), (verdict.Ready, verdict.Healthy));
        Assert.StartsWith("stalled: 40 records waiting in Kafka", verdict.Reason);
    }

    [Fact]
    public void Behind_but_within_the_stall_timeout_is_ready()
    {
        var verdict = PipelineHealth.Check(Running(1, 1, 50, 10, TimeSpan.FromMinutes(5)));
        Assert.Equal(new HealthVerdict(true, true, "ready: 40 records behind"), verdict);
    }

    [Fact]
    public void A_failed_pipeline_is_unhealthy_with_its_error()
    {
        var m = Running(1, 1, 10, 10, TimeSpan.FromMinutes(5));
        m.State = PipelineState.Failed;
        m.FailureReason = "sinks.doris-0 refused";
        Assert.Equal(new HealthVerdict(false, false, "failed: sinks.doris-0 refused"), PipelineHealth.Check(m));
    }
}
