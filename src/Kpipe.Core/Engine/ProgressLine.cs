using System.Diagnostics;
using System.Globalization;

namespace Kpipe.Engine;

/// <summary>
/// The periodic progress line (engine.statsInterval), read from the pipeline's metrics: counts with their
/// rates since the previous line, lag, errors (skipped and dead-lettered records) and bytes in flight.
/// </summary>
internal sealed class ProgressLine(PipelineMetrics metrics)
{
    private long _lastIn, _lastWritten;
    private long _lastAt = Stopwatch.GetTimestamp();

    public string Next()
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Math.Max(Stopwatch.GetElapsedTime(_lastAt, now).TotalSeconds, 0.001);
        var input = metrics.RecordsIn;
        var written = metrics.RecordsWritten;
        var text = Format(metrics, (input - _lastIn) / seconds, (written - _lastWritten) / seconds);
        (_lastIn, _lastWritten, _lastAt) = (input, written, now);
        return text;
    }

    internal static string Format(PipelineMetrics m, double inRate, double writtenRate)
    {
        var lag = m.Lag is { } l ? l.ToString(CultureInfo.InvariantCulture) : "unknown";
        var age = m.OldestUnwrittenAge() is { } a ? $"{a.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s" : "none";
        return string.Create(CultureInfo.InvariantCulture,
            $"in={m.RecordsIn} ({inRate:0}/s) written={m.RecordsWritten} ({writtenRate:0}/s) filtered={m.RecordsFiltered} " +
            $"errors={m.RecordsSkipped + m.RecordsDeadLettered} (skipped={m.RecordsSkipped} dead_lettered={m.RecordsDeadLettered}) " +
            $"lag={lag} oldest_unwritten={age} in_flight={m.InFlightBytes()}B");
    }
}
