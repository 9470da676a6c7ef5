namespace Kpipe.Sinks.Doris;

/// <summary>
/// Delay before retry number <c>n</c> (1-based): <c>first * 2^(n-1)</c>, at most <see cref="Max"/>, with ±25%
/// jitter so that many sinks retrying against the same cluster do not retry in step.
/// </summary>
internal sealed class Backoff(TimeSpan first)
{
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    public TimeSpan Delay(int retry)
    {
        var exponent = Math.Clamp(retry - 1, 0, 30);
        var baseMs = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        var jittered = baseMs * (0.75 + Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Min(jittered, Max.TotalMilliseconds));
    }
}
