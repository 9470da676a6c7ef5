using System.Text;
using System.Text.Json;

namespace Kpipe.Transforms.Select;

/// <summary>Converts the value the reader is on into a column's cell (see <see cref="ValueConverter.TryWrite"/>).</summary>
internal delegate bool CellConverter(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, int column, out string? error);

/// <summary>
/// The declared field paths as a tree keyed by property name, so one forward pass of the reader over a
/// document finds every declared field and skips everything else without looking inside it.
/// </summary>
internal sealed class FieldTree
{
    // An array, not a list: Find runs for every property of every record.
    private (byte[] Name, FieldTree Child)[] _children = [];

    /// <summary>Columns whose value is at this node.</summary>
    public List<int> Columns { get; } = [];

    /// <summary>This node is the array being exploded.</summary>
    public bool IsExplode { get; private set; }

    public bool HasChildren => _children.Length > 0;

    public FieldTree Add(IEnumerable<string> path)
    {
        var node = this;
        foreach (var segment in path)
        {
            var bytes = Encoding.UTF8.GetBytes(segment);
            var next = node._children.FirstOrDefault(c => c.Name.AsSpan().SequenceEqual(bytes)).Child;
            if (next == null)
            {
                next = new FieldTree();
                node._children = [.. node._children, (bytes, next)];
            }
            node = next;
        }
        return node;
    }

    public void MarkExplode() => IsExplode = true;

    /// <summary>
    /// Reads the object the reader is on (StartObject) up to its EndObject, converting each declared field
    /// with <paramref name="convert"/> and marking it in <paramref name="seen"/> when not null. The array to
    /// explode is not converted: its bytes are reported through <paramref name="arrayStart"/> and
    /// <paramref name="arrayEnd"/> (-1 when missing or null). Returns the reason a record fails, or null.
    /// </summary>
    public string? Walk(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, CellConverter convert, Span<bool> seen,
        Func<int, string> pathOf, string? explodePath, out int arrayStart, out int arrayEnd)
    {
        arrayStart = arrayEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var node = Find(ref reader);
            reader.Read();
            if (node == null)
            {
                reader.Skip();
                continue;
            }
            // A span over the list: no enumerator on the per-field path.
            foreach (var c in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(node.Columns))
            {
                // A key the pipeline reads, twice in one object: which value was meant is anyone's guess (RFC 8259
                // leaves it open; parsers keep the first or the last), so the record is rejected rather than one
                // picked silently. Keys nobody reads may repeat. See docs/errors.md, "Strict JSON".
                if (seen[c])
                    return $"field '{pathOf(c)}' appears more than once in the object (value {JsonText.Excerpt(document, reader)})";
                // Several columns may read the same field (as text and as number, say): each converts from a copy.
                var copy = reader;
                if (!convert(document, ref copy, c, out var error))
                    return $"field '{pathOf(c)}': {error} (value {JsonText.Excerpt(document, reader)})";
                seen[c] = reader.TokenType != JsonTokenType.Null;
            }
            if (node.IsExplode)
            {
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    arrayStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    arrayEnd = (int)reader.BytesConsumed;
                    continue;
                }
                if (reader.TokenType != JsonTokenType.Null)
                    return $"'{explodePath}' is {JsonText.Describe(reader.TokenType)}, not an array";
                continue;
            }
            if (node.HasChildren && reader.TokenType == JsonTokenType.StartObject)
            {
                var error = node.Walk(document, ref reader, convert, seen, pathOf, explodePath, out var s, out var e);
                if (error != null) return error;
                if (s >= 0) (arrayStart, arrayEnd) = (s, e);
                continue;
            }
            reader.Skip();
        }
        return null;
    }

    /// <summary>The child for the property name the reader is on, or null.</summary>
    public FieldTree? Find(ref Utf8JsonReader reader)
    {
        // Names without escapes (nearly all) compare as raw bytes; ValueTextEquals unescapes first otherwise.
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var raw = reader.ValueSpan;
            foreach (var (name, child) in _children)
                if (raw.SequenceEqual(name)) return child;
            return null;
        }
        foreach (var (name, child) in _children)
            if (reader.ValueTextEquals(name)) return child;
        return null;
    }
}
