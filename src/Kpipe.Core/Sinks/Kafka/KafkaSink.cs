using Confluent.Kafka;
using Kpipe.Engine;
using System.Buffers;
using System.Text.Json;
using Kpipe.Json;
using Kpipe.Rows;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// Writes records to a Kafka topic. Every batch is produced asynchronously; it is acknowledged when the
/// last of its records has a successful delivery report. The idempotent producer retries internally without
/// duplicating or reordering; a record that still fails (after message.timeout.ms) fails the pipeline.
/// </summary>
public sealed partial class KafkaSink : ISink
{
    private readonly KafkaSinkOptions _options;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly JsonPath? _keyField;
    private readonly RecordErrorHandler _errors;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly RowJsonWriter _rowWriter = new(RowJsonStyle.Iso);

    public KafkaSink(KafkaSinkOptions options, string pipelineName, RecordErrorHandler errors, ILogger logger)
    {
        _options = options;
        _errors = errors;
        _logger = logger;
        Name = options.Name ?? "kafka";
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _keyField = options.KeyField != null ? new JsonPath(options.KeyField) : null;
        _producer = new ProducerBuilder<byte[]?, byte[]?>(BuildConfig(options, pipelineName))
            .SetErrorHandler((_, e) => LogProducerError(Name, e.Code, e.Reason))
            .SetLogHandler((_, m) => { if (m.Level <= SyslogLevel.Warning) LogLibrdkafka(Name, m.Facility, m.Message); })
            .Build();
    }

    public string Name { get; }

    internal static ProducerConfig BuildConfig(KafkaSinkOptions options, string pipelineName)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = $"kpipe-{pipelineName}",
            CompressionType = CompressionType.Lz4,
            LingerMs = 10,
            BatchSize = 1_000_000,
            // The engine bounds memory itself (engine.maxInFlightBytes); the producer queue must not be the
            // tighter limit, or Produce would throw QueueFull under normal load.
            QueueBufferingMaxMessages = 2_000_000,
            QueueBufferingMaxKbytes = 1_048_576,
            // Delivery reports only need the error; not copying keys and values back saves work per record.
            DeliveryReportFields = "status",
        };
        foreach (var (key, value) in options.Properties) config.Set(key, value);
        config.EnableIdempotence = true;
        config.Acks = Confluent.Kafka.Acks.All;
        return config;
    }

    public void Write(RecordBatch batch, ISinkAcknowledger acknowledger)
    {
        if (batch.Rows != null)
        {
            WriteRows(batch, batch.Rows, acknowledger);
            return;
        }
        var delivery = new BatchDelivery(batch, acknowledger);
        var records = batch.Records;
        for (var i = 0; i < records.Count; i++)
        {
            if (batch.IsDropped(i)) continue;
            var source = records[i];
            var key = source.Message.Key;
            if (_keyField != null)
            {
                if (!_keyField.TryGetScalar(source.Message.Value, out var extracted))
                {
                    _errors.Report(batch, i, $"key field '{_keyField.Text}' is missing, null or not a scalar in the value");
                    continue;
                }
                key = extracted;
            }
            Send(source, key, source.Message.Value, delivery);
        }
        delivery.Sealed();
    }

    /// <summary>Rows made by transforms are written as JSON objects, one message per row, with the source
    /// record's headers and timestamp; the key comes from <c>keyField</c> (a column) or the source record.</summary>
    private void WriteRows(RecordBatch batch, RowBatch rows, ISinkAcknowledger acknowledger)
    {
        var delivery = new BatchDelivery(batch, acknowledger);
        var keyColumn = _options.KeyField != null ? rows.Schema.IndexOf(_options.KeyField) : -1;
        if (_options.KeyField != null && keyColumn < 0)
            throw new RecordErrorException($"sink {Name}: keyField '{_options.KeyField}' is not one of the columns the transforms make ({string.Join(", ", rows.Schema.Names)})");
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows.IsDropped(r) || batch.IsDropped(rows.SourceIndex(r))) continue;
            var source = batch.Records[rows.SourceIndex(r)];
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _rowWriter.WriteRow(_json, rows, r);
            _json.Flush();
            byte[]? key = source.Message.Key;
            if (keyColumn >= 0)
            {
                if (rows.Columns[keyColumn].IsNull(r))
                {
                    _errors.Report(batch, rows.SourceIndex(r), $"key column '{_options.KeyField}' is null");
                    continue;
                }
                key = _rowWriter.CellText(rows.Columns[keyColumn], r);
            }
            Send(source, key, _buffer.WrittenSpan.ToArray(), delivery);
        }
        delivery.Sealed();
    }

    /// <summary>Produces one message carrying the source record's headers and timestamp.</summary>
    private void Send(ConsumeResult<byte[]?, byte[]?> source, byte[]? key, byte[]? value, BatchDelivery delivery)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key,
            Value = value,
            Headers = _options.Headers ? source.Message.Headers : null,
            Timestamp = new Timestamp(source.Message.Timestamp.UnixTimestampMs, TimestampType.CreateTime),
        };
        delivery.Expect();
        Produce(_options.Partitioning == KafkaPartitioning.Preserve
            ? new TopicPartition(_options.Topic, source.Partition)
            : new TopicPartition(_options.Topic, Partition.Any), message, delivery.Handler);
    }

    private void Produce(TopicPartition target, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>> handler)
    {
        while (true)
        {
            try
            {
                _producer.Produce(target, message, handler);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue drains as the brokers acknowledge; wait for it rather than failing.
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        // Linger is 10 ms: records leave on their own almost at once. Serving delivery reports is all that
        // helps here; waiting for the acknowledgements is the engine's job.
        _producer.Poll(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _json.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: producer error {Code}: {Reason}")]
    private partial void LogProducerError(string sink, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: librdkafka {Facility}: {Message}")]
    private partial void LogLibrdkafka(string sink, string facility, string message);
}
