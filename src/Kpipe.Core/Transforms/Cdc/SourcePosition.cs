using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Kpipe.Json;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Reads a connector's position in its source log as an integer that keeps the log's order, for Doris's sequence
/// column: PostgreSQL's <c>lsn</c> (a number), Oracle's <c>scn</c> (a decimal string), SQL Server's
/// <c>change_lsn</c>/<c>commit_lsn</c> (<c>0000002b:000004f8:0004</c>) and MySQL's binlog file and position.
/// </summary>
internal static class SourcePosition
{
    /// <summary>A JSON number, a string of decimal digits, or an SQL Server LSN.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, JsonSpan span, out Int128 value)
    {
        value = 0;
        if (!span.HasValue) return false;
        var reader = new Utf8JsonReader(span.Of(json));
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var whole))
            {
                value = whole;
                return true;
            }
            return Int128.TryParse(reader.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        var text = reader.ValueSpan;
        return Int128.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            || TryReadSqlServerLsn(text, out value);
    }

    /// <summary>
    /// SQL Server's LSN is three hexadecimal parts, the virtual log file's sequence number (32 bits), the log block's
    /// offset in it (32 bits) and the record's slot in the block (16 bits), compared part by part; placed side by
    /// side they make one 80-bit integer in the same order, which needs Doris's LARGEINT.
    /// </summary>
    public static bool TryReadSqlServerLsn(ReadOnlySpan<byte> text, out Int128 value)
    {
        value = 0;
        if (text.Length != 22 || text[8] != (byte)':' || text[17] != (byte)':') return false;
        if (!Utf8Parser.TryParse(text[..8], out uint file, out var a, 'x') || a != 8) return false;
        if (!Utf8Parser.TryParse(text[9..17], out uint block, out var b, 'x') || b != 8) return false;
        if (!Utf8Parser.TryParse(text[18..], out ushort slot, out var c, 'x') || c != 4) return false;
        value = ((Int128)file << 48) | ((Int128)block << 16) | slot;
        return true;
    }

    /// <summary>MySQL: the binlog file's number (<c>mysql-bin.000003</c> gives 3) above the position in it. A position
    /// stays under 4 GiB (<c>max_binlog_size</c> is at most 1 GiB), so <c>file &lt;&lt; 32 + pos</c> keeps the order.</summary>
    public static bool TryReadBinlog(ReadOnlySpan<byte> source, JsonSpan file, JsonSpan pos, out Int128 value)
    {
        value = 0;
        if (file.Kind != JsonTokenType.String) return false;
        var name = file.Of(source)[1..^1];
        var dot = name.LastIndexOf((byte)'.');
        if (dot < 0 || !Utf8Parser.TryParse(name[(dot + 1)..], out long number, out var used) || used != name.Length - dot - 1) return false;
        if (!JsonObjectScan.TryLong(source, pos, out var position) || position < 0 || position > uint.MaxValue) return false;
        value = ((Int128)number << 32) + position;
        return true;
    }
}
