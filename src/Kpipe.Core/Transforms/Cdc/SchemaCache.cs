namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Debezium repeats the same schema in every message of a table: parse each distinct schema once. Keyed by
/// the exact bytes (a hash picks the bucket), bounded so a stream of ever-new schemas cannot grow it forever.
/// </summary>
internal sealed class SchemaCache
{
    private const int MaxEntries = 256;
    private readonly Dictionary<int, List<(byte[] Bytes, ConnectFieldSchema Schema)>> _entries = [];
    private int _count;

    public ConnectFieldSchema Get(ReadOnlySpan<byte> schemaJson)
    {
        var hash = new HashCode();
        hash.AddBytes(schemaJson);
        var key = hash.ToHashCode();
        if (_entries.TryGetValue(key, out var bucket))
        {
            foreach (var (bytes, schema) in bucket)
                if (schemaJson.SequenceEqual(bytes)) return schema;
        }
        var parsed = ConnectSchemaParser.Parse(schemaJson);
        if (_count >= MaxEntries)
        {
            _entries.Clear();
            _count = 0;
        }
        if (!_entries.TryGetValue(key, out bucket)) _entries[key] = bucket = [];
        bucket.Add((schemaJson.ToArray(), parsed));
        _count++;
        return parsed;
    }
}
