using System.Globalization;
using System.Numerics;

namespace Kpipe.Transforms.Filter;

/// <summary>
/// A number as <c>Value + ε</c>: <see cref="Fraction"/> is 0 when the number is exactly <see cref="Value"/>,
/// +1 when it lies strictly between <see cref="Value"/> and the next long (or above long.MaxValue), -1 when
/// it is below long.MinValue. Comparing a long lane with it is then exact, which comparing through double
/// is not above 2^53.
/// </summary>
internal readonly record struct LongBound(long Value, int Fraction)
{
    /// <summary>The sign of <c>x - this</c>.</summary>
    public int CompareFrom(long x) => x != Value ? (x < Value ? -1 : 1) : -Fraction;

    /// <summary>False for NaN, which compares with nothing.</summary>
    public static bool TryFromDouble(double d, out LongBound bound)
    {
        bound = default;
        if (double.IsNaN(d)) return false;
        if (d >= 9223372036854775808.0) bound = new LongBound(long.MaxValue, 1);
        else if (d < -9223372036854775808.0) bound = new LongBound(long.MinValue, -1);
        else
        {
            var floor = Math.Floor(d);
            bound = new LongBound((long)floor, d > floor ? 1 : 0);
        }
        return true;
    }

    public static LongBound FromBigInteger(BigInteger floor, bool hasFraction) =>
        floor > long.MaxValue ? new LongBound(long.MaxValue, 1)
        : floor < long.MinValue ? new LongBound(long.MinValue, -1)
        : new LongBound((long)floor, hasFraction ? 1 : 0);
}

/// <summary>A number literal of the filter, kept exact: plain decimal text, its floor for long lanes, and a double.</summary>
internal sealed class NumberLiteral
{
    private NumberLiteral(string plainText, LongBound floor, double value)
    {
        PlainText = plainText;
        Floor = floor;
        Double = value;
    }

    /// <summary>The exact value in the form decimal columns hold: no exponent, no redundant zeros.</summary>
    public string PlainText { get; }

    public LongBound Floor { get; }

    public double Double { get; }

    /// <summary>Null when an exponent puts the number out of any column's reach.</summary>
    public static NumberLiteral? Parse(string text)
    {
        var negative = text[0] == '-';
        var start = negative ? 1 : 0;
        var e = text.IndexOfAny(['e', 'E']);
        var mantissaEnd = e < 0 ? text.Length : e;
        var dot = text.IndexOf('.', start, mantissaEnd - start);
        var integerPart = text[start..(dot < 0 ? mantissaEnd : dot)];
        var fractionPart = dot < 0 ? "" : text[(dot + 1)..mantissaEnd];
        var exponent = 0;
        if (e >= 0 && (!int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                       || Math.Abs(exponent) > 400))
            return null;

        var digits = integerPart + fractionPart;
        var point = integerPart.Length + exponent;
        string integer, fraction;
        if (point <= 0)
            (integer, fraction) = ("", new string('0', -point) + digits);
        else if (point >= digits.Length)
            (integer, fraction) = (digits + new string('0', point - digits.Length), "");
        else
            (integer, fraction) = (digits[..point], digits[point..]);
        integer = integer.TrimStart('0');
        fraction = fraction.TrimEnd('0');
        if (integer.Length == 0 && fraction.Length == 0) negative = false;

        var plain = (negative ? "-" : "") + (integer.Length == 0 ? "0" : integer) + (fraction.Length == 0 ? "" : "." + fraction);
        var magnitude = integer.Length == 0 ? BigInteger.Zero : BigInteger.Parse(integer, CultureInfo.InvariantCulture);
        var hasFraction = fraction.Length > 0;
        var floor = negative ? -magnitude - (hasFraction ? 1 : 0) : magnitude;
        return new NumberLiteral(plain, LongBound.FromBigInteger(floor, hasFraction),
            double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Compares plain decimal texts (<c>-12.50</c>, <c>0.001</c>, <c>7</c>: what decimal columns hold) exactly,
/// digit by digit, without going through double (which would round DECIMAL(38) values) or
/// <see cref="decimal"/> (28 digits).
/// </summary>
internal static class DecimalText
{
    /// <summary>False when either side is not a plain decimal number.</summary>
    public static bool TryCompare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out int result)
    {
        result = 0;
        if (!TrySplit(a, out var aNegative, out var aInteger, out var aFraction)
            || !TrySplit(b, out var bNegative, out var bInteger, out var bFraction))
            return false;
        if (aNegative != bNegative)
        {
            result = aNegative ? -1 : 1;
            return true;
        }
        var magnitude = aInteger.Length != bInteger.Length
            ? aInteger.Length.CompareTo(bInteger.Length)
            : aInteger.SequenceCompareTo(bInteger);
        if (magnitude == 0)
        {
            var common = Math.Min(aFraction.Length, bFraction.Length);
            magnitude = aFraction[..common].SequenceCompareTo(bFraction[..common]);
            // Trailing zeros are gone, so the longer fraction has a non-zero digit more.
            if (magnitude == 0) magnitude = aFraction.Length.CompareTo(bFraction.Length);
        }
        result = Math.Sign(magnitude) * (aNegative ? -1 : 1);
        return true;
    }

    /// <summary>Sign, integer digits without leading zeros, fraction digits without trailing zeros; zero is never negative.</summary>
    private static bool TrySplit(ReadOnlySpan<byte> s, out bool negative, out ReadOnlySpan<byte> integer, out ReadOnlySpan<byte> fraction)
    {
        negative = false;
        integer = fraction = default;
        var i = 0;
        if (s.Length > 0 && s[0] is (byte)'-' or (byte)'+')
        {
            negative = s[0] == '-';
            i = 1;
        }
        var integerStart = i;
        while (i < s.Length && char.IsAsciiDigit((char)s[i])) i++;
        integer = s[integerStart..i];
        if (i < s.Length && s[i] == '.')
        {
            var fractionStart = ++i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i])) i++;
            fraction = s[fractionStart..i];
        }
        if (i != s.Length || integer.Length + fraction.Length == 0) return false;
        var lead = 0;
        while (lead < integer.Length && integer[lead] == '0') lead++;
        integer = integer[lead..];
        var end = fraction.Length;
        while (end > 0 && fraction[end - 1] == '0') end--;
        fraction = fraction[..end];
        if (integer.Length == 0 && fraction.Length == 0) negative = false;
        return true;
    }
}
