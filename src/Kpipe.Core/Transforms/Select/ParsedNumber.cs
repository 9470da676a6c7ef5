namespace Kpipe.Transforms.Select;

internal enum NumberStatus { Ok, NotWhole, OutOfRange }

/// <summary>
/// A decimal number kept as the digits it was written with, so that conversions are exact whatever its
/// size: a double would lose digits beyond 17 and .NET's decimal beyond 28, and Doris's DECIMAL has 38.
/// The value is <c>0.d0d1d2...</c> (the integer and fraction digits run together) times 10^<see cref="Point"/>.
/// </summary>
internal readonly ref struct ParsedNumber
{
    private readonly ReadOnlySpan<byte> _integer;
    private readonly ReadOnlySpan<byte> _fraction;

    private ParsedNumber(bool negative, ReadOnlySpan<byte> integer, ReadOnlySpan<byte> fraction, long exponent)
    {
        Negative = negative;
        _integer = integer;
        _fraction = fraction;
        Point = integer.Length + exponent;
        FirstNonZero = -1;
        for (var i = 0; i < integer.Length + fraction.Length; i++)
        {
            if (Digit(i) == 0) continue;
            FirstNonZero = i;
            break;
        }
    }

    public bool Negative { get; }

    /// <summary>How many of the digits come before the decimal point once the exponent is applied; may be
    /// negative or beyond the digits (then the missing digits are zeros).</summary>
    public long Point { get; }

    /// <summary>Index of the first non-zero digit, -1 when the value is zero.</summary>
    public int FirstNonZero { get; }

    public int Length => _integer.Length + _fraction.Length;

    /// <summary>Digits of the integer part of the absolute value, leading zeros not counted.</summary>
    public long IntegerDigits => FirstNonZero < 0 ? 0 : Math.Max(0, Point - FirstNonZero);

    /// <summary>The digit at index <paramref name="k"/>; zero outside the written digits.</summary>
    public int Digit(long k)
    {
        if (k < 0 || k >= Length) return 0;
        return (k < _integer.Length ? _integer[(int)k] : _fraction[(int)k - _integer.Length]) - '0';
    }

    /// <summary>
    /// Reads <c>[+-]digits[.digits][e[+-]digits]</c> with surrounding whitespace: every JSON number, plus the
    /// looser spellings people put in strings (<c>+1</c>, <c>.5</c>, <c>5.</c>, <c>007</c>). Not NaN or
    /// Infinity, which no column type can hold.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ParsedNumber number)
    {
        number = default;
        text = text.Trim(" \t\r\n"u8);
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+')
        {
            negative = text[i] == '-';
            i++;
        }
        var start = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        var integer = text[start..i];
        var fraction = ReadOnlySpan<byte>.Empty;
        if (i < text.Length && text[i] == '.')
        {
            start = ++i;
            while (i < text.Length && IsDigit(text[i])) i++;
            fraction = text[start..i];
        }
        if (integer.Length + fraction.Length == 0) return false;
        long exponent = 0;
        if (i < text.Length && text[i] is (byte)'e' or (byte)'E')
        {
            i++;
            var negativeExponent = false;
            if (i < text.Length && text[i] is (byte)'-' or (byte)'+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }
            start = i;
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                // Saturates: 1e12 already puts every digit a document can hold far out of any range, and
                // keeps Point from overflowing.
                if (exponent < 1_000_000_000_000) exponent = exponent * 10 + (text[i] - '0');
            }
            if (i == start) return false;
            if (negativeExponent) exponent = -exponent;
        }
        if (i != text.Length) return false;
        number = new ParsedNumber(negative, integer, fraction, exponent);
        return true;
    }

    /// <summary>
    /// The value times 10^<paramref name="shift"/> as a long. A non-zero fraction is
    /// <see cref="NumberStatus.NotWhole"/>, or with <paramref name="floor"/> rounded toward negative infinity.
    /// </summary>
    public NumberStatus TryGetInt64(int shift, bool floor, out long value)
    {
        value = 0;
        if (FirstNonZero < 0) return NumberStatus.Ok;
        var point = Point + shift;
        var fraction = false;
        for (var k = Math.Clamp(point, FirstNonZero, Length); k < Length; k++)
        {
            if (Digit(k) == 0) continue;
            fraction = true;
            break;
        }
        if (fraction && !floor) return NumberStatus.NotWhole;
        if (point - FirstNonZero > 19) return NumberStatus.OutOfRange;
        // 19 digits always fit a ulong, so range is checked once at the end instead of per digit.
        ulong magnitude = 0;
        for (long k = FirstNonZero; k < point; k++) magnitude = magnitude * 10 + (ulong)Digit(k);
        if (fraction && Negative) magnitude++;
        if (Negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1) return NumberStatus.OutOfRange;
            value = unchecked(-(long)magnitude); // 2^63 wraps to exactly long.MinValue
        }
        else
        {
            if (magnitude > long.MaxValue) return NumberStatus.OutOfRange;
            value = (long)magnitude;
        }
        return NumberStatus.Ok;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
