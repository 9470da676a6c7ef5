namespace Kpipe.Cli.Commands;

/// <summary>Rows as a Markdown table, the way the seed's README shows Doris tables (strings in quotes).</summary>
internal static class TableRenderer
{
    public static void Write(TextWriter output, IReadOnlyList<string> names, IReadOnlyList<(string Json, string[] Cells)> rows)
    {
        var widths = names.Select((n, c) => Math.Max(n.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Cells[c].Length))).ToArray();
        output.WriteLine("| " + string.Join(" | ", names.Select((n, c) => n.PadRight(widths[c]))) + " |");
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
            output.WriteLine("| " + string.Join(" | ", row.Cells.Select((v, c) => v.PadRight(widths[c]))) + " |");
    }
}
