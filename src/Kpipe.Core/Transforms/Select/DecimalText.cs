using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>Spells a <see cref="ParsedNumber"/> as the plain digits a decimal(p,s) column stores.</summary>
internal static class DecimalText
{
    /// <summary>Longest result: sign, "0", point and 38 fraction digits.</summary>
    public const int MaxLength = ColumnType.MaxDecimalPrecision + 3;

    /// <summary>
    /// Writes the number with exactly <paramref name="scale"/> fraction digits, rounded half away from zero
    /// (what Doris and SQL's ROUND do), e.g. <c>12.50</c>, <c>-0.01</c>, <c>0</c>. False when it needs more than
    /// precision - scale integer digits.
    /// </summary>
    public static bool TryFormat(in ParsedNumber number, int precision, int scale, Span<byte> destination, out int written)
    {
        if (precision is < 1 or > ColumnType.MaxDecimalPrecision || scale < 0 || scale > precision)
            throw new ArgumentOutOfRangeException(nameof(precision), $"decimal({precision},{scale}) is not a valid decimal type.");
        written = 0;
        var maxInteger = precision - scale;
        var integerDigits = number.IntegerDigits;
        if (integerDigits > maxInteger) return false;

        // Slot 0 takes the carry when rounding turns 9.99 into 10.00.
        Span<byte> digits = stackalloc byte[ColumnType.MaxDecimalPrecision + 1];
        var count = (int)integerDigits + scale;
        var first = number.Point - integerDigits;
        for (var i = 0; i < count; i++) digits[i + 1] = (byte)('0' + number.Digit(first + i));
        var begin = 1;
        if (number.Digit(number.Point + scale) >= 5)
        {
            var i = count;
            while (i >= 1 && digits[i] == '9') digits[i--] = (byte)'0';
            if (i >= 1)
            {
                digits[i]++;
            }
            else
            {
                digits[0] = (byte)'1';
                begin = 0;
                if (++integerDigits > maxInteger) return false;
            }
        }
        var kept = digits[begin..(count + 1)];

        var zero = kept.IndexOfAnyExcept((byte)'0') < 0;
        if (number.Negative && !zero) destination[written++] = (byte)'-';
        if (integerDigits == 0)
        {
            destination[written++] = (byte)'0';
        }
        else
        {
            kept[..(int)integerDigits].CopyTo(destination[written..]);
            written += (int)integerDigits;
        }
        if (scale > 0)
        {
            destination[written++] = (byte)'.';
            kept[(int)integerDigits..].CopyTo(destination[written..]);
            written += scale;
        }
        return true;
    }
}
