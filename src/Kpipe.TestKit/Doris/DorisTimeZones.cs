using System.Globalization;

namespace Kpipe.TestKit.Doris;

/// <summary>Resolves the `timezone` header the way Doris's TimezoneUtils does for the common forms.</summary>
internal static class DorisTimeZones
{
    /// <summary>Doris's default load time zone (be: config / fe: TimeUtils.DEFAULT_TIME_ZONE).</summary>
    public const string DefaultZone = "Asia/Shanghai";

    public static TimeZoneInfo? Resolve(string id)
    {
        var name = id.Trim();
        if (name.Length == 0)
            return null;

        // Doris maps CST to Asia/Shanghai (fe: TimeUtils, timeZoneAliasMap "CST" -> "Asia/Shanghai").
        if (name.Equals("CST", StringComparison.OrdinalIgnoreCase))
            name = DefaultZone;
        if (name.Equals("UTC", StringComparison.OrdinalIgnoreCase) || name.Equals("GMT", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Z", StringComparison.OrdinalIgnoreCase))
            return TimeZoneInfo.Utc;

        if (name[0] is '+' or '-')
        {
            // "+08:00" style offsets.
            if (TimeSpan.TryParseExact(name[1..], @"hh\:mm", CultureInfo.InvariantCulture, out var offset) && offset <= TimeSpan.FromHours(14))
            {
                var signed = name[0] == '-' ? -offset : offset;
                return TimeZoneInfo.CreateCustomTimeZone(name, signed, name, name);
            }

            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Machines without tzdata still get the default zone right: Asia/Shanghai has no DST since 1991.
            return name.Equals(DefaultZone, StringComparison.OrdinalIgnoreCase)
                ? TimeZoneInfo.CreateCustomTimeZone(DefaultZone, TimeSpan.FromHours(8), DefaultZone, DefaultZone)
                : null;
        }
    }
}
