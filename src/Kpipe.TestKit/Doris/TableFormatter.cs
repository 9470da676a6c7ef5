using System.Globalization;
using System.Text;

namespace Kpipe.TestKit.Doris;

/// <summary>Renders rows as the MySQL client prints a result set, with values written as Doris prints them.</summary>
internal static class TableFormatter
{
    public static string Format(DorisTableDefinition table, IReadOnlyList<object?[]> rows)
    {
        var headers = table.Columns.Select(c => c.Name).ToArray();
        var cells = rows.Select(r => table.Columns.Select((c, i) => FormatValue(r[i], c.Type)).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();

        var sb = new StringBuilder();
        var border = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        sb.AppendLine(border);
        AppendRow(sb, headers, widths, table.Columns.Select(_ => false).ToArray());
        sb.AppendLine(border);
        var rightAlign = table.Columns.Select(c => c.Type.IsNumeric).ToArray();
        foreach (var row in cells)
            AppendRow(sb, row, widths, rightAlign);
        if (cells.Count > 0)
            sb.AppendLine(border);
        sb.Append(cells.Count switch
        {
            0 => "Empty set",
            1 => "1 row in set",
            var n => $"{n} rows in set",
        });
        sb.AppendLine();
        return sb.ToString();
    }

    public static string FormatValue(object? value, DorisType type) => value switch
    {
        null => "NULL",
        // Doris shows BOOLEAN as 1/0.
        bool b => b ? "1" : "0",
        DateTime dt => dt.ToString(type.Scale == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss." + new string('f', type.Scale), CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void AppendRow(StringBuilder sb, string[] cells, int[] widths, bool[] rightAlign)
    {
        sb.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            sb.Append(' ');
            sb.Append(rightAlign[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            sb.Append(" |");
        }

        sb.AppendLine();
    }
}
