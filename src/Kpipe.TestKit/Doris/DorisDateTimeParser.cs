namespace Kpipe.TestKit.Doris;

/// <summary>
/// Parses the date/time texts Doris accepts when loading DATE and DATETIME columns:
/// "yyyy-MM-dd", "yyyy/MM/dd", "yyyyMMdd", "yyyyMMddHHmmss", and "yyyy-MM-dd HH:mm[:ss[.fffffff]]"
/// with either a space or "T" between date and time, optionally followed by a zone: "Z", "UTC",
/// "+08:00", "+0800" or "+08". Month, day and time fields may have one digit, as in Doris's
/// DateV2Value::from_date_str (be/src/vec/runtime/vdatetime_value.cpp).
/// </summary>
internal static class DorisDateTimeParser
{
    public static bool TryParse(ReadOnlySpan<char> text, out DateTime value, out TimeSpan? offset, out bool hasTime)
    {
        value = default;
        offset = null;
        hasTime = false;
        var s = text.Trim();
        if (s.IsEmpty)
            return false;

        int year, month, day, hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        var pos = 0;

        if (AllDigits(s) && (s.Length == 8 || s.Length == 14))
        {
            year = Number(s[..4]);
            month = Number(s[4..6]);
            day = Number(s[6..8]);
            if (s.Length == 14)
            {
                hasTime = true;
                hour = Number(s[8..10]);
                minute = Number(s[10..12]);
                second = Number(s[12..14]);
            }

            return Build(year, month, day, hour, minute, second, 0, out value);
        }

        if (!ReadDigits(s, ref pos, 4, 4, out year))
            return false;
        if (pos >= s.Length || (s[pos] != '-' && s[pos] != '/'))
            return false;
        var dateSeparator = s[pos++];
        if (!ReadDigits(s, ref pos, 1, 2, out month))
            return false;
        if (pos >= s.Length || s[pos] != dateSeparator)
            return false;
        pos++;
        if (!ReadDigits(s, ref pos, 1, 2, out day))
            return false;

        if (pos < s.Length && (s[pos] == ' ' || s[pos] == 'T' || s[pos] == 't'))
        {
            var save = pos;
            pos++;
            while (pos < s.Length && s[pos] == ' ')
                pos++;
            if (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                hasTime = true;
                if (!ReadDigits(s, ref pos, 1, 2, out hour))
                    return false;
                if (pos >= s.Length || s[pos] != ':')
                    return false;
                pos++;
                if (!ReadDigits(s, ref pos, 1, 2, out minute))
                    return false;
                if (pos < s.Length && s[pos] == ':')
                {
                    pos++;
                    if (!ReadDigits(s, ref pos, 1, 2, out second))
                        return false;
                    if (pos < s.Length && s[pos] == '.')
                    {
                        pos++;
                        var digits = 0;
                        while (pos < s.Length && char.IsAsciiDigit(s[pos]))
                        {
                            // DateTime holds 7 fractional digits; later ones are dropped.
                            if (digits < 7)
                                fractionTicks = fractionTicks * 10 + (s[pos] - '0');
                            digits++;
                            pos++;
                        }

                        if (digits == 0)
                            return false;
                        for (var i = digits; i < 7; i++)
                            fractionTicks *= 10;
                    }
                }
            }
            else
            {
                pos = save;
            }
        }

        while (pos < s.Length && s[pos] == ' ')
            pos++;
        if (pos < s.Length && !TryParseZone(s[pos..], out offset))
            return false;

        return Build(year, month, day, hour, minute, second, fractionTicks, out value);
    }

    private static bool TryParseZone(ReadOnlySpan<char> z, out TimeSpan? offset)
    {
        offset = null;
        if (z.Equals("Z", StringComparison.OrdinalIgnoreCase) || z.Equals("UTC", StringComparison.OrdinalIgnoreCase)
            || z.Equals("GMT", StringComparison.OrdinalIgnoreCase))
        {
            offset = TimeSpan.Zero;
            return true;
        }

        if (z.Length < 3 || (z[0] != '+' && z[0] != '-'))
            return false;
        var sign = z[0] == '-' ? -1 : 1;
        var rest = z[1..];
        int hours, minutes = 0;
        if (rest.Length == 2 && AllDigits(rest))
        {
            hours = Number(rest);
        }
        else if (rest.Length == 4 && AllDigits(rest))
        {
            hours = Number(rest[..2]);
            minutes = Number(rest[2..]);
        }
        else if (rest.Length == 5 && rest[2] == ':' && AllDigits(rest[..2]) && AllDigits(rest[3..]))
        {
            hours = Number(rest[..2]);
            minutes = Number(rest[3..]);
        }
        else
        {
            return false;
        }

        if (hours > 14 || minutes > 59)
            return false;
        offset = sign * new TimeSpan(hours, minutes, 0);
        return true;
    }

    private static bool Build(int year, int month, int day, int hour, int minute, int second, long fractionTicks, out DateTime value)
    {
        value = default;
        // DateTime cannot hold year 0 (Doris can: 0000-01-01); such values are refused as invalid.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
            return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        return true;
    }

    private static bool ReadDigits(ReadOnlySpan<char> s, ref int pos, int min, int max, out int value)
    {
        value = 0;
        var start = pos;
        while (pos < s.Length && pos - start < max && char.IsAsciiDigit(s[pos]))
        {
            value = value * 10 + (s[pos] - '0');
            pos++;
        }

        return pos - start >= min;
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }

        return true;
    }

    private static int Number(ReadOnlySpan<char> s)
    {
        var v = 0;
        foreach (var c in s)
            v = v * 10 + (c - '0');
        return v;
    }
}
