using System.Text;
using System.Text.Json;

namespace Kpipe.Transforms.Select;

/// <summary>
/// The declared field paths as a tree keyed by property name, so one forward pass of the reader over a
/// document finds every declared field and skips everything else without looking inside it.
/// </summary>
internal sealed class FieldTree
{
    private readonly List<(byte[] Name, FieldTree Child)> _children = [];

    /// <summary>Columns whose value is at this node.</summary>
    public List<int> Columns { get; } = [];

    /// <summary>This node is the array being exploded.</summary>
    public bool IsExplode { get; private set; }

    public bool HasChildren => _children.Count > 0;

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
                node._children.Add((bytes, next));
            }
            node = next;
        }
        return node;
    }

    public void MarkExplode() => IsExplode = true;

    /// <summary>The child for the property name the reader is on, or null.</summary>
    public FieldTree? Find(ref Utf8JsonReader reader)
    {
        foreach (var (name, child) in _children)
            if (reader.ValueTextEquals(name)) return child;
        return null;
    }
}
