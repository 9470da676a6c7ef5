using System.Text;
using System.Text.Json;

namespace Kpipe.Transforms.Select;

/// <summary>Words for JSON values in record errors.</summary>
internal static class JsonText
{
    public static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "empty",
    };

    /// <summary>The value the reader is on as the message wrote it, cut at 80 bytes.</summary>
    public static string Excerpt(ReadOnlySpan<byte> document, Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        var copy = reader;
        copy.Skip();
        var length = (int)copy.BytesConsumed - start;
        var text = Encoding.UTF8.GetString(document.Slice(start, Math.Min(length, 80)));
        return length > 80 ? text + "..." : text;
    }
}
