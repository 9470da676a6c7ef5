using System.Text;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// Reads a CSV body (the default format): one row per `line_delimiter`-separated line (default "\n"),
/// fields split on `column_separator` (default "\t"), "\N" is NULL, fields map by position to `columns`
/// (or to the table's columns followed by the `hidden_columns`). Empty lines are skipped; a line with too
/// few or too many fields is a filtered row (be/src/vec/exec/format/csv/csv_reader.cpp).
/// CSV quoting (`enclose`) is not interpreted; `trim_double_quotes` strips one pair of outer quotes.
/// </summary>
internal sealed class CsvBodyReader(LoadPlan plan, RowBuilder rows, LoadBatch batch)
{
    private int _headerLinesLeft = plan.Request.CsvHeaderLines;

    public Task ReadAsync(Stream body, CancellationToken ct) =>
        LineSplitter.ForEachLineAsync(body, plan.Request.LineDelimiter, line => ReadLine(line.Span), ct);

    private void ReadLine(ReadOnlySpan<byte> line)
    {
        if (_headerLinesLeft > 0)
        {
            _headerLinesLeft--;
            return;
        }

        if (line.IsEmpty)
            return;

        var separator = plan.Request.ColumnSeparator;
        var fields = new List<string?>();
        var rest = line;
        while (true)
        {
            var i = rest.IndexOf(separator);
            var field = i < 0 ? rest : rest[..i];
            fields.Add(Field(field));
            if (i < 0)
                break;
            rest = rest[(i + separator.Length)..];
        }

        var text = Encoding.UTF8.GetString(line);
        var expected = plan.SourceFields.Count;
        if (fields.Count != expected)
        {
            batch.TotalRows++;
            var relation = fields.Count < expected ? "less" : "more";
            batch.Filter($"actual column number in csv file is {relation} than schema column number.actual number: {fields.Count}, "
                         + $"schema column number: {expected}; line delimiter: [{Printable(plan.Request.LineDelimiter)}], "
                         + $"column separator: [{Printable(separator)}], ", text);
            return;
        }

        rows.Add(new CsvRecord(fields, text));
    }

    private string? Field(ReadOnlySpan<byte> bytes)
    {
        if (bytes.SequenceEqual("\\N"u8))
            return null;
        var s = Encoding.UTF8.GetString(bytes);
        if (plan.Request.TrimDoubleQuotes && s.Length >= 2 && s[0] == '"' && s[^1] == '"')
            s = s[1..^1];
        return s;
    }

    private static string Printable(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private sealed class CsvRecord(List<string?> fields, string line) : ISourceRecord
    {
        public string SourceLine => line;

        public bool TryGet(int field, out SourceValue value)
        {
            value = SourceValue.Of(fields[field]);
            return true;
        }
    }
}
