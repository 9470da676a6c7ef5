using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Unicode;
using Kpipe.Rows;
using Kpipe.Transforms.Select;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Converts one value of a Debezium change event, written by Kafka's JSON converter, into a typed column cell
/// using the value's Kafka Connect schema: epoch days, milli/micro/nanosecond timestamps and times, base64
/// decimals. Values whose schema carries no meaning beyond the JSON go through <see cref="ValueConverter"/>.
/// The rules are the table in docs/cdc-types.md.
/// </summary>
public static partial class DebeziumValueDecoder
{
    private const string DebeziumDate = "io.debezium.time.Date";
    private const string ConnectDate = "org.apache.kafka.connect.data.Date";
    private const string DebeziumTime = "io.debezium.time.Time";
    private const string MicroTime = "io.debezium.time.MicroTime";
    private const string NanoTime = "io.debezium.time.NanoTime";
    private const string ConnectTime = "org.apache.kafka.connect.data.Time";
    private const string DebeziumTimestamp = "io.debezium.time.Timestamp";
    private const string MicroTimestamp = "io.debezium.time.MicroTimestamp";
    private const string NanoTimestamp = "io.debezium.time.NanoTimestamp";
    private const string ConnectTimestamp = "org.apache.kafka.connect.data.Timestamp";
    private const string ConnectDecimal = "org.apache.kafka.connect.data.Decimal";
    private const string VariableScaleDecimal = "io.debezium.data.VariableScaleDecimal";
    private const string DebeziumJson = "io.debezium.data.Json";
    private const string Bits = "io.debezium.data.Bits";

    private const int StackBufferSize = 256;

    /// <summary>Beyond any database's decimal (PostgreSQL's NUMERIC stops near 131072 digits, about 54 KB), so
    /// only a corrupt value reaches it; it bounds what one cell can make the decoder allocate.</summary>
    private const int MaxDecimalBytes = 64 * 1024;

    private const int MaxDecimalScale = 65_536;

    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
    private static readonly long MinDays = DateOnly.MinValue.DayNumber - UnixEpochDayNumber;
    private static readonly long MaxDays = DateOnly.MaxValue.DayNumber - UnixEpochDayNumber;

    private static readonly ConversionOptions UtcOptions = new();
    private static ZoneOptions? s_lastZone;

    private enum Unit { Milliseconds, Microseconds, Nanoseconds }

    private sealed record ZoneOptions(TimeZoneInfo Zone, ConversionOptions Options);

    /// <summary>
    /// Writes the value the reader is on (a value token of <paramref name="document"/>, the whole buffer the reader
    /// reads), described by <paramref name="schema"/>, into <paramref name="column"/> at <paramref name="row"/>; JSON
    /// null becomes a null cell. Whatever the outcome the reader is left on the value's last token. On failure the
    /// cell is not touched and <paramref name="error"/> says why. <paramref name="zone"/> is the zone of zoneless
    /// timestamp strings handed to <see cref="ValueConverter"/>; Debezium's own zoneless timestamps
    /// (<c>io.debezium.time.Timestamp</c> and its kin) are read as UTC whatever it is, see docs/cdc-types.md.
    /// </summary>
    /// <exception cref="JsonException">An object or array is not valid JSON.</exception>
    public static bool TryWrite(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ConnectFieldSchema schema,
        ColumnVector column, int row, TimeZoneInfo zone, out string? error)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(zone);
        if (reader.HasValueSequence)
            throw new ArgumentException("The reader must read the document span, not a sequence.", nameof(reader));
        if (reader.TokenType == JsonTokenType.Null)
        {
            column.SetNull(row);
            error = null;
            return true;
        }

