using System.Buffers;
using System.Text.Json;
using Kpipe.Engine;

namespace Kpipe.Sinks.Console;

/// <summary>
/// Prints records as JSON lines. A value that is JSON is printed as is (so the line is the row, as the seed
/// printed its rows); other values are printed as a JSON string.
/// </summary>
public sealed class ConsoleSink : ISink
{
    private readonly ConsoleSinkOptions _options;
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;
    // Change rows (CDC) carry their operation as Debezium's ExtractNewRecordState would: __op, __deleted, __seq.
    private readonly Rows.RowJsonWriter _rowWriter = new(Rows.RowJsonStyle.Iso, metadata: Rows.RowMetadataForm.Debezium);
    private double _sampleCredit;

    public ConsoleSink(ConsoleSinkOptions options, Stream output)
    {
        _options = options;
        _output = output;
        Name = options.Name ?? "console";
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Name { get; }

    public void Write(RecordBatch batch, ISinkAcknowledger acknowledger)
    {
        if (batch.Rows is { } rows)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows.IsDropped(r) || batch.IsDropped(rows.SourceIndex(r)) || !Sampled()) continue;
                _writer.Reset();
                _rowWriter.WriteRow(_writer, rows, r);
                _writer.Flush();
                _buffer.Write("\n"u8);
            }
        }
        else
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch.IsDropped(i) || !Sampled()) continue;
                WriteLine(batch, i);
            }
        }
        _output.Write(_buffer.WrittenSpan);
        _output.Flush();
        _buffer.ResetWrittenCount();
        acknowledger.Acknowledge(batch);
    }

    // Deterministic sampling: with sample 0.25 exactly every fourth record is printed, so a test (or a user
    // comparing two runs) sees the same lines each time.
    private bool Sampled()
    {
        _sampleCredit += _options.Sample;
        if (_sampleCredit < 1) return false;
        _sampleCredit -= 1;
        return true;
    }

    private void WriteLine(RecordBatch batch, int index)
    {
        _writer.Reset();
        if (_options.Metadata)
        {
            _writer.WriteStartObject();
            _writer.WriteString("topic", batch.Topic(index));
            _writer.WriteNumber("partition", batch.Partition(index));
            _writer.WriteNumber("offset", batch.Offset(index));
            _writer.WriteNumber("timestamp", batch.TimestampMs(index));
            WriteBytes("key", batch.HasKey(index), batch.Key(index));
            WriteBytes("value", batch.HasValue(index), batch.Value(index));
            _writer.WriteEndObject();
        }
        else
        {
            WriteBytes(null, batch.HasValue(index), batch.Value(index));
        }
        _writer.Flush();
        _buffer.Write("\n"u8);
    }

    private void WriteBytes(string? property, bool present, ReadOnlySpan<byte> bytes)
    {
        if (property != null) _writer.WritePropertyName(property);
        if (!present) _writer.WriteNullValue();
        else if (IsJson(bytes)) _writer.WriteRawValue(bytes, skipInputValidation: true);
        else _writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(bytes));
    }

    private static bool IsJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read()) { }
            return bytes.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
