using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kpipe.TestKit.Doris;

internal enum ConversionStatus
{
    /// <summary>Converted (Value may be null for a NULL source).</summary>
    Ok,

    /// <summary>The text is not a value of the type: NULL in non-strict mode, a filtered row in strict mode.</summary>
    Invalid,

    /// <summary>A CHAR/VARCHAR value longer than the column (in bytes): always a filtered row.</summary>
    TooLong,
}

internal readonly record struct Conversion(ConversionStatus Status, object? Value, int ActualLength = 0)
{
    public static Conversion Ok(object? value) => new(ConversionStatus.Ok, value);

    public static Conversion Invalid => new(ConversionStatus.Invalid, null);
}

/// <summary>
/// Converts loaded fields to column values the way Doris casts the text its readers produce
/// (be/src/util/string_parser.hpp for numbers, vdatetime_value.cpp for dates): surrounding blanks are
/// ignored, numeric strings load into numeric columns, an integer may carry a ".000" suffix but no other
/// fraction, DECIMAL rounds half away from zero to its scale and is invalid when the integer part does not fit.
/// </summary>
internal static class ValueConversion
{
    public static Conversion Convert(in SourceValue value, DorisType type, TimeZoneInfo zone)
    {
        if (value.IsNull)
            return Conversion.Ok(null);

        switch (type.Kind)
        {
            case DorisTypeKind.Char:
            case DorisTypeKind.Varchar:
            {
                var text = value.ScalarText;
                // Length is counted in bytes (be: OlapTableBlockConvertor::_validate_column, "the length of
                // input is too long than schema").
                var bytes = Encoding.UTF8.GetByteCount(text);
                return bytes > type.Length ? new Conversion(ConversionStatus.TooLong, text, bytes) : Conversion.Ok(text);
            }
            case DorisTypeKind.String:
                return Conversion.Ok(value.ScalarText);
            case DorisTypeKind.Json:
                return ToJson(value);
            case DorisTypeKind.Boolean:
                return ToBoolean(value);
            case DorisTypeKind.Date:
                return DorisDateTimeParser.TryParse(value.ScalarText, out var d, out var dOffset, out _)
                    ? Conversion.Ok(DateOnly.FromDateTime(Shift(d, dOffset, zone)))
                    : Conversion.Invalid;
            case DorisTypeKind.DateTime:
                return DorisDateTimeParser.TryParse(value.ScalarText, out var dt, out var offset, out _)
                    ? Conversion.Ok(TruncateFraction(Shift(dt, offset, zone), type.Scale))
                    : Conversion.Invalid;
            case DorisTypeKind.Float:
            {
                if (!TryDouble(value.ScalarText, out var f))
                    return Conversion.Invalid;
                var single = (float)f;
                return float.IsInfinity(single) && !double.IsInfinity(f) ? Conversion.Invalid : Conversion.Ok(single);
            }
            case DorisTypeKind.Double:
                return TryDouble(value.ScalarText, out var dbl) ? Conversion.Ok(dbl) : Conversion.Invalid;
            case DorisTypeKind.Decimal:
                return ToDecimal(value.ScalarText, type);
            default:
                return ToInteger(value.ScalarText, type.Kind);
        }
    }

    /// <summary>The value a column's DEFAULT clause stores; null when the default is NULL or absent.</summary>
    public static object? DefaultOf(DorisColumn column, TimeZoneInfo zone, DateTime nowUtc)
    {
        if (!column.HasDefault || column.DefaultIsNull)
            return null;
        if (column.DefaultIsCurrentTime)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone);
            return column.Type.Kind == DorisTypeKind.Date
                ? DateOnly.FromDateTime(local)
                : TruncateFraction(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), column.Type.Scale);
        }

        var converted = Convert(SourceValue.Of(column.DefaultValue), column.Type, zone);
        return converted.Status == ConversionStatus.Ok
            ? converted.Value
            : throw new ArgumentException($"Invalid default value '{column.DefaultValue}' for column {column.Name} {column.Type}");
    }

    private static DateTime Shift(DateTime local, TimeSpan? offset, TimeZoneInfo zone)
    {
        // Only zone-suffixed times move: they are converted into the load's `timezone` (default Asia/Shanghai);
        // times without a zone are stored as written.
        if (offset is null)
            return local;
        var utc = new DateTimeOffset(local, offset.Value).UtcDateTime;
        return DateTime.SpecifyKind(TimeZoneInfo.ConvertTimeFromUtc(utc, zone), DateTimeKind.Unspecified);
    }

    private static DateTime TruncateFraction(DateTime value, int scale)
    {
        var unit = (long)Math.Pow(10, 7 - scale);
        return new DateTime(value.Ticks - value.Ticks % unit, DateTimeKind.Unspecified);
    }

    private static Conversion ToJson(in SourceValue value)
    {
        // A JSON column takes nested values as they are; a string must itself hold JSON text
        // (Doris parses it with JsonbParser and refuses invalid JSON).
        try
        {
            using var doc = JsonDocument.Parse(value.Text);
            return Conversion.Ok(CompactJson(doc.RootElement));
        }
        catch (JsonException)
        {
            return Conversion.Invalid;
        }
    }

    internal static string CompactJson(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            element.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static Conversion ToBoolean(in SourceValue value)
    {
        var t = value.Text.Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase))
            return Conversion.Ok(true);
        if (t.Equals("false", StringComparison.OrdinalIgnoreCase))
            return Conversion.Ok(false);
        return TryDouble(t, out var d) ? Conversion.Ok(d != 0) : Conversion.Invalid;
    }

    private static bool TryDouble(string text, out double value) =>
        double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static Conversion ToDecimal(string text, DorisType type)
    {
        if (!decimal.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return Conversion.Invalid;
        d = Math.Round(d, type.Scale, MidpointRounding.AwayFromZero);
        var integerDigits = type.Precision - type.Scale;
        if (integerDigits < 28)
        {
            var limit = 1m;
            for (var i = 0; i < integerDigits; i++)
                limit *= 10;
            if (Math.Abs(d) >= limit)
                return Conversion.Invalid;
        }

        // Carry the declared scale so 1.5 in DECIMAL(10,2) reads back (and prints) as 1.50.
        return Conversion.Ok(d + new decimal(0, 0, 0, false, (byte)type.Scale));
    }

    private static Conversion ToInteger(string text, DorisTypeKind kind)
    {
        var s = text.AsSpan().Trim();
        // "12.000" is accepted as 12; "12.5" is not an integer (StringParser::string_to_int, is_float_suffix).
        var dot = s.IndexOf('.');
        if (dot >= 0)
        {
            foreach (var c in s[(dot + 1)..])
            {
                if (c != '0')
                    return Conversion.Invalid;
            }

            s = s[..dot];
        }

        if (s.IsEmpty || !Int128.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return Conversion.Invalid;

        return kind switch
        {
            DorisTypeKind.TinyInt => v >= sbyte.MinValue && v <= sbyte.MaxValue ? Conversion.Ok((sbyte)v) : Conversion.Invalid,
            DorisTypeKind.SmallInt => v >= short.MinValue && v <= short.MaxValue ? Conversion.Ok((short)v) : Conversion.Invalid,
            DorisTypeKind.Int => v >= int.MinValue && v <= int.MaxValue ? Conversion.Ok((int)v) : Conversion.Invalid,
            DorisTypeKind.BigInt => v >= long.MinValue && v <= long.MaxValue ? Conversion.Ok((long)v) : Conversion.Invalid,
            DorisTypeKind.LargeInt => Conversion.Ok(v),
            _ => Conversion.Invalid,
        };
    }
}
