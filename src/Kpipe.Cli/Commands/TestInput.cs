using System.Text;
using System.Text.Json;
using Kpipe.Engine;

namespace Kpipe.Cli.Commands;

/// <summary>
/// The sample messages of <c>kpipe test</c>, one per line. By default a line is a message value as it is (the line
/// <c>null</c> is a tombstone, a record without a value, in both forms). With <c>--records</c> a line is a whole Kafka record,
/// <c>{"key": ..., "value": ..., "headers": {"name": "text"}, "topic": "t", "timestamp": ms}</c>, every member
/// optional: the key and value are JSON written as JSON (their text is the record's bytes), <c>null</c> or absent
/// for none. See docs/cli.md.
/// </summary>
internal static class TestInput
{
    /// <summary>Reads every line; a line that is not a record (under <c>--records</c>) is reported as
    /// <c>line N: reason</c> and left out.</summary>
    public static List<ManagedRecord> Read(TextReader input, bool records, string topic, List<(int Line, string Reason)> problems)
    {
        var result = new List<ManagedRecord>();
        var lineNumber = 0;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!records || line.Trim() == "null")
            {
                var value = line.Trim() == "null" ? null : Encoding.UTF8.GetBytes(line);
                result.Add(new ManagedRecord(topic, 0, lineNumber, null, value, now));
                continue;
            }
            if (TryRecord(line, topic, lineNumber, now, out var record, out var reason)) result.Add(record!);
            else problems.Add((lineNumber, reason!));
        }
        return result;
    }

    private static bool TryRecord(string line, string topic, int lineNumber, long now, out ManagedRecord? record, out string? reason)
    {
        record = null;
        reason = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "with --records a line is a JSON object such as {\"key\": {\"id\": 1}, \"value\": null}";
                return false;
            }
            byte[]? key = null, value = null;
            var timestamp = now;
            List<KeyValuePair<string, byte[]?>>? headers = null;
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "key":
                        key = Bytes(member.Value);
                        break;
                    case "value":
                        value = Bytes(member.Value);
                        break;
                    case "topic" when member.Value.ValueKind == JsonValueKind.String:
                        topic = member.Value.GetString()!;
                        break;
                    case "timestamp" when member.Value.TryGetInt64(out var ms):
                        timestamp = ms;
                        break;
                    case "headers" when member.Value.ValueKind == JsonValueKind.Object:
                        headers = [];
                        foreach (var header in member.Value.EnumerateObject())
                        {
                            if (header.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                            {
                                reason = $"header '{header.Name}' must be a string or null";
                                return false;
                            }
                            headers.Add(new(header.Name, header.Value.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(header.Value.GetString()!)));
                        }
                        break;
                    default:
                        reason = $"unknown or malformed member '{member.Name}'; a record has key, value, headers (an object of strings), topic (a string) and timestamp (milliseconds)";
                        return false;
                }
            }
            record = new ManagedRecord(topic, 0, lineNumber, key, value, timestamp, headers);
            return true;
        }
        catch (JsonException e)
        {
            reason = $"not a JSON record: {e.Message}";
            return false;
        }
    }

    private static byte[]? Bytes(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(element.GetRawText());
}
