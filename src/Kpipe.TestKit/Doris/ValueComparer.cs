namespace Kpipe.TestKit.Doris;

/// <summary>Orders column values: NULL first, strings by ordinal (byte-wise, as Doris compares them), others naturally.</summary>
internal sealed class ValueComparer : IComparer<object?>
{
    public static ValueComparer Instance { get; } = new();

    public int Compare(object? x, object? y)
    {
        if (x is null)
            return y is null ? 0 : -1;
        if (y is null)
            return 1;
        if (x is string sx && y is string sy)
            return string.CompareOrdinal(sx, sy);
        if (x.GetType() == y.GetType() && x is IComparable cx)
            return cx.CompareTo(y);
        if (IsNumber(x) && IsNumber(y))
        {
            // Mixed numeric types only meet in predicates; decimal keeps integers exact, double covers the rest.
            try
            {
                return System.Convert.ToDecimal(x).CompareTo(System.Convert.ToDecimal(y));
            }
            catch (OverflowException)
            {
                return System.Convert.ToDouble(x).CompareTo(System.Convert.ToDouble(y));
            }
        }

        return string.CompareOrdinal(System.Convert.ToString(x, System.Globalization.CultureInfo.InvariantCulture),
            System.Convert.ToString(y, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsNumber(object o) =>
        o is sbyte or short or int or long or Int128 or float or double or decimal or byte;
}

/// <summary>Orders unique-key tuples column by column.</summary>
internal sealed class KeyComparer : IComparer<object?[]>
{
    public static KeyComparer Instance { get; } = new();

    public int Compare(object?[]? x, object?[]? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < x.Length; i++)
        {
            var c = ValueComparer.Instance.Compare(x[i], y[i]);
            if (c != 0)
                return c;
        }

        return 0;
    }
}
