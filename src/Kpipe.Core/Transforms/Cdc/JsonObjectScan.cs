using System.Text.Json;

namespace Kpipe.Transforms.Cdc;

/// <summary>Where a property's value lies in a JSON object: byte offsets into the scanned buffer.</summary>
internal readonly record struct JsonSpan(int Start, int End, JsonTokenType Kind)
{
    public bool Found => End > Start;

    /// <summary>Present and not JSON null.</summary>
    public bool HasValue => Found && Kind != JsonTokenType.Null;

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer[Start..End];
}

/// <summary>
/// One pass over one level of a JSON object, noting where the wanted properties' values are (without
/// converting anything), so the envelope's parts can be read in the order the decoder needs them whatever
/// order the producer wrote them in.
/// </summary>
internal static class JsonObjectScan
{
    /// <summary>Fills <paramref name="spans"/> (same order as <paramref name="names"/>), offsets relative to
    /// <paramref name="json"/>; false when <paramref name="json"/> is not an object.</summary>
    public static bool Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonSpan> spans)
    {
        spans.Clear();
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < names.Length; i++)
            {
                if (reader.ValueTextEquals(names[i])) { index = i; break; }
            }
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            reader.Skip();
            if (index >= 0) spans[index] = new JsonSpan(start, (int)reader.BytesConsumed, kind);
        }
        return true;
    }

    /// <summary>The text of a JSON string value, or null.</summary>
    public static string? Text(ReadOnlySpan<byte> json, JsonSpan span)
    {
        if (span.Kind != JsonTokenType.String) return null;
        var reader = new Utf8JsonReader(span.Of(json));
        reader.Read();
        return reader.GetString();
    }

    /// <summary>The character of a one-character JSON string (Debezium's <c>op</c>); '?' for anything else.</summary>
    public static char SingleChar(ReadOnlySpan<byte> json, JsonSpan span)
    {
        var raw = span.Of(json);
        return raw.Length == 3 && raw[0] == (byte)'"' && raw[2] == (byte)'"' && raw[1] < 0x80 ? (char)raw[1] : '?';
    }

    /// <summary>The value as a long: a JSON number, or a string holding one (PostgreSQL's LSN arrives as a number).</summary>
    public static bool TryLong(ReadOnlySpan<byte> json, JsonSpan span, out long value)
    {
        value = 0;
        if (!span.HasValue) return false;
        var reader = new Utf8JsonReader(span.Of(json));
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt64(out value),
            JsonTokenType.String => long.TryParse(reader.GetString(), out value),
            _ => false,
        };
    }
}
