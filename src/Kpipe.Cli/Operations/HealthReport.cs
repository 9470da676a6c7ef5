using System.Text;
using Kpipe.Engine;

namespace Kpipe.Cli.Operations;

/// <summary>The answers of /healthz and /readyz: 200 or 503, and a line per pipeline saying why.</summary>
internal static class HealthReport
{
    /// <summary>Healthy unless a pipeline failed or stalled (restarting the process may help then).</summary>
    public static (int Status, string Body) Health(IReadOnlyCollection<PipelineMetrics> pipelines) =>
        Report(pipelines, static v => v.Healthy, "healthy", "unhealthy");

    /// <summary>Ready when every pipeline is assigned partitions, reaches its source and is not stalled.</summary>
    public static (int Status, string Body) Readiness(IReadOnlyCollection<PipelineMetrics> pipelines) =>
        pipelines.Count == 0 ? (503, "not ready\nno pipeline is running\n") : Report(pipelines, static v => v.Ready, "ready", "not ready");

    private static (int, string) Report(IReadOnlyCollection<PipelineMetrics> pipelines, Func<HealthVerdict, bool> ok, string yes, string no)
    {
        var all = true;
        var lines = new StringBuilder();
        foreach (var p in pipelines)
        {
            var verdict = PipelineHealth.Check(p);
            all &= ok(verdict);
            lines.Append(p.Pipeline).Append(": ").Append(verdict.Reason).Append('\n');
        }
        return (all ? 200 : 503, $"{(all ? yes : no)}\n{lines}");
    }
}