        var token = reader.TokenType;
        switch (schema.Name)
        {
            case DebeziumDate or ConnectDate when token == JsonTokenType.Number:
                return TryReadWhole(ref reader, out var days, out error) && WriteDays(days, schema.Name, column, row, out error);
            case DebeziumTime or ConnectTime when token == JsonTokenType.Number:
                return WriteTime(ref reader, Unit.Milliseconds, schema.Name, column, row, out error);
            case MicroTime when token == JsonTokenType.Number:
                return WriteTime(ref reader, Unit.Microseconds, schema.Name, column, row, out error);
            case NanoTime when token == JsonTokenType.Number:
                return WriteTime(ref reader, Unit.Nanoseconds, schema.Name, column, row, out error);
            case DebeziumTimestamp or ConnectTimestamp when token == JsonTokenType.Number:
                return WriteInstant(ref reader, Unit.Milliseconds, schema.Name, column, row, out error);
            case MicroTimestamp when token == JsonTokenType.Number:
                return WriteInstant(ref reader, Unit.Microseconds, schema.Name, column, row, out error);
            case NanoTimestamp when token == JsonTokenType.Number:
                return WriteInstant(ref reader, Unit.Nanoseconds, schema.Name, column, row, out error);
            // With decimal.handling.mode=string or double, or the JSON converter's decimal.format=NUMERIC, the
            // value is a plain string or number and falls through to ValueConverter.
            case ConnectDecimal when token == JsonTokenType.String && schema.Type == "bytes":
                return WriteFixedScaleDecimal(document, ref reader, schema, column, row, out error);
            case VariableScaleDecimal when token == JsonTokenType.StartObject:
                return WriteVariableScaleDecimal(document, ref reader, column, row, out error);
            case DebeziumJson when token == JsonTokenType.String && column.Type.Kind == ColumnKind.Json:
                return WriteJsonDocument(ref reader, column, row, out error);
            case Bits when token == JsonTokenType.String && schema.Type == "bytes":
                return WriteBits(ref reader, schema, column, row, out error);
            // Arrays of plain values already read right by the generic rules; named elements need decoding one by one.
            case var _ when token == JsonTokenType.StartArray && schema.Type == "array" && schema.Fields is [{ Name: not null }]
                && column.Type.Kind is ColumnKind.Json or ColumnKind.String:
                return WriteArray(document, ref reader, schema.Fields[0], column, row, zone, out error);
            default:
                return ValueConverter.TryWrite(document, ref reader, column, row, OptionsFor(zone), out error);
        }
    }

    private static ConversionOptions OptionsFor(TimeZoneInfo zone)
    {
        if (ReferenceEquals(zone, TimeZoneInfo.Utc)) return UtcOptions;
        // One cached pair is enough: a pipeline decodes with one zone, and a miss only costs an allocation.
        var last = s_lastZone;
        if (last is not null && ReferenceEquals(last.Zone, zone)) return last.Options;
        last = new ZoneOptions(zone, new ConversionOptions { ZonelessTimeZone = zone });
        s_lastZone = last;
        return last.Options;
    }

    // ---- temporal values ----

    private static bool TryReadWhole(ref Utf8JsonReader reader, out long value, out string? error)
    {
        error = null;
        if (reader.TryGetInt64(out value)) return true;
        // Connect writes whole numbers plainly; 1.0 or 1e3 only come from hand-made messages, read them exactly.
        if (ParsedNumber.TryParse(reader.ValueSpan, out var number))
        {
            switch (number.TryGetInt64(0, floor: false, out value))
            {
                case NumberStatus.Ok:
                    return true;
                case NumberStatus.NotWhole:
                    return Fail("not a whole number", out error);
            }
        }
        return Fail("out of range for long", out error);
    }

    private static bool WriteDays(long days, string name, ColumnVector column, int row, out string? error)
    {
        error = null;
        var kind = column.Type.Kind;
        if (kind is ColumnKind.Int or ColumnKind.Long) return WriteWhole(days, column, row, out error);
        if (days < MinDays || days > MaxDays) return Fail(DateOutOfRange, out error);
        switch (kind)
        {
            case ColumnKind.Date:
                column.SetLong(row, days);
                return true;
            case ColumnKind.Timestamp:
                column.SetLong(row, days * TimestampText.MicrosPerDay);
                return true;
            case ColumnKind.String or ColumnKind.Json:
                Span<byte> text = stackalloc byte[12];
                var length = FormatDate(days, text[1..]);
                WriteText(text, length, column, row);
                return true;
            default:
                return Fail(CannotCast(name, column.Type, "date, timestamp, string or long"), out error);
        }
    }

    private static bool WriteTime(ref Utf8JsonReader reader, Unit unit, string name, ColumnVector column, int row,
        out string? error)
    {
        if (!TryReadWhole(ref reader, out var value, out error)) return false;
        if (!TryToMicros(value, unit, out var micros)) return Fail("out of range for long", out error);
        switch (column.Type.Kind)
        {
            case ColumnKind.Int or ColumnKind.Long:
                return WriteWhole(micros, column, row, out error);
            case ColumnKind.String or ColumnKind.Json:
                // MySQL's TIME also holds durations (-838:59:59 to 838:59:59), which Debezium's time types cannot
                // carry faithfully; refusing them beats printing a wrong clock time.
                if (micros < 0 || micros >= TimestampText.MicrosPerDay)
                    return Fail("out of range for a time of day (00:00:00 to 23:59:59.999999)", out error);
                Span<byte> text = stackalloc byte[18];
                var length = FormatTimeOfDay(micros, text[1..]);
                WriteText(text, length, column, row);
                return true;
            default:
                return Fail(CannotCast(name, column.Type, "string or long (microseconds of the day)"), out error);
        }
    }

    /// <summary>Debezium's zoneless timestamps: the source's wall-clock time written as if it were UTC, which
    /// is how it is read back (see docs/cdc-types.md).</summary>
    private static bool WriteInstant(ref Utf8JsonReader reader, Unit unit, string name, ColumnVector column, int row,
        out string? error)
    {
        if (!TryReadWhole(ref reader, out var value, out error)) return false;
        if (!TryToMicros(value, unit, out var micros)) return Fail(TimestampOutOfRange, out error);
        var kind = column.Type.Kind;
        if (kind is ColumnKind.Int or ColumnKind.Long) return WriteWhole(micros, column, row, out error);
        // PostgreSQL's 'infinity' arrives as 9223372036825200000 and lands here.
        if (micros is < TimestampText.MinMicros or > TimestampText.MaxMicros) return Fail(TimestampOutOfRange, out error);
        switch (kind)
        {
            case ColumnKind.Timestamp:
                column.SetLong(row, micros);
                return true;
            case ColumnKind.Date:
                column.SetLong(row, FloorDiv(micros, TimestampText.MicrosPerDay));
                return true;
            case ColumnKind.String or ColumnKind.Json:
                Span<byte> text = stackalloc byte[30];
                var days = FloorDiv(micros, TimestampText.MicrosPerDay);
                var length = FormatDate(days, text[1..]);
                text[1 + length++] = (byte)'T';
                length += FormatTimeOfDay(micros - days * TimestampText.MicrosPerDay, text[(1 + length)..]);
                WriteText(text, length, column, row);
                return true;
            default:
                return Fail(CannotCast(name, column.Type, "timestamp, date, string or long (microseconds since the epoch)"), out error);
        }
    }

    private static bool TryToMicros(long value, Unit unit, out long micros)
    {
        switch (unit)
        {
            case Unit.Milliseconds:
                micros = 0;
                if (value is > long.MaxValue / 1000 or < long.MinValue / 1000) return false;
                micros = value * 1000;
                return true;
            case Unit.Microseconds:
                micros = value;
                return true;
            default:
                // Toward the past, as ValueConverter drops digits finer than a microsecond.
                micros = FloorDiv(value, 1000);
                return true;
        }
    }

    private static long FloorDiv(long value, long divisor)
    {
        var quotient = Math.DivRem(value, divisor, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private static bool WriteWhole(long value, ColumnVector column, int row, out string? error)
    {
        error = null;
        if (column.Type.Kind == ColumnKind.Int && value is < int.MinValue or > int.MaxValue)
            return Fail("out of range for int", out error);
        column.SetLong(row, value);
        return true;
    }

    /// <summary>Stores <paramref name="length"/> bytes of text written at <c>buffer[1..]</c>: as they are in a string
    /// column, quoted in a json column (the text never needs escaping).</summary>
    private static void WriteText(Span<byte> buffer, int length, ColumnVector column, int row)
    {
        if (column.Type.Kind == ColumnKind.Json)
        {
            buffer[0] = (byte)'"';
            buffer[length + 1] = (byte)'"';
            column.SetBytes(row, buffer[..(length + 2)]);
        }
        else
        {
            column.SetBytes(row, buffer.Slice(1, length));
        }
    }

    /// <summary><c>yyyy-MM-dd</c>; the caller has checked the day is within years 0001 to 9999.</summary>
    private static int FormatDate(long days, Span<byte> destination)
    {
        var date = DateOnly.FromDayNumber((int)(UnixEpochDayNumber + days));
        Write2(destination, date.Year / 100);
        Write2(destination[2..], date.Year % 100);
        destination[4] = (byte)'-';
        Write2(destination[5..], date.Month);
        destination[7] = (byte)'-';
        Write2(destination[8..], date.Day);
        return 10;
    }

    /// <summary><c>HH:mm:ss</c>, then <c>.ffffff</c> when the fraction is not zero.</summary>
    private static int FormatTimeOfDay(long micros, Span<byte> destination)
    {
        var seconds = micros / TimestampText.MicrosPerSecond;
        var fraction = (int)(micros % TimestampText.MicrosPerSecond);
        Write2(destination, (int)(seconds / 3600));
        destination[2] = (byte)':';
        Write2(destination[3..], (int)(seconds / 60 % 60));
        destination[5] = (byte)':';
        Write2(destination[6..], (int)(seconds % 60));
        if (fraction == 0) return 8;
        destination[8] = (byte)'.';
        for (var i = 14; i > 8; i--)
        {
            destination[i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }
        return 15;
    }

    private static void Write2(Span<byte> destination, int value)
    {
        destination[0] = (byte)('0' + value / 10);
        destination[1] = (byte)('0' + value % 10);
    }

    // ---- decimals ----

    private static bool WriteFixedScaleDecimal(ReadOnlySpan<byte> document, ref Utf8JsonReader reader,
        ConnectFieldSchema schema, ColumnVector column, int row, out string? error)
    {
        if (!schema.Parameters.TryGetValue("scale", out var scaleText) ||
            !int.TryParse(scaleText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var scale))
            return Fail("the Decimal schema has no whole 'scale' parameter", out error);
        var quoted = document[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
        return WriteBase64Decimal(quoted, reader.ValueIsEscaped, scale, column, row, out error);
    }

    /// <summary>Reads <c>{"scale": 2, "value": "MDk="}</c> in any order, leaving the reader on its EndObject.</summary>
    private static bool WriteVariableScaleDecimal(ReadOnlySpan<byte> document, ref Utf8JsonReader reader,
        ColumnVector column, int row, out string? error)
    {
        int? scale = null;
        int valueStart = -1, valueEnd = -1;
        var valueEscaped = false;
        var valueNull = false;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isScale = reader.ValueTextEquals("scale"u8);
            var isValue = !isScale && reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isScale)
            {
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var s)) scale = s;
                else problem ??= "the scale of a VariableScaleDecimal is not a 32-bit integer";
            }
            else if (isValue)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    valueStart = (int)reader.TokenStartIndex;
                    valueEnd = (int)reader.BytesConsumed;
                    valueEscaped = reader.ValueIsEscaped;
                }
                else if (reader.TokenType == JsonTokenType.Null)
                {
                    valueNull = true;
                }
                else
                {
                    problem ??= "the value of a VariableScaleDecimal is not a base64 string";
                }
            }
            // Only moves when an unknown property holds an object or array.
            reader.Skip();
        }

        if (problem is not null) return Fail(problem, out error);
        if (valueNull)
        {
            column.SetNull(row);
            error = null;
            return true;
        }
        if (valueStart < 0 || scale is null) return Fail("a VariableScaleDecimal needs both 'scale' and 'value'", out error);
        return WriteBase64Decimal(document[valueStart..valueEnd], valueEscaped, scale.Value, column, row, out error);
    }

    /// <summary>Decodes a JSON string token (with its quotes) holding the base64 of a big-endian two's-complement
    /// unscaled integer, and writes unscaled × 10^-scale.</summary>
    private static bool WriteBase64Decimal(ReadOnlySpan<byte> quoted, bool escaped, int scale, ColumnVector column,
        int row, out string? error)
    {
        if (scale is < -MaxDecimalScale or > MaxDecimalScale) return Fail("decimal scale out of range", out error);
        byte[]? rentedText = null, rentedBytes = null;
        try
        {
            scoped var base64 = quoted[1..^1];
            if (escaped)
            {
                // JSON writers may escape '+' or '/' (System.Text.Json writes \u002B); unescaping never lengthens.
                Span<byte> unescaped = base64.Length <= StackBufferSize
                    ? stackalloc byte[StackBufferSize]
                    : (rentedText = ArrayPool<byte>.Shared.Rent(base64.Length));
                var tokenReader = new Utf8JsonReader(quoted);
                tokenReader.Read();
                try
                {
                    base64 = unescaped[..tokenReader.CopyString(unescaped)];
                }
                catch (InvalidOperationException)
                {
                    return Fail("not valid Unicode text", out error);
                }
            }

            var maxBytes = Base64.GetMaxDecodedFromUtf8Length(base64.Length);
            if (maxBytes > MaxDecimalBytes + 3) return Fail("decimal too large", out error);
            Span<byte> bytes = maxBytes <= 64
                ? stackalloc byte[64]
                : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
            if (Base64.DecodeFromUtf8(base64, bytes, out _, out var count) != OperationStatus.Done)
                return Fail("not a base64 decimal", out error);
            if (count == 0) return Fail("not a base64 decimal (no bytes)", out error);
            return WriteUnscaled(bytes[..count], scale, column, row, out error);
        }
        finally
        {
            if (rentedText is not null) ArrayPool<byte>.Shared.Return(rentedText);
            if (rentedBytes is not null) ArrayPool<byte>.Shared.Return(rentedBytes);
        }
    }

    private static bool WriteUnscaled(ReadOnlySpan<byte> bigEndian, int scale, ColumnVector column, int row, out string? error)
    {
        byte[]? rentedDigits = null, rentedText = null;
        try
        {
            // 16 bytes hold 38 digits, Doris's largest DECIMAL: Int128 keeps those off the heap.
            Span<byte> smallDigits = stackalloc byte[40];
            scoped ReadOnlySpan<byte> digits;
            bool negative;
            if (bigEndian.Length <= 16)
            {
                Int128 value = (bigEndian[0] & 0x80) != 0 ? Int128.NegativeOne : Int128.Zero;
                foreach (var b in bigEndian) value = (value << 8) | b;
                negative = value < 0;
                var magnitude = negative ? (UInt128)(-(value + 1)) + 1 : (UInt128)value;
                magnitude.TryFormat(smallDigits, out var written, default, CultureInfo.InvariantCulture);
                digits = smallDigits[..written];
            }
            else
            {
                var value = new BigInteger(bigEndian, isUnsigned: false, isBigEndian: true);
                negative = value.Sign < 0;
                var text = BigInteger.Abs(value).ToString(CultureInfo.InvariantCulture);
                rentedDigits = ArrayPool<byte>.Shared.Rent(text.Length);
                for (var i = 0; i < text.Length; i++) rentedDigits[i] = (byte)text[i];
                digits = rentedDigits.AsSpan(0, text.Length);
            }

            var length = (negative ? 1 : 0) + (scale <= 0 ? digits.Length - scale : Math.Max(digits.Length, scale + 1) + 1);
            Span<byte> plain = length <= StackBufferSize
                ? stackalloc byte[StackBufferSize]
                : (rentedText = ArrayPool<byte>.Shared.Rent(length));
            var at = 0;
            if (negative) plain[at++] = (byte)'-';
            if (scale <= 0)
            {
                digits.CopyTo(plain[at..]);
                at += digits.Length;
                plain.Slice(at, -scale).Fill((byte)'0');
                at += -scale;
            }
            else
            {
                var integerDigits = digits.Length - scale;
                if (integerDigits <= 0)
                {
                    plain[at++] = (byte)'0';
                    plain[at++] = (byte)'.';
                    plain.Slice(at, -integerDigits).Fill((byte)'0');
                    at += -integerDigits;
                    digits.CopyTo(plain[at..]);
                    at += digits.Length;
                }
                else
                {
                    digits[..integerDigits].CopyTo(plain[at..]);
                    at += integerDigits;
                    plain[at++] = (byte)'.';
                    digits[integerDigits..].CopyTo(plain[at..]);
                    at += scale;
                }
            }
            return WritePlainDecimal(plain[..at], column, row, out error);
        }
        finally
        {
            if (rentedDigits is not null) ArrayPool<byte>.Shared.Return(rentedDigits);
            if (rentedText is not null) ArrayPool<byte>.Shared.Return(rentedText);
        }
    }

    /// <summary>Converts exact plain decimal text (<c>-123.45</c>, <c>0.05</c>, <c>1200</c>) to the column's type.</summary>
    private static bool WritePlainDecimal(ReadOnlySpan<byte> text, ColumnVector column, int row, out string? error)
    {
        error = null;
        var type = column.Type;
        switch (type.Kind)
        {
            case ColumnKind.String or ColumnKind.Json:
                // Plain digits are a valid JSON number too.
                column.SetBytes(row, text);
                return true;
            case ColumnKind.Double:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                    return Fail("out of range for double", out error);
                column.SetDouble(row, d);
                return true;
        }
        if (!ParsedNumber.TryParse(text, out var number)) throw new InvalidOperationException("Decimal text did not parse.");
        switch (type.Kind)
        {
            case ColumnKind.Decimal:
                Span<byte> formatted = stackalloc byte[DecimalText.MaxLength];
                if (!DecimalText.TryFormat(number, type.Precision, type.Scale, formatted, out var written))
                    return Fail($"does not fit {type}", out error);
                column.SetBytes(row, formatted[..written]);
                return true;
            case ColumnKind.Int or ColumnKind.Long:
                switch (number.TryGetInt64(0, floor: false, out var whole))
                {
                    case NumberStatus.NotWhole:
                        return Fail("not a whole number", out error);
                    case NumberStatus.OutOfRange:
                        return Fail(type.Kind == ColumnKind.Int ? "out of range for int" : "out of range for long", out error);
                    default:
                        return WriteWhole(whole, column, row, out error);
                }
            default:
                return Fail($"a decimal cannot be cast to {type}; declare the column as decimal(p,s), double, string or long", out error);
        }
    }

    // ---- JSON text ----

    /// <summary>io.debezium.data.Json carries a document as a string; a json column gets the document itself.</summary>
    private static bool WriteJsonDocument(ref Utf8JsonReader reader, ColumnVector column, int row, out string? error)
    {
        var escaped = reader.ValueSpan;
        if (!reader.ValueIsEscaped) return WriteValidatedJson(escaped, column, row, out error);
        byte[]? rented = null;
        Span<byte> buffer = escaped.Length <= StackBufferSize
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
                return Fail("not valid Unicode text", out error);
            }
            return WriteValidatedJson(buffer[..length], column, row, out error);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool WriteValidatedJson(ReadOnlySpan<byte> text, ColumnVector column, int row, out string? error)
    {
        error = null;
        if (!Utf8.IsValid(text)) return Fail("not valid UTF-8 text", out error);
        try
        {
            var reader = new Utf8JsonReader(text);
            if (!reader.Read()) return Fail("not valid JSON text (empty)", out error);
            reader.Skip();
            // Anything but whitespace after the first value throws.
            if (reader.Read()) return Fail("not valid JSON text", out error);
        }
        catch (JsonException e)
        {
            return Fail($"not valid JSON text ({e.Message})", out error);
        }
        column.SetBytes(row, text);
        return true;
    }

    private static string CannotCast(string name, ColumnType type, string targets) =>
        $"{name} cannot be cast to {type}; declare the column as {targets}";

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }

    private const string DateOutOfRange = "out of range for date (years 0001 to 9999)";
    private const string TimestampOutOfRange = "out of range for timestamp (years 0001 to 9999)";
}
