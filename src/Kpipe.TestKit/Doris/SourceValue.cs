using System.Text.Json;

namespace Kpipe.TestKit.Doris;

internal enum SourceKind
{
    Null,
    String,
    Number,
    Bool,
    Json,
}

/// <summary>
/// One field of the loaded data before conversion: JSON values keep their kind, CSV fields are strings
/// (or NULL for \N). Numbers keep their original text, as Doris's JSON reader does, so "1.50" stays "1.50"
/// in a VARCHAR column and LARGEINT values do not go through a double.
/// </summary>
internal readonly record struct SourceValue(SourceKind Kind, string Text)
{
    public static SourceValue Null { get; } = new(SourceKind.Null, "");

    public bool IsNull => Kind == SourceKind.Null;

    public static SourceValue Of(string? text) => text is null ? Null : new SourceValue(SourceKind.String, text);

    public static SourceValue FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => Null,
        JsonValueKind.String => new SourceValue(SourceKind.String, e.GetString()!),
        JsonValueKind.Number => new SourceValue(SourceKind.Number, e.GetRawText()),
        JsonValueKind.True => new SourceValue(SourceKind.Bool, "true"),
        JsonValueKind.False => new SourceValue(SourceKind.Bool, "false"),
        _ => new SourceValue(SourceKind.Json, e.GetRawText()),
    };

    /// <summary>
    /// The text a non-JSON column sees. Doris's JSON reader writes booleans as "1"/"0"
    /// (be/src/vec/exec/format/json/new_json_reader.cpp, _simdjson_write_data_to_column) and nested
    /// objects/arrays as their JSON text.
    /// </summary>
    public string ScalarText => Kind == SourceKind.Bool ? (Text == "true" ? "1" : "0") : Text;

    /// <summary>How the value appears in error messages ("src value is ...").</summary>
    public string Display => Kind == SourceKind.Null ? "null" : ScalarText;
}
