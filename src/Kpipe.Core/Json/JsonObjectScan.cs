using System.Text.Json;

namespace Kpipe.Json;

/// <summary>Where a property's value lies in a JSON object: byte offsets into the scanned buffer.</summary>
public readonly record struct JsonSpan(int Start, int End, JsonTokenType Kind)
{
    public bool Found => End > Start;

    /// <summary>Present and not JSON null.</summary>
    public bool HasValue => Found && Kind != JsonTokenType.Null;

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer[Start..End];
}

/// <summary>
/// One pass over one level of a JSON object, noting where the wanted properties' values are (without
/// converting anything), so that a reader can take them in the order it needs whatever order the producer wrote
/// them in: the debezium transform's envelope, key and source block, and dotted paths (<see cref="JsonPath"/>).
/// Row cells are read by the transforms' FieldTree, which converts while it walks; both follow one duplicate-key
/// rule (docs/errors.md, "Strict JSON"): a wanted name given twice is refused, unwanted ones are skipped unread.
/// </summary>
public static class JsonObjectScan
{
    /// <summary>Fills <paramref name="spans"/> (same order as <paramref name="names"/>), offsets relative to
    /// <paramref name="json"/>; false when <paramref name="json"/> is not an object.</summary>
    public static bool Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonSpan> spans) =>
        Scan(json, names, spans, out _);

    /// <summary>As <see cref="Scan(ReadOnlySpan{byte}, ReadOnlySpan{byte[]}, Span{JsonSpan})"/>;
    /// <paramref name="others"/> tells whether the object has a property not in <paramref name="names"/>.</summary>
    public static bool Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonSpan> spans, out bool others) =>
        Scan(json, names, spans, out others, out _);

    /// <summary>As <see cref="Scan(ReadOnlySpan{byte}, ReadOnlySpan{byte[]}, Span{JsonSpan}, out bool)"/>;
    /// <paramref name="repeated"/> is the index of a wanted name the object gives more than once (its span is the
    /// first value's), -1 when none is.</summary>
    public static bool Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonSpan> spans, out bool others, out int repeated)
    {
        spans.Clear();
        others = false;
        repeated = -1;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = IndexOf(ref reader, names);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            reader.Skip();
            if (index < 0) others = true;
            else if (spans[index].Found) repeated = repeated < 0 ? index : repeated;
            else spans[index] = new JsonSpan(start, (int)reader.BytesConsumed, kind);
        }
        return true;
    }

    private static int IndexOf(ref Utf8JsonReader reader, ReadOnlySpan<byte[]> names)
    {
        if (reader.ValueIsEscaped)
        {
            for (var i = 0; i < names.Length; i++)
                if (reader.ValueTextEquals(names[i])) return i;
            return -1;
        }
        // Unescaped names compare as bytes, the length first: most columns differ from every name in length.
        var raw = reader.ValueSpan;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            if (name.Length == raw.Length && raw.SequenceEqual(name)) return i;
        }
        return -1;
    }

    /// <summary>Where the value at a dotted path (one name per segment) lies, relative to <paramref name="json"/>;
    /// false when a segment is missing, is given twice, or its parent is not an object.</summary>
    public static bool TryFind(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> path, out JsonSpan found)
    {
        found = default;
        var offset = 0;
        Span<JsonSpan> one = stackalloc JsonSpan[1];
        for (var i = 0; i < path.Length; i++)
        {
            if (!Scan(json[offset..], path.Slice(i, 1), one, out _, out var repeated) || !one[0].Found || repeated >= 0) return false;
            found = new JsonSpan(offset + one[0].Start, offset + one[0].End, one[0].Kind);
            offset = found.Start;
            json = json[..found.End];
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
