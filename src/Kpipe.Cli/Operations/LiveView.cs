using System.Globalization;
using System.Text;
using Kpipe.Engine;

namespace Kpipe.Cli.Operations;

/// <summary>
/// The live view <c>kpipe run</c> draws on a terminal instead of the periodic progress line: a few lines per
/// pipeline (state, counts with their rates, lag, each sink's last write, the last error), redrawn in place once
/// a second by <see cref="LiveConsole"/>. Rendering is a pure function of what it reads, so tests check the text.
/// </summary>
internal static class LiveView
{
    /// <summary>The view, each line ending in a newline and cut to <paramref name="width"/> characters (a line
    /// the terminal wrapped would throw off the redraw, which moves up one row per line).</summary>
    public static string Render(IReadOnlyCollection<PipelineMetrics> pipelines, PipelineHistory history, RecentErrors errors,
        DateTimeOffset now, int width)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"kpipe {Clock(now)}: {pipelines.Count} pipeline{(pipelines.Count == 1 ? "" : "s")} (Ctrl-C stops: drains, commits, exits)"),
        };
        foreach (var m in pipelines) Pipeline(lines, m, history, errors, now);
        var text = new StringBuilder();
        foreach (var line in lines)
            text.Append(line.Length < width ? line : line[..Math.Max(0, width - 1)]).Append('\n');
        return text.ToString();
    }

    private static void Pipeline(List<string> lines, PipelineMetrics m, PipelineHistory history, RecentErrors errors, DateTimeOffset now)
    {
        var verdict = PipelineHealth.Check(m);
        lines.Add($"{m.Pipeline}  {m.State.ToString().ToLowerInvariant()}  {verdict.Reason}");
        var rates = history.Rates(m.Pipeline);
        var (inRate, writtenRate) = rates.Count > 0 ? (Rate(rates[^1].InPerSecond), Rate(rates[^1].WrittenPerSecond)) : ("-", "-");
        var lag = m.Lag is { } l ? l.ToString(CultureInfo.InvariantCulture) : "unknown";
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  in {m.RecordsIn} ({inRate}/s)  written {m.RecordsWritten} ({writtenRate}/s)  filtered {m.RecordsFiltered}  " +
            $"errors {m.RecordsSkipped + m.RecordsDeadLettered}  lag {lag}  in flight {m.InFlightBytes()} B"));
        foreach (var sink in history.Sinks(m.Pipeline))
        {
            var last = sink.Last is { } w
                ? string.Create(CultureInfo.InvariantCulture, $"last {sink.Operation} {Seconds(w.Seconds)}, {Math.Max(0, (now - w.At).TotalSeconds):0} s ago")
                : $"no {sink.Operation} yet";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {sink.Name}: {last} ({sink.Count} in all)"));
        }
        if (errors.Of(m.Pipeline, 1) is [var error])
            lines.Add($"  last error {Clock(error.Time)} {error.Message.ReplaceLineEndings(" ")}");
    }

    private static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static string Seconds(double s) =>
        s < 1 ? (s * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms" : s.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
