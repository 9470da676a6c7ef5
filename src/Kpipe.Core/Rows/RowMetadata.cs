using System.Text.Json;

namespace Kpipe.Rows;

/// <summary>How a sink writes the metadata of change rows (<see cref="RowBatch.HasChanges"/>).</summary>
public enum RowMetadataForm
{
    /// <summary>Doris's columns: the sequence under its name (the table's sequence column), then
    /// <c>__DORIS_DELETE_SIGN__</c> (1 for a delete, else 0), which Stream Load takes as a hidden column.</summary>
    Doris,
    /// <summary>As Debezium's ExtractNewRecordState adds them: <c>__op</c> (<c>c</c>, <c>r</c>, <c>u</c> or <c>d</c>),
    /// <c>__deleted</c> (<c>"true"</c> for a delete, else <c>"false"</c>), and <c>__seq</c> with the sequence. For the
    /// Kafka and console sinks: no Doris column reaches a topic.</summary>
    Debezium,
}

/// <summary>
/// Writes a change row's metadata after its columns, in the form its sink wants. Doris's names stay Doris's: the
/// sequence column is the transform's <c>sequenceColumn</c> and the delete sign is Doris's hidden column; the
/// Debezium form uses names with the <c>__</c> prefix that ExtractNewRecordState's added fields have, which kpipe's
/// own debezium transform reads as markers (<c>__op</c>, <c>__deleted</c>) or a sequence (<c>sequence: __seq</c>),
/// never as columns.
/// </summary>
public static class RowMetadata
{
    /// <summary>Doris's delete sign column (hidden in every Unique Key table).</summary>
    public const string DeleteSign = "__DORIS_DELETE_SIGN__";

    private static readonly JsonEncodedText DeleteSignName = JsonEncodedText.Encode(DeleteSign);
    private static readonly JsonEncodedText OpName = JsonEncodedText.Encode("__op");
    private static readonly JsonEncodedText DeletedName = JsonEncodedText.Encode("__deleted");
    private static readonly JsonEncodedText SequenceName = JsonEncodedText.Encode("__seq");

    /// <summary>The names the metadata of <paramref name="rows"/> takes in <paramref name="form"/>, in the order
    /// written; empty for plain rows.</summary>
    public static IReadOnlyList<string> Names(RowBatch rows, RowMetadataForm form)
    {
        if (!rows.HasChanges) return [];
        return form == RowMetadataForm.Doris
            ? rows.SequenceName != null ? [rows.SequenceName, DeleteSign] : [DeleteSign]
            : rows.Sequence != null ? ["__op", "__deleted", "__seq"] : ["__op", "__deleted"];
    }

    /// <summary>Writes the row's metadata as properties of the object being written; nothing for plain rows.</summary>
    /// <param name="writer">The JSON writer, inside the row's object.</param>
    /// <param name="cells">Writes the sequence cell in the sink's style.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="row">The row.</param>
    /// <param name="form">The sink's form.</param>
    public static void Write(Utf8JsonWriter writer, RowJsonWriter cells, RowBatch rows, int row, RowMetadataForm form)
    {
        if (!rows.HasChanges) return;
        var operation = rows.Operation(row);
        if (form == RowMetadataForm.Doris)
        {
            if (rows.Sequence is { } doris)
            {
                writer.WritePropertyName(rows.SequenceName!);
                cells.WriteValue(writer, doris, row);
            }
            writer.WriteNumber(DeleteSignName, operation == RowOperation.Delete ? 1 : 0);
            return;
        }
        writer.WriteString(OpName, Code(operation));
        writer.WriteString(DeletedName, operation == RowOperation.Delete ? "true"u8 : "false"u8);
        if (rows.Sequence is { } sequence)
        {
            writer.WritePropertyName(SequenceName);
            cells.WriteValue(writer, sequence, row);
        }
    }

    /// <summary>Debezium's letter for an operation.</summary>
    private static ReadOnlySpan<byte> Code(RowOperation operation) => operation switch
    {
        RowOperation.Create => "c"u8,
        RowOperation.Read => "r"u8,
        RowOperation.Delete => "d"u8,
        _ => "u"u8,
    };

    /// <summary>The operation of a Debezium letter (<c>c</c>, <c>r</c>, <c>u</c>, <c>d</c>); anything else is an update.</summary>
    public static RowOperation OfDebezium(char op) => op switch
    {
        'c' => RowOperation.Create,
        'r' => RowOperation.Read,
        'd' => RowOperation.Delete,
        _ => RowOperation.Update,
    };
}
