using System.Globalization;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// A column's <c>semantic:</c> hint, for events written without schemas: the field schema the value would have
/// carried, so it goes through the same <see cref="DebeziumValueDecoder"/> as a schema'd event. Written as the
/// schema name, a Decimal's scale or Bits' length in parentheses, and <c>array&lt;name&gt;</c> for arrays.
/// </summary>
internal static class SemanticHint
{
    private static readonly Dictionary<string, string> ConnectTypes = new(StringComparer.Ordinal)
    {
        ["io.debezium.time.Date"] = "int32",
        ["org.apache.kafka.connect.data.Date"] = "int32",
        ["io.debezium.time.Time"] = "int32",
        ["org.apache.kafka.connect.data.Time"] = "int32",
        ["io.debezium.time.MicroTime"] = "int64",
        ["io.debezium.time.NanoTime"] = "int64",
        ["io.debezium.time.Timestamp"] = "int64",
        ["org.apache.kafka.connect.data.Timestamp"] = "int64",
        ["io.debezium.time.MicroTimestamp"] = "int64",
        ["io.debezium.time.NanoTimestamp"] = "int64",
        ["io.debezium.time.ZonedTimestamp"] = "string",
        ["io.debezium.time.ZonedTime"] = "string",
        ["org.apache.kafka.connect.data.Decimal"] = "bytes",
        ["io.debezium.data.VariableScaleDecimal"] = "struct",
        ["io.debezium.data.Bits"] = "bytes",
        ["io.debezium.data.Json"] = "string",
        ["io.debezium.data.Uuid"] = "string",
        ["io.debezium.data.Enum"] = "string",
        ["io.debezium.data.EnumSet"] = "string",
        ["io.debezium.data.Xml"] = "string",
    };

    /// <summary>The names a hint may use, for error messages and docs.</summary>
    public static IEnumerable<string> Names => ConnectTypes.Keys;

    public static bool TryParse(string text, out ConnectFieldSchema? schema, out string? error)
    {
        schema = null;
        error = null;
        var hint = text.Trim();
        if (hint.StartsWith("array<", StringComparison.Ordinal) && hint.EndsWith('>'))
        {
            if (!TryParse(hint[6..^1], out var items, out error)) return false;
            schema = new ConnectFieldSchema("", "array", null, Empty, true, [items! with { Field = "items" }]);
            return true;
        }
        string? argument = null;
        var open = hint.IndexOf('(');
        if (open > 0 && hint.EndsWith(')'))
        {
            argument = hint[(open + 1)..^1].Trim();
            hint = hint[..open].Trim();
        }
        if (!ConnectTypes.TryGetValue(hint, out var type))
        {
            error = $"unknown semantic '{text}'; use a Debezium or Kafka Connect schema name ({string.Join(", ", Names)}), or array<name>";
            return false;
        }
        var parameters = Empty;
        switch (hint)
        {
            case "org.apache.kafka.connect.data.Decimal":
                if (!int.TryParse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    error = $"'{text}': a Decimal needs its scale, e.g. org.apache.kafka.connect.data.Decimal(2)";
                    return false;
                }
                parameters = new Dictionary<string, string> { ["scale"] = argument! };
                break;
            case "io.debezium.data.Bits" when argument != null:
                if (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    error = $"'{text}': Bits takes its length in bits, e.g. io.debezium.data.Bits(12)";
                    return false;
                }
                parameters = new Dictionary<string, string> { ["length"] = argument };
                break;
            default:
                if (argument != null)
                {
                    error = $"'{text}': only Decimal(scale) and Bits(length) take an argument";
                    return false;
                }
                break;
        }
        schema = new ConnectFieldSchema("", type, hint, parameters, true, []);
        return true;
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
