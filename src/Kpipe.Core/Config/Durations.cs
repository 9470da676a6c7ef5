using System.Globalization;

namespace Kpipe.Config;

/// <summary>Durations in pipeline files: <c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes),
            ("h", TimeSpan.FromHours),
        ];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                value = make(n);
                return true;
            }
        }
        value = default;
        return false;
    }

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 || value.TotalMilliseconds % 1000 != 0
            ? $"{value.TotalMilliseconds}ms"
            : $"{value.TotalSeconds}s";
}
