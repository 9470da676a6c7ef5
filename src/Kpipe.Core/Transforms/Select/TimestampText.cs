namespace Kpipe.Transforms.Select;

/// <summary>A date or date-time as written in an ISO-8601 string, before any zone is applied.</summary>
internal readonly record struct IsoDateTime(int Year, int Month, int Day, long MicrosOfDay, bool HasOffset, int OffsetMinutes);

/// <summary>Reads ISO-8601 strings and epoch numbers into days and microseconds since the Unix epoch.</summary>
internal static class TimestampText
{
    public const long MicrosPerSecond = 1_000_000;
    public const long MicrosPerDay = 86_400 * MicrosPerSecond;

    /// <summary>0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: what DateTime, and Doris's DATETIME, can hold.</summary>
    public const long MinMicros = -62_135_596_800 * MicrosPerSecond;
    public const long MaxMicros = 253_402_300_800 * MicrosPerSecond - 1;

    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    public static long DaysSinceEpoch(in IsoDateTime value) =>
        new DateOnly(value.Year, value.Month, value.Day).DayNumber - UnixEpochDayNumber;

    /// <summary>
    /// Reads <c>yyyy-MM-dd</c>, optionally followed by <c>T</c> (or a space) and <c>HH:mm[:ss[.fraction]]</c>,
    /// optionally followed by <c>Z</c> or an offset <c>+HH:mm</c>, <c>+HHmm</c>, <c>+HH</c>. Fraction digits
    /// beyond microseconds are dropped, which truncates toward the past like every finer digit would.
    /// </summary>
    public static bool TryParseIso(ReadOnlySpan<byte> text, out IsoDateTime value)
    {
        value = default;
        text = text.Trim(" \t\r\n"u8);
        if (text.Length < 10 || text[4] != '-' || text[7] != '-') return false;
        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) ||
            !TryDigits(text.Slice(8, 2), out var day))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        if (text.Length == 10)
        {
            value = new IsoDateTime(year, month, day, 0, false, 0);
            return true;
        }

        if (text[10] is not ((byte)'T' or (byte)'t' or (byte)' ')) return false;
        var rest = text[11..];
        if (rest.Length < 5 || rest[2] != ':' || !TryDigits(rest[..2], out var hour) ||
            !TryDigits(rest.Slice(3, 2), out var minute))
            return false;
        rest = rest[5..];
        var second = 0;
        if (rest.Length > 0 && rest[0] == ':')
        {
            if (rest.Length < 3 || !TryDigits(rest.Slice(1, 2), out second)) return false;
            rest = rest[3..];
        }
        if (hour > 23 || minute > 59 || second > 59) return false;
        long micros = ((hour * 60L + minute) * 60 + second) * MicrosPerSecond;
        if (rest.Length > 0 && rest[0] == '.')
        {
            var i = 1;
            long fraction = 0;
            var scale = MicrosPerSecond;
            for (; i < rest.Length && (uint)(rest[i] - '0') <= 9; i++)
            {
                if (scale == 1) continue;
                scale /= 10;
                fraction += (rest[i] - '0') * scale;
            }
            if (i == 1) return false;
            micros += fraction;
            rest = rest[i..];
        }

        var hasOffset = false;
        var offset = 0;
        if (rest.Length > 0)
        {
            hasOffset = true;
            if (rest is [(byte)'Z' or (byte)'z'])
            {
                rest = [];
            }
            else if (rest[0] is (byte)'+' or (byte)'-')
            {
                var sign = rest[0] == '-' ? -1 : 1;
                if (rest.Length < 3 || !TryDigits(rest.Slice(1, 2), out var offsetHours)) return false;
                rest = rest[3..];
                var offsetMinutes = 0;
                if (rest.Length > 0)
                {
                    if (rest[0] == ':') rest = rest[1..];
                    if (rest.Length != 2 || !TryDigits(rest, out offsetMinutes)) return false;
                    rest = [];
                }
                if (offsetHours > 23 || offsetMinutes > 59) return false;
                offset = sign * (offsetHours * 60 + offsetMinutes);
            }
            if (rest.Length > 0) return false;
        }
        value = new IsoDateTime(year, month, day, micros, hasOffset, offset);
        return true;
    }

    /// <summary>The instant in microseconds since the epoch; may fall outside <see cref="MinMicros"/>..<see
    /// cref="MaxMicros"/> when an offset moves a date at the ends of the calendar across them.</summary>
    public static long ToUtcMicros(in IsoDateTime value, TimeZoneInfo zonelessZone)
    {
        var local = DaysSinceEpoch(value) * MicrosPerDay + value.MicrosOfDay;
        if (value.HasOffset) return local - value.OffsetMinutes * 60 * MicrosPerSecond;
        if (ReferenceEquals(zonelessZone, TimeZoneInfo.Utc)) return local;
        // For a wall-clock time a daylight-saving change skips or repeats, .NET answers the standard offset.
        var wallClock = new DateTime(DateTime.UnixEpoch.Ticks + local * 10, DateTimeKind.Unspecified);
        return local - zonelessZone.GetUtcOffset(wallClock).Ticks / 10;
    }

    /// <summary>
    /// An epoch number in microseconds. With <see cref="EpochUnit.Auto"/> the unit follows the magnitude of the
    /// absolute value (below 1e11 seconds, 1e14 milliseconds, 1e17 microseconds, else nanoseconds), which places
    /// "now" correctly in every unit for dates between 1973 and 5138. Finer-than-microsecond parts are rounded
    /// toward the past, as the fraction digits of an ISO string are.
    /// </summary>
    public static NumberStatus TryEpochToMicros(in ParsedNumber number, EpochUnit unit, out long micros)
    {
        if (unit == EpochUnit.Auto)
        {
            var digits = number.IntegerDigits;
            unit = digits <= 11 ? EpochUnit.Seconds
                : digits <= 14 ? EpochUnit.Milliseconds
                : digits <= 17 ? EpochUnit.Microseconds
                : EpochUnit.Nanoseconds;
        }
        var shift = unit switch
        {
            EpochUnit.Seconds => 6,
            EpochUnit.Milliseconds => 3,
            EpochUnit.Microseconds => 0,
            _ => -3,
        };
        var status = number.TryGetInt64(shift, floor: true, out micros);
        return status == NumberStatus.Ok && micros is < MinMicros or > MaxMicros ? NumberStatus.OutOfRange : status;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if ((uint)(b - '0') > 9) return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
