using System.Globalization;

namespace Kpipe.Config;

/// <summary>A size in bytes, written in pipeline files as <c>1048576</c>, <c>512KiB</c>, <c>64MiB</c>, <c>1GiB</c> or <c>100MB</c>.</summary>
public readonly record struct ByteSize(long Bytes)
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30),
        ("KB", 1000L), ("MB", 1000_000L), ("GB", 1000_000_000L), ("B", 1L),
    ];

    public static ByteSize FromMiB(long mib) => new(mib << 20);

    public static bool TryParse(string text, out ByteSize size)
    {
        text = text.Trim();
        foreach (var (suffix, factor) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(text.AsSpan(0, text.Length - suffix.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                size = new ByteSize(checked(n * factor));
                return true;
            }
        }
        var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes);
        size = new ByteSize(bytes);
        return ok;
    }

    public override string ToString() => Bytes % (1L << 20) == 0 ? $"{Bytes >> 20}MiB" : $"{Bytes}B";
}
