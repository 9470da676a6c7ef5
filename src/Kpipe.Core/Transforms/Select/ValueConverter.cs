using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>
/// Converts one JSON value, read straight from the message bytes, into a typed column cell. The rules are the
/// table in docs/types.md. Scalars convert without allocating: strings are read from the reader's span (or
/// unescaped into a stack or pooled buffer) and only the arena keeps bytes.
/// </summary>
public static class ValueConverter
{
    /// <summary>Escaped strings up to this size unescape on the stack; longer ones use a pooled buffer.</summary>
    private const int StackBufferSize = 256;

    /// <summary>
    /// Writes the value the reader is on (a String, Number, True, False, Null, StartObject or StartArray token
    /// of <paramref name="document"/>, the whole buffer the reader reads) into <paramref name="column"/> at
    /// <paramref name="row"/>; JSON null becomes a null cell. Whatever the outcome the reader is left on the
    /// value's last token, so the caller's next <c>Read()</c> continues after the value. On failure the cell is
    /// not touched and <paramref name="error"/> says why in a few words.
    /// </summary>
    /// <exception cref="JsonException">An object or array is not valid JSON.</exception>
    public static bool TryWrite(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ColumnVector column, int row,
        ConversionOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(options);
        if (reader.HasValueSequence)
            throw new ArgumentException("The reader must read the document span, not a sequence.", nameof(reader));
        error = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                column.SetNull(row);
                return true;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                return WriteContainer(document, ref reader, column, row, out error);
            case JsonTokenType.String:
                return WriteString(document, ref reader, column, row, options, out error);
            case JsonTokenType.Number:
                return WriteNumber(reader.ValueSpan, column, row, options, out error);
            case JsonTokenType.True or JsonTokenType.False:
                return WriteBool(reader.TokenType == JsonTokenType.True, column, row, out error);
            default:
                throw new InvalidOperationException($"The reader must be on a value, not on {reader.TokenType}.");
        }
    }

    private static bool WriteContainer(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ColumnVector column,
        int row, out string? error)
    {
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        if (column.Type.Kind == ColumnKind.Json) return WriteJsonText(document[start..(int)reader.BytesConsumed], column, row, out error);
        error = $"{(isObject ? "an object" : "an array")} cannot be cast to {column.Type}; declare the column as json to keep it as JSON text";
        return false;
    }

    private static bool WriteJsonText(ReadOnlySpan<byte> raw, ColumnVector column, int row, out string? error)
    {
        // The reader does not check UTF-8 inside strings, and the sinks copy JSON columns verbatim.
        if (!Utf8.IsValid(raw))
        {
            error = "not valid UTF-8 text";
            return false;
        }
        column.SetBytes(row, raw);
        error = null;
        return true;
    }

    private static bool WriteString(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ColumnVector column, int row,
        ConversionOptions options, out string? error)
    {
        if (column.Type.Kind == ColumnKind.Json)
            return WriteJsonText(document[(int)reader.TokenStartIndex..(int)reader.BytesConsumed], column, row, out error);
        var escaped = reader.ValueSpan;
        if (!reader.ValueIsEscaped) return WriteText(escaped, column, row, options, out error);

        byte[]? rented = null;
        // Unescaping never lengthens a string.
        var buffer = escaped.Length <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(escaped.Length));
        try
        {
            int length;
            try
            {
                length = reader.CopyString(buffer);
            }
            catch (InvalidOperationException)
            {
                // Invalid UTF-8 or a lone surrogate escape such as \ud800.
                error = "not valid Unicode text";
                return false;
            }
            return WriteText(buffer[..length], column, row, options, out error);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Converts the unescaped text of a JSON string.</summary>
    private static bool WriteText(ReadOnlySpan<byte> text, ColumnVector column, int row, ConversionOptions options,
        out string? error)
    {
        error = null;
        var type = column.Type;
        switch (type.Kind)
        {
            case ColumnKind.String:
                if (!Utf8.IsValid(text))
                {
                    error = "not valid UTF-8 text";
                    return false;
                }
                column.SetBytes(row, text);
                return true;
            case ColumnKind.Bool:
                var trimmed = text.Trim(" \t\r\n"u8);
                if (Ascii.EqualsIgnoreCase(trimmed, "true"u8)) column.SetLong(row, 1);
                else if (Ascii.EqualsIgnoreCase(trimmed, "false"u8)) column.SetLong(row, 0);
                else return Fail(NotABool, out error);
                return true;
            case ColumnKind.Int or ColumnKind.Long or ColumnKind.Decimal:
                return ParsedNumber.TryParse(text, out var number)
                    ? WriteExactNumber(number, column, row, out error)
                    : Fail(NotANumber, out error);
            case ColumnKind.Double:
                return ParsedNumber.TryParse(text, out _)
                    ? WriteDouble(text, column, row, out error)
                    : Fail(NotANumber, out error);
            case ColumnKind.Date:
                if (!TimestampText.TryParseIso(text, out var date)) return Fail("not an ISO-8601 date or timestamp", out error);
                // The calendar date as written, even when an offset follows: a date column records the day the
                // producer meant, which converting to another zone could move by one.
                column.SetLong(row, TimestampText.DaysSinceEpoch(date));
                return true;
            case ColumnKind.Timestamp:
                if (ParsedNumber.TryParse(text, out var epoch)) return WriteEpoch(epoch, column, row, options, out error);
                if (!TimestampText.TryParseIso(text, out var instant)) return Fail("not an ISO-8601 timestamp or epoch number", out error);
                var micros = TimestampText.ToUtcMicros(instant, options.ZonelessTimeZone);
                if (micros is < TimestampText.MinMicros or > TimestampText.MaxMicros) return Fail(TimestampOutOfRange, out error);
                column.SetLong(row, micros);
                return true;
            default:
                throw new InvalidOperationException($"No conversion to {type}.");
        }
    }

    /// <summary>Converts a JSON number token, given its literal text.</summary>
    private static bool WriteNumber(ReadOnlySpan<byte> text, ColumnVector column, int row, ConversionOptions options,
        out string? error)
    {
        error = null;
        switch (column.Type.Kind)
        {
            case ColumnKind.String or ColumnKind.Json:
                column.SetBytes(row, text);
                return true;
            case ColumnKind.Double:
                return WriteDouble(text, column, row, out error);
            case ColumnKind.Date:
                return Fail("a number cannot be cast to date; declare the column as timestamp for epoch values", out error);
        }
        if (!ParsedNumber.TryParse(text, out var number)) return Fail(NotANumber, out error);
        switch (column.Type.Kind)
        {
            case ColumnKind.Bool:
                if (number.TryGetInt64(0, floor: false, out var flag) != NumberStatus.Ok || flag is not (0 or 1))
                    return Fail(NotABool, out error);
                column.SetLong(row, flag);
                return true;
            case ColumnKind.Timestamp:
                return WriteEpoch(number, column, row, options, out error);
            default:
                return WriteExactNumber(number, column, row, out error);
        }
    }

    private static bool WriteBool(bool value, ColumnVector column, int row, out string? error)
    {
        error = null;
        switch (column.Type.Kind)
        {
            case ColumnKind.String or ColumnKind.Json:
                column.SetBytes(row, value ? "true"u8 : "false"u8);
                return true;
            case ColumnKind.Bool:
                column.SetLong(row, value ? 1 : 0);
                return true;
            default:
                return Fail($"a bool cannot be cast to {column.Type}", out error);
        }
    }

    /// <summary>Int, long and decimal: from the digits, never through a double.</summary>
    private static bool WriteExactNumber(in ParsedNumber number, ColumnVector column, int row, out string? error)
    {
        error = null;
        var type = column.Type;
        if (type.Kind == ColumnKind.Decimal)
        {
            Span<byte> text = stackalloc byte[DecimalText.MaxLength];
            if (!DecimalText.TryFormat(number, type.Precision, type.Scale, text, out var written))
                return Fail($"does not fit {type}", out error);
            column.SetBytes(row, text[..written]);
            return true;
        }
        var status = number.TryGetInt64(0, floor: false, out var value);
        if (status == NumberStatus.Ok && type.Kind == ColumnKind.Int && value is < int.MinValue or > int.MaxValue)
            status = NumberStatus.OutOfRange;
        switch (status)
        {
            case NumberStatus.NotWhole:
                return Fail("not a whole number", out error);
            case NumberStatus.OutOfRange:
                return Fail(type.Kind == ColumnKind.Int ? "out of range for int" : "out of range for long", out error);
            default:
                column.SetLong(row, value);
                return true;
        }
    }

    private static bool WriteDouble(ReadOnlySpan<byte> text, ColumnVector column, int row, out string? error)
    {
        error = null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return Fail(NotANumber, out error);
        // .NET parses 1e400 as infinity; a column of finite numbers should not silently hold one.
        if (!double.IsFinite(value)) return Fail("out of range for double", out error);
        column.SetDouble(row, value);
        return true;
    }

    private static bool WriteEpoch(in ParsedNumber number, ColumnVector column, int row, ConversionOptions options,
        out string? error)
    {
        error = null;
        if (TimestampText.TryEpochToMicros(number, options.EpochUnit, out var micros) != NumberStatus.Ok)
            return Fail(TimestampOutOfRange, out error);
        column.SetLong(row, micros);
        return true;
    }

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }

    private const string NotANumber = "not a number";
    private const string NotABool = "not a bool (expected true, false, \"true\", \"false\", 1 or 0)";
    private const string TimestampOutOfRange = "out of range for timestamp (years 0001 to 9999)";
}
