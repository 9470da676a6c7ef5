using System.Text.Json;

namespace Kpipe.Rows;

/// <summary>The output columns of a pipeline, in order.</summary>
public sealed class RowSchema
{
    public RowSchema(IReadOnlyList<(string Name, ColumnType Type)> columns)
    {
        Names = columns.Select(c => c.Name).ToArray();
        Types = columns.Select(c => c.Type).ToArray();
        EncodedNames = Names.Select(n => JsonEncodedText.Encode(n)).ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<ColumnType> Types { get; }

    /// <summary>Names pre-encoded once, so writing a row never re-escapes them.</summary>
    public IReadOnlyList<JsonEncodedText> EncodedNames { get; }

    public int Count => Names.Count;

    public int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
            if (Names[i] == name) return i;
        return -1;
    }
}
