using System.Buffers;
using System.Text;
using System.Text.Json;
using Kpipe.Engine;

namespace Kpipe.Rows;

/// <summary>Rows as text for people (<c>kpipe test</c>) and tests; not for the hot path.</summary>
public static class RowText
{
    /// <summary>Each row that reaches the sinks, as a JSON object (ISO timestamps) and as its cells' JSON
    /// literals (those of <see cref="Names"/>), a change row's metadata in <paramref name="form"/>; for a batch
    /// without rows, each record's value as it is.</summary>
    public static List<(string Json, string[] Cells)> Render(RecordBatch batch, RowMetadataForm form)
    {
        var result = new List<(string, string[])>();
        if (batch.Rows is not { } rows)
        {
            for (var i = 0; i < batch.Count; i++)
                if (!batch.IsDropped(i)) result.Add((Encoding.UTF8.GetString(batch.Value(i)), []));
            return result;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var rowWriter = new RowJsonWriter(RowJsonStyle.Iso, metadata: form);
        string Text(Action write)
        {
            buffer.ResetWrittenCount();
            writer.Reset();
            write();
            writer.Flush();
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows.IsDropped(r) || batch.IsDropped(rows.SourceIndex(r))) continue;
            var json = Text(() => rowWriter.WriteRow(writer, rows, r));
            var cells = new List<string>(rows.Columns.Length + 3);
            for (var c = 0; c < rows.Columns.Length; c++) cells.Add(Text(() => rowWriter.WriteValue(writer, rows.Columns[c], r)));
            if (rows.HasChanges)
            {
                // The metadata's values as written, read back from the row's own object.
                using var doc = JsonDocument.Parse(json);
                foreach (var name in RowMetadata.Names(rows, form)) cells.Add(doc.RootElement.GetProperty(name).GetRawText());
            }
            result.Add((json, [.. cells]));
        }
        return result;
    }

    /// <summary>The names of the cells <see cref="Render"/> gives: the columns, then the metadata in <paramref name="form"/>.</summary>
    public static IReadOnlyList<string> Names(RowBatch rows, RowMetadataForm form) => [.. rows.Schema.Names, .. RowMetadata.Names(rows, form)];
}
