using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Reads the <c>schema</c> object that Kafka's JSON converter (<c>schemas.enable=true</c>) writes beside each
/// payload, such as the envelope of a Debezium change event. Parsing allocates a tree; callers cache it per
/// distinct schema bytes, since one table's events repeat the same schema.
/// </summary>
public static class ConnectSchemaParser
{
    private static readonly string[] KnownTypes =
        ["int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes", "struct", "array", "map"];

    /// <summary>Kafka's JSON converter spells FLOAT32 and FLOAT64 <c>float</c> and <c>double</c>
    /// (org.apache.kafka.connect.json.JsonSchema); the tree uses the names of Connect's Schema.Type.</summary>
    private static string? Canonical(string type)
    {
        if (string.Equals(type, "float", StringComparison.OrdinalIgnoreCase)) return "float32";
        if (string.Equals(type, "double", StringComparison.OrdinalIgnoreCase)) return "float64";
        foreach (var known in KnownTypes)
            if (string.Equals(known, type, StringComparison.OrdinalIgnoreCase)) return known;
        return null;
    }

    /// <summary>
    /// Parses a schema object: <c>{"type": "struct", "fields": [...], "optional": false, "name": "...Envelope"}</c>.
    /// Types are returned lower case, with the JSON converter's <c>float</c> and <c>double</c> as <c>float32</c> and
    /// <c>float64</c>.
    /// Properties other than <c>type</c>, <c>name</c>, <c>field</c>, <c>optional</c>, <c>parameters</c>,
    /// <c>fields</c>, <c>items</c>, <c>keys</c> and <c>values</c> (<c>version</c>, <c>doc</c>, <c>default</c>...) are
    /// ignored.
    /// </summary>
    /// <exception cref="FormatException">The text is not JSON, not an object, or not a Connect schema: a
    /// missing or unknown <c>type</c>, a struct field without a name or with a repeated one, an array without
    /// <c>items</c>, a map without <c>keys</c> or <c>values</c>, a parameter that is not a scalar.</exception>
    public static ConnectFieldSchema Parse(ReadOnlySpan<byte> schemaJson)
    {
        // The reader reports blank input as invalid JSON; "empty" points at the likelier cause.
        if (schemaJson.Trim(" \t\r\n"u8).IsEmpty) throw new FormatException("The Kafka Connect schema is empty.");
        var reader = new Utf8JsonReader(schemaJson);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new FormatException($"A Kafka Connect schema is a JSON object, not {Describe(reader.TokenType)}.");
            var schema = ReadSchema(ref reader, "$", isRoot: true);
            // A complete document has nothing after the object; the reader throws on anything but whitespace.
            if (reader.Read()) throw new FormatException("Unexpected content after the Kafka Connect schema object.");
            return schema;
        }
        catch (JsonException e)
        {
            throw new FormatException($"The Kafka Connect schema is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The field of a struct schema called <paramref name="name"/> (ordinal, case-sensitive), or null.</summary>
    public static ConnectFieldSchema? FindField(ConnectFieldSchema parent, string name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(name);
        foreach (var field in parent.Fields)
            if (string.Equals(field.Field, name, StringComparison.Ordinal)) return field;
        return null;
    }

    /// <summary>Reads the object the reader is on (StartObject) and leaves the reader on its EndObject.</summary>
    private static ConnectFieldSchema ReadSchema(ref Utf8JsonReader reader, string path, bool isRoot)
    {
        string? type = null, name = null, field = null;
        var optional = false;
        Dictionary<string, string>? parameters = null;
        List<ConnectFieldSchema>? fields = null;
        ConnectFieldSchema? items = null, keys = null, values = null;
        var looksLikeMessage = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "type":
                    type = RequireString(ref reader, path, property);
                    break;
                case "name":
                    name = reader.TokenType == JsonTokenType.Null ? null : RequireString(ref reader, path, property);
                    break;
                case "field":
                    field = RequireString(ref reader, path, property);
                    break;
                case "optional":
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        throw new FormatException($"{path}: 'optional' must be true or false, not {Describe(reader.TokenType)}.");
                    optional = reader.TokenType == JsonTokenType.True;
                    break;
                case "parameters":
                    parameters = ReadParameters(ref reader, path);
                    break;
                case "fields":
                    fields = ReadFields(ref reader, path);
                    break;
                case "items":
                    items = ReadChild(ref reader, $"{path}.items");
                    break;
                case "keys":
                    keys = ReadChild(ref reader, $"{path}.keys");
                    break;
                case "values":
                    values = ReadChild(ref reader, $"{path}.values");
                    break;
                case "schema" or "payload":
                    looksLikeMessage = true;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        var where = field is null ? path : $"{path} (field '{field}')";
        if (type is null)
        {
            throw new FormatException(isRoot && looksLikeMessage
                ? "The object has no 'type' but has 'schema'/'payload': pass the value of the message's 'schema' property, not the whole message."
                : $"{where}: a Kafka Connect schema needs a 'type'.");
        }
        var canonical = Canonical(type)
            ?? throw new FormatException($"{where}: unknown Kafka Connect type '{type}' (expected one of {string.Join(", ", KnownTypes)}, float or double).");

        IReadOnlyList<ConnectFieldSchema> children;
        switch (canonical)
        {
            case "struct":
                children = fields?.ToArray() ?? [];
                break;
            case "array":
                children = [(items ?? throw new FormatException($"{where}: an array schema needs 'items'.")) with { Field = "items" }];
                break;
            case "map":
                if (keys is null || values is null) throw new FormatException($"{where}: a map schema needs 'keys' and 'values'.");
                children = [keys with { Field = "keys" }, values with { Field = "values" }];
                break;
            default:
                children = [];
                break;
        }
        return new ConnectFieldSchema(
            field ?? "",
            canonical,
            name,
            parameters is null ? ReadOnlyDictionary<string, string>.Empty : parameters.AsReadOnly(),
            optional,
            children);
    }

    private static ConnectFieldSchema ReadChild(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException($"{path}: a schema must be an object, not {Describe(reader.TokenType)}.");
        return ReadSchema(ref reader, path, isRoot: false);
    }

    private static List<ConnectFieldSchema> ReadFields(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new FormatException($"{path}: 'fields' must be an array, not {Describe(reader.TokenType)}.");
        var fields = new List<ConnectFieldSchema>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var childPath = $"{path}.fields[{fields.Count}]";
            var child = ReadChild(ref reader, childPath);
            if (child.Field.Length == 0) throw new FormatException($"{childPath}: a struct field needs a 'field' name.");
            if (!names.Add(child.Field)) throw new FormatException($"{childPath}: the field name '{child.Field}' is repeated.");
            fields.Add(child);
        }
        return fields;
    }

    private static Dictionary<string, string>? ReadParameters(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException($"{path}: 'parameters' must be an object, not {Describe(reader.TokenType)}.");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            // The JSON converter writes every parameter as a string; numbers and booleans from hand-written
            // schemas are kept as their text so that "scale": 2 means the same as "scale": "2".
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    parameters[key] = reader.GetString()!;
                    break;
                case JsonTokenType.Number:
                    parameters[key] = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    parameters[key] = reader.TokenType == JsonTokenType.True ? "true" : "false";
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    throw new FormatException($"{path}: parameter '{key}' must be a string, not {Describe(reader.TokenType)}.");
            }
        }
        return parameters;
    }

    private static string RequireString(ref Utf8JsonReader reader, string path, string property) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new FormatException($"{path}: '{property}' must be a string, not {Describe(reader.TokenType)}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a bool",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
