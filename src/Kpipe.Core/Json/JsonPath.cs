using System.Text;
using System.Text.Json;

namespace Kpipe.Json;

/// <summary>
/// Finds the value at a dotted path (<c>after.id</c>) in a UTF-8 JSON document with <see cref="Utf8JsonReader"/>,
/// without building a DOM: a sink that needs one field per record should not parse the whole record.
/// </summary>
public sealed class JsonPath
{
    private readonly byte[][] _segments;

    public JsonPath(string path)
    {
        Text = path;
        _segments = path.Split('.').Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public string Text { get; }

    /// <summary>
    /// The value's bytes: the unescaped text of a string, the literal text of a number or bool. False when the
    /// path is missing, null, an object or an array, or the document is not valid JSON.
    /// </summary>
    public bool TryGetScalar(ReadOnlySpan<byte> json, out byte[] value)
    {
        value = [];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            for (var depth = 0; depth < _segments.Length; depth++)
            {
                if (!SeekProperty(ref reader, _segments[depth])) return false;
                if (!reader.Read()) return false;
                var last = depth == _segments.Length - 1;
                if (!last)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) return false;
                    continue;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        var buffer = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
                        value = buffer[..reader.CopyString(buffer)];
                        return true;
                    case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                        value = reader.ValueSpan.ToArray();
                        return true;
                    default:
                        return false;
                }
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>Moves the reader, positioned on a StartObject, to the property name; skips other values.</summary>
    private static bool SeekProperty(ref Utf8JsonReader reader, byte[] name)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) return false;
            if (reader.ValueTextEquals(name)) return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }
}
