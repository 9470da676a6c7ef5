using System.Diagnostics;

namespace Kpipe.Engine;

/// <summary>
/// Lets the first <c>sample</c> rejected records of each interval be logged one by one and counts the rest, so
/// the log grows with the kinds of trouble rather than with the traffic: a million bad records cost a few lines
/// and a count. The count is written as one line when the interval ends (checked by the engine's loop and on
/// shutdown).
/// </summary>
internal sealed class ErrorLogSampler(int sample, TimeSpan interval, Action<long, TimeSpan> summary)
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _logged;
    private long _suppressed;

    /// <summary>True when this record may be logged on its own; false when it was counted instead.</summary>
    public bool TryLog()
    {
        lock (_gate)
        {
            RollIfDue();
            if (_logged < sample)
            {
                _logged++;
                return true;
            }
            _suppressed++;
            return false;
        }
    }

    /// <summary>Writes the count of records not logged if the interval is over (or <paramref name="force"/>).</summary>
    public void Tick(bool force = false)
    {
        lock (_gate)
        {
            if (force && _suppressed > 0) Summarize();
            else RollIfDue();
        }
    }

    private void RollIfDue()
    {
        if (_clock.Elapsed < interval) return;
        Summarize();
    }

    private void Summarize()
    {
        if (_suppressed > 0) summary(_suppressed, _clock.Elapsed);
        _suppressed = 0;
        _logged = 0;
        _clock.Restart();
    }
}
