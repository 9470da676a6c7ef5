using System.Buffers.Text;
using System.Text.Json;

namespace Kpipe.Rows;

/// <summary>How temporal and decimal values are spelled when a row is written as JSON.</summary>
public enum RowJsonStyle
{
    /// <summary>For Kafka, the console and <c>kpipe test</c>: timestamps as ISO-8601 UTC
    /// (<c>2024-07-19T10:00:00Z</c>, fraction only when non-zero), decimals as exact JSON numbers.</summary>
    Iso,
    /// <summary>For Doris Stream Load: DATETIME as <c>yyyy-MM-dd HH:mm:ss.ffffff</c> in the sink's zone, DATE as
    /// <c>yyyy-MM-dd</c>, DECIMAL as a plain number string (no exponent), the forms Doris parses without guessing.</summary>
    Doris,
}

/// <summary>Writes rows of a <see cref="RowBatch"/> as JSON objects, straight from the column lanes, with a change
/// row's metadata after its columns (<paramref name="metadata"/>; by default Doris's for the Doris style, Debezium's
/// otherwise).</summary>
public sealed class RowJsonWriter(RowJsonStyle style, TimeZoneInfo? zone = null, RowMetadataForm? metadata = null)
{
    private readonly TimeZoneInfo _zone = zone ?? TimeZoneInfo.Utc;
    private readonly RowMetadataForm _metadata = metadata ?? (style == RowJsonStyle.Doris ? RowMetadataForm.Doris : RowMetadataForm.Debezium);

    /// <summary>Writes the row as an object: every column, or only its route's columns when it has a route, then its
    /// metadata.</summary>
    public void WriteRow(Utf8JsonWriter writer, RowBatch rows, int row)
    {
        writer.WriteStartObject();
        var names = rows.Schema.EncodedNames;
        if (rows.RouteOf(row) is { } route)
        {
            foreach (var c in route.Columns)
            {
                writer.WritePropertyName(names[c]);
                WriteValue(writer, rows.Columns[c], row);
            }
        }
        else
        {
            for (var c = 0; c < rows.Columns.Length; c++)
            {
                writer.WritePropertyName(names[c]);
                WriteValue(writer, rows.Columns[c], row);
            }
        }
        if (rows.HasChanges) RowMetadata.Write(writer, this, rows, row, _metadata);
        writer.WriteEndObject();
    }

    public void WriteValue(Utf8JsonWriter writer, ColumnVector column, int row)
    {
        if (column.IsNull(row))
        {
            writer.WriteNullValue();
            return;
        }
        switch (column.Type.Kind)
        {
            case ColumnKind.String:
                writer.WriteStringValue(column.GetBytes(row));
                break;
            case ColumnKind.Json:
                writer.WriteRawValue(column.GetBytes(row), skipInputValidation: true);
                break;
            case ColumnKind.Decimal:
                if (style == RowJsonStyle.Doris) writer.WriteStringValue(column.GetBytes(row));
                else writer.WriteRawValue(column.GetBytes(row), skipInputValidation: true);
                break;
            case ColumnKind.Bool:
                writer.WriteBooleanValue(column.GetBool(row));
                break;
            case ColumnKind.Int or ColumnKind.Long:
                writer.WriteNumberValue(column.GetLong(row));
                break;
            case ColumnKind.Double:
                writer.WriteNumberValue(column.GetDouble(row));
                break;
            case ColumnKind.Date:
                Span<byte> date = stackalloc byte[10];
                writer.WriteStringValue(FormatDate(column.GetLong(row), date));
                break;
            case ColumnKind.Timestamp:
                Span<byte> ts = stackalloc byte[32];
                writer.WriteStringValue(FormatTimestamp(column.GetLong(row), ts));
                break;
        }
    }

    /// <summary>The cell as plain text (a string without quotes, a number's digits): for Kafka keys.</summary>
    public byte[] CellText(ColumnVector column, int row)
    {
        if (column.Type.IsBytes) return column.GetBytes(row).ToArray();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32);
        using (var writer = new Utf8JsonWriter(buffer)) WriteValue(writer, column, row);
        var text = buffer.WrittenSpan;
        return (text.Length >= 2 && text[0] == (byte)'"' ? text[1..^1] : text).ToArray();
    }

    private static ReadOnlySpan<byte> FormatDate(long days, Span<byte> buffer)
    {
        var d = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)days);
        Write4(buffer, d.Year);
        buffer[4] = (byte)'-';
        Write2(buffer[5..], d.Month);
        buffer[7] = (byte)'-';
        Write2(buffer[8..], d.Day);
        return buffer[..10];
    }

    /// <summary>Formats microseconds since the epoch in the writer's style.</summary>
    public ReadOnlySpan<byte> FormatTimestamp(long micros, Span<byte> buffer)
    {
        var utc = DateTime.UnixEpoch.AddTicks(micros * 10);
        var t = style == RowJsonStyle.Doris && _zone != TimeZoneInfo.Utc ? TimeZoneInfo.ConvertTimeFromUtc(utc, _zone) : utc;
        FormatDate((long)(t.Date - DateTime.UnixEpoch).TotalDays, buffer);
        buffer[10] = style == RowJsonStyle.Doris ? (byte)' ' : (byte)'T';
        Write2(buffer[11..], t.Hour);
        buffer[13] = (byte)':';
        Write2(buffer[14..], t.Minute);
        buffer[16] = (byte)':';
        Write2(buffer[17..], t.Second);
        var fraction = (int)(t.Ticks % TimeSpan.TicksPerSecond / 10);
        var length = 19;
        if (style == RowJsonStyle.Doris || fraction != 0)
        {
            buffer[19] = (byte)'.';
            Utf8Formatter.TryFormat(fraction, buffer[20..], out _, new System.Buffers.StandardFormat('D', 6));
            length = 26;
            if (style == RowJsonStyle.Iso)
                while (buffer[length - 1] == (byte)'0') length--;
        }
        if (style == RowJsonStyle.Iso) buffer[length++] = (byte)'Z';
        return buffer[..length];
    }

    private static void Write2(Span<byte> b, int v)
    {
        b[0] = (byte)('0' + v / 10);
        b[1] = (byte)('0' + v % 10);
    }

    private static void Write4(Span<byte> b, int v)
    {
        Write2(b, v / 100);
        Write2(b[2..], v % 100);
    }
}
