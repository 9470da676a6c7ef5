namespace Kpipe.Transforms.Filter;

/// <summary>
/// A filter that cannot be parsed, or that does not fit the row schema (unknown column, a string column
/// compared with a number...). The message starts with where the problem is ("at column 12: ...", or
/// "at line 2, column 5: ..." for a multi-line YAML string) so it can be shown to the user unchanged.
/// </summary>
public sealed class FilterSyntaxException : Exception
{
    internal FilterSyntaxException(string text, int position, string reason)
        : base($"{Locate(text, position)}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>0-based index in the filter text of the offending token (the text's length for "at the
    /// end"). The message's column is this plus one.</summary>
    public int Position { get; }

    /// <summary>The message without its location.</summary>
    public string Reason { get; }

    private static string Locate(string text, int position)
    {
        var lineStart = position > 0 && text.Length > 0 ? text.LastIndexOf('\n', Math.Min(position, text.Length) - 1) : -1;
        if (lineStart < 0) return $"at column {position + 1}";
        var line = text.AsSpan(0, lineStart + 1).Count('\n') + 1;
        return $"at line {line}, column {position - lineStart}";
    }
}
