using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Kpipe.Rows;

namespace Kpipe.Transforms.Cdc;

public static partial class DebeziumValueDecoder
{
    // ---- bits ----

    /// <summary>io.debezium.data.Bits: MySQL BIT(n > 1) as the fewest little-endian bytes that hold n bits
    /// (Debezium's MySQL type table); the schema's <c>length</c> parameter is n.</summary>
    private static bool WriteBits(ref Utf8JsonReader reader, ConnectFieldSchema schema, ColumnVector column, int row, out string? error)
    {
        Span<byte> bytes = stackalloc byte[16];
        int count;
        try
        {
            if (!reader.TryGetBytesFromBase64(out var decoded)) return Fail("not a base64 Bits value", out error);
            // MySQL's BIT stops at 64 bits: anything longer is not a Bits value.
            if (decoded.Length > 8) return Fail("a Bits value longer than 64 bits", out error);
            decoded.CopyTo(bytes);
            count = decoded.Length;
        }
        catch (InvalidOperationException)
        {
            return Fail("not a base64 Bits value", out error);
        }
        ulong value = 0;
        for (var i = count - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        var length = schema.Parameters.TryGetValue("length", out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, 1, 64) : Math.Max(count * 8, 1);
        error = null;
        switch (column.Type.Kind)
        {
            case ColumnKind.Bool:
                column.SetLong(row, value != 0 ? 1 : 0);
                return true;
            case ColumnKind.Int or ColumnKind.Long or ColumnKind.Json or ColumnKind.Decimal:
                if (value > long.MaxValue) return Fail("out of range for long", out error);
                if (column.Type.Kind is ColumnKind.Int or ColumnKind.Long) return WriteWhole((long)value, column, row, out error);
                Span<byte> digits = stackalloc byte[20];
                value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
                return WritePlainDecimal(digits[..written], column, row, out error);
            case ColumnKind.String:
                // The bit string as MySQL shows it with BIN(), padded to the column's width: BIT(12) 5 is 000000000101.
                Span<byte> bitText = stackalloc byte[64];
                for (var i = 0; i < length; i++) bitText[length - 1 - i] = (byte)('0' + (int)((value >> i) & 1));
                column.SetBytes(row, bitText[..length]);
                return true;
            default:
                return Fail(CannotCast(Bits, column.Type, "long, string (the bits as 0s and 1s), bool, decimal or json"), out error);
        }
    }

    // ---- arrays ----

    [ThreadStatic] private static List<(ByteArena Arena, ColumnVector Cell, ArrayBufferWriter<byte> Text)>? t_arrayScratch;
    [ThreadStatic] private static int t_arrayDepth;

    /// <summary>An array (PostgreSQL's <c>date[]</c>, <c>timestamp[]</c>...) as a JSON array whose elements are each
    /// decoded by the element schema as for a json column: <c>[19723, 19724]</c> of Dates is
    /// <c>["2024-01-01","2024-01-02"]</c>, which Doris loads into an ARRAY column.</summary>
    private static bool WriteArray(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ConnectFieldSchema items,
        ColumnVector column, int row, TimeZoneInfo zone, out string? error)
    {
        // Scratch per nesting level, reused across rows: an array cell costs no allocation once warm.
        var scratch = t_arrayScratch ??= [];
        if (scratch.Count <= t_arrayDepth)
        {
            var arena = new ByteArena(256);
            scratch.Add((arena, new ColumnVector(ColumnType.Json, arena), new ArrayBufferWriter<byte>(256)));
        }
        var (cellArena, cell, text) = scratch[t_arrayDepth];
        text.ResetWrittenCount();
        t_arrayDepth++;
        try
        {
            text.Write("["u8);
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (index > 0) text.Write(","u8);
                cellArena.Reset();
                if (!TryWrite(document, ref reader, items, cell, 0, zone, out var problem))
                {
                    // Leave the reader on the array's end, as every outcome must.
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) reader.Skip();
                    return Fail($"element {index}: {problem}", out error);
                }
                text.Write(cell.IsNull(0) ? "null"u8 : cell.GetBytes(0));
                index++;
            }
            text.Write("]"u8);
        }
        finally
        {
            t_arrayDepth--;
        }
        column.SetBytes(row, text.WrittenSpan);
        error = null;
        return true;
    }
}
