using System.Text.RegularExpressions;

namespace Kpipe.Kafka;

/// <summary>
/// Decides which of librdkafka's complaints reach the log. While a broker is unreachable librdkafka reports
/// every reconnect attempt twice (a log line and an error event with the same text), which made 38 lines a
/// second for one closed port. Each distinct complaint is logged the first time, then at most once per
/// <see cref="Interval"/> with the number of repeats in between, so logs grow with kinds of trouble, not
/// with attempts. Called from librdkafka's threads: thread-safe.
/// </summary>
/// <param name="time">The clock; tests pass their own.</param>
public sealed partial class LogThrottle(TimeProvider time)
{
    /// <summary>How long a repeated complaint stays quiet.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, (DateTimeOffset Logged, int Repeats)> _seen = new(StringComparer.Ordinal);

    /// <summary>Whether to log <paramref name="message"/> now; <paramref name="repeats"/> is how many times
    /// it was held back since it was last logged.</summary>
    /// <param name="message">The complaint as librdkafka wrote it.</param>
    /// <param name="repeats">Times it came and was not logged since the last time it was.</param>
    public bool ShouldLog(string message, out int repeats)
    {
        var key = Key(message);
        var now = time.GetUtcNow();
        lock (_seen)
        {
            if (_seen.TryGetValue(key, out var seen) && now - seen.Logged < Interval)
            {
                _seen[key] = (seen.Logged, seen.Repeats + 1);
                repeats = 0;
                return false;
            }
            repeats = seen.Repeats;
            _seen[key] = (now, 0);
            return true;
        }
    }

    /// <summary>The complaint without what changes between attempts, so a log line and an error event
    /// about one failed connection count as one: the thread prefix ("[thrd:host:9092/bootstrap]: "),
    /// "(after 3ms in state CONNECT)", librdkafka's own ", 2 identical error(s) suppressed".</summary>
    internal static string Key(string message) => Variable().Replace(message, "").Trim();

    [GeneratedRegex(@"^\[thrd:[^\]]*\]:\s*|\s*\(after \d+ms in state \w+(, \d+ identical error\(s\) suppressed)?\)|,?\s*\d+ identical error\(s\) suppressed")]
    private static partial Regex Variable();
}

/// <summary>The note a throttled line carries about the repeats held back before it.</summary>
internal static class LogThrottleNote
{
    public static string Of(int repeats) =>
        repeats == 0 ? "" : $" (and {repeats} more time(s) in the last {LogThrottle.Interval.TotalSeconds:0}s)";
}
