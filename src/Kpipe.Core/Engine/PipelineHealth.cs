namespace Kpipe.Engine;

/// <summary>Whether a pipeline is ready (assigned and making progress) and healthy (not stalled, not failed),
/// and why not, in words an operator can act on.</summary>
public readonly record struct HealthVerdict(bool Ready, bool Healthy, string Reason);

/// <summary>
/// The readiness and health rules, decided in one place from a pipeline's metrics (docs/operations.md):
/// ready when it runs, a source broker is connected, partitions are assigned and it is not stalled; unhealthy
/// when it failed or stalled, a stall being records waiting (lag above 0, or librdkafka silent) while no record
/// got an outcome for <c>engine.stallTimeout</c>.
/// </summary>
public static class PipelineHealth
{
    public static HealthVerdict Check(PipelineMetrics m)
    {
        switch (m.State)
        {
            case PipelineState.Starting:
                return new(false, true, "starting");
            case PipelineState.Stopped:
                return new(false, true, "stopped");
            case PipelineState.Failed:
                return new(false, false, $"failed: {m.FailureReason}");
        }
        var idle = m.SinceLastOutcome;
        var stall = m.StallTimeout;
        if (m.StatisticsAt == 0)
        {
            // The consume loop serves librdkafka's statistics; none at all for this long means it is stuck
            // (a sink blocking it) or librdkafka never started.
            return idle > stall
                ? new(false, false, $"stalled: no statistics from the source consumer for {Format(idle)}")
                : new(false, true, "waiting for the source consumer's first statistics");
        }
        var silent = System.Diagnostics.Stopwatch.GetElapsedTime(m.StatisticsAt);
        // Statistics come every 5 s while the loop polls; a few missed ones are a busy batch, not a stall.
        if (silent > Max(stall, QuietStatistics) && idle > stall)
            return new(false, false, $"stalled: the consume loop has not polled for {Format(silent)} and no record got an outcome for {Format(idle)}");
        if (m.BrokersUp == 0)
            return new(false, true, "no broker of the source Kafka cluster is connected");
        var lag = m.Lag ?? 0;
        if (lag > 0 && idle > stall)
            return new(false, false, $"stalled: {lag} records waiting in Kafka and none written, filtered, skipped or dead-lettered for {Format(idle)} (engine.stallTimeout {Format(stall)})");
        if (m.AssignedPartitions == 0)
            return new(false, true, "no partitions assigned (the group is rebalancing, or it has more members than partitions)");
        return new(true, true, lag > 0 ? $"ready: {lag} records behind" : "ready: caught up");
    }

    private static readonly TimeSpan QuietStatistics = TimeSpan.FromSeconds(30);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Format(TimeSpan t) => Config.Durations.Format(TimeSpan.FromSeconds(Math.Round(t.TotalSeconds)));
}
