using System.Text;
using System.Text.Json;

namespace Kpipe.Json;

/// <summary>
/// The value at a dotted path (<c>after.id</c>) of a UTF-8 JSON document, located by <see cref="JsonObjectScan"/>
/// without building a DOM: a sink that needs one field per record should not parse the whole record.
/// </summary>
public sealed class JsonPath
{
    private readonly byte[][] _segments;
    private byte[] _unescaped = new byte[64];

    public JsonPath(string path)
    {
        Text = path;
        _segments = path.Split('.').Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public string Text { get; }

    /// <summary>
    /// The value's bytes: the unescaped text of a string, the literal text of a number or bool. False when the
    /// path is missing, given twice, null, an object or an array, or the document is not valid JSON. The bytes
    /// lie in <paramref name="json"/> or, for a string with escapes, in a buffer of this path's that the next
    /// call reuses.
    /// </summary>
    public bool TryGetScalar(ReadOnlySpan<byte> json, out ReadOnlySpan<byte> value)
    {
        value = default;
        try
        {
            if (!JsonObjectScan.TryFind(json, _segments, out var found)) return false;
            var reader = new Utf8JsonReader(found.Of(json));
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String when !reader.ValueIsEscaped:
                    value = reader.ValueSpan;
                    return true;
                case JsonTokenType.String:
                    if (_unescaped.Length < reader.ValueSpan.Length) _unescaped = new byte[reader.ValueSpan.Length];
                    value = _unescaped.AsSpan(0, reader.CopyString(_unescaped));
                    return true;
                case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                    value = found.Of(json);
                    return true;
                default:
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
