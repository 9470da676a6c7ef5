using System.Buffers;
using System.Text.Json;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Json;
using Kpipe.Kafka;
using Kpipe.Kafka.Native;
using Kpipe.Rows;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// Writes records to a Kafka topic. Every batch is produced asynchronously, straight from the consumed message
/// memory (librdkafka copies it into its own batches); the batch is acknowledged when the last of its records
/// has a successful delivery report. The idempotent producer retries internally without duplicating or
/// reordering; a record that still fails (after message.timeout.ms) fails the pipeline. Delivery reports are
/// served by a thread of the sink's own, in librdkafka's event batches.
/// </summary>
public sealed partial class KafkaSink : ISink, IProducerEvents
{
    private readonly KafkaSinkOptions _options;
    private readonly KafkaSinkInstruments _instruments;
    private readonly NativeProducer _producer;
    private readonly nint _topic;
    private readonly JsonPath? _keyField;
    private readonly RecordErrorHandler _errors;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    // Change rows (CDC) carry their operation as Debezium's ExtractNewRecordState would (__op, __deleted, __seq): no Doris
    // column reaches a topic.
    private readonly RowJsonWriter _rowWriter = new(RowJsonStyle.Iso, metadata: RowMetadataForm.Debezium);
    private readonly Thread _poller;
    private readonly KafkaTransactions? _transactions;
    // Cached so that opening a transaction per write allocates nothing.
    private readonly Func<bool> _stopRequested;
    // An unreachable sink cluster is reported per reconnect attempt; logs should grow with kinds of trouble.
    private readonly LogThrottle _throttle = new(TimeProvider.System);
    private readonly StartupWatch _startup;
    private readonly object _roomSignal = new();
    private volatile bool _stopping;
    private volatile bool _waitsCancelled;
    private Exception? _fatal;

    public KafkaSink(KafkaSinkOptions options, string pipelineName, RecordErrorHandler errors, ILogger logger)
    {
        _options = options;
        _errors = errors;
        _logger = logger;
        Name = options.Name ?? "kafka";
        _instruments = new KafkaSinkInstruments(pipelineName, Name, options.Topic);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        _keyField = options.KeyField != null ? new JsonPath(options.KeyField) : null;
        _startup = new StartupWatch(TimeProvider.System, options.UnreachableTimeout);
        _producer = new NativeProducer(BuildConfig(options, pipelineName), this);
        _topic = _producer.Topic(options.Topic);
        _stopRequested = () => _waitsCancelled;
        if (options.ExactlyOnce) _transactions = new KafkaTransactions(_producer, Name, logger);
        _poller = new Thread(PollLoop) { IsBackground = true, Name = $"kpipe-{Name}-reports" };
        _poller.Start();
    }

    public string Name { get; }

    public ITransactionalSink? Transactions => _transactions;

    public Exception? Fatal => Volatile.Read(ref _fatal);

    /// <summary>The <c>transactional.id</c> when <c>transactionalId</c> is not given: stable per pipeline and host.</summary>
    internal static string DefaultTransactionalId(string pipelineName) => $"kpipe-{pipelineName}-{Environment.MachineName}";

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
            // tighter limit, or producing would stall on QueueFull under normal load.
            QueueBufferingMaxMessages = 2_000_000,
            QueueBufferingMaxKbytes = 1_048_576,
        };
        foreach (var (key, value) in options.Properties) config.Set(key, value);
        config.EnableIdempotence = true;
        config.Acks = Confluent.Kafka.Acks.All;
        if (options.ExactlyOnce) config.TransactionalId = options.TransactionalId ?? DefaultTransactionalId(pipelineName);
        return config;
    }

    public void Write(RecordBatch batch, ISinkAcknowledger acknowledger)
    {
        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            acknowledger.Fail(batch, fatal);
            return;
        }
        // A transactional producer produces only inside a transaction.
        _transactions?.EnsureOpen(_stopRequested);
        if (batch.Rows != null)
        {
            WriteRows(batch, batch.Rows, acknowledger);
            return;
        }
        var delivery = new BatchDelivery(batch, acknowledger, _instruments);
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch.IsDropped(i)) continue;
                if (_keyField != null)
                {
                    if (!_keyField.TryGetScalar(batch.Value(i), out var extracted))
                    {
                        _errors.Report(batch, i, $"key field '{_keyField.Text}' is missing, repeated, null or not a scalar in the value");
                        continue;
                    }
                    Send(batch, i, extracted, true, batch.Value(i), batch.HasValue(i), delivery);
                }
                else
                {
                    Send(batch, i, batch.Key(i), batch.HasKey(i), batch.Value(i), batch.HasValue(i), delivery);
                }
            }
        }
        catch
        {
            delivery.Abandon();
            throw;
        }
        delivery.Sealed();
    }

    /// <summary>Rows made by transforms are written as JSON objects, one message per row, with the source
    /// record's headers and timestamp; the key comes from <c>keyField</c> (a column) or the source record.</summary>
    private void WriteRows(RecordBatch batch, RowBatch rows, ISinkAcknowledger acknowledger)
    {
        var keyColumn = _options.KeyField != null ? rows.Schema.IndexOf(_options.KeyField) : -1;
        if (_options.KeyField != null && keyColumn < 0)
            throw new RecordErrorException($"sink {Name}: keyField '{_options.KeyField}' is not one of the columns the transforms make ({string.Join(", ", rows.Schema.Names)})");
        var delivery = new BatchDelivery(batch, acknowledger, _instruments);
        try
        {
            for (var r = 0; r < rows.Count; r++)
            {
                var index = rows.SourceIndex(r);
                if (rows.IsDropped(r) || batch.IsDropped(index)) continue;
                _buffer.ResetWrittenCount();
                _json.Reset(_buffer);
                _rowWriter.WriteRow(_json, rows, r);
                _json.Flush();
                if (keyColumn < 0)
                {
                    Send(batch, index, batch.Key(index), batch.HasKey(index), _buffer.WrittenSpan, true, delivery);
                    continue;
                }
                if (rows.Columns[keyColumn].IsNull(r))
                {
                    _errors.Report(batch, index, $"key column '{_options.KeyField}' is null");
                    continue;
                }
                Send(batch, index, _rowWriter.CellText(rows.Columns[keyColumn], r), true, _buffer.WrittenSpan, true, delivery);
            }
        }
        catch
        {
            delivery.Abandon();
            throw;
        }
        delivery.Sealed();
    }

    /// <summary>Produces one message carrying the source record's headers and timestamp.</summary>
    private void Send(RecordBatch batch, int index, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, BatchDelivery delivery)
    {
        var partition = _options.Partitioning == KafkaPartitioning.Preserve ? batch.Partition(index) : -1;
        var headers = _options.Headers ? batch.Headers(index) : 0;
        var timestamp = Math.Max(0, batch.TimestampMs(index));
        delivery.Expect();
        try
        {
            while (_producer.Produce(_topic, partition, key, hasKey, value, hasValue, timestamp, headers, delivery.Opaque) == ErrorCode.Local_QueueFull)
            {
                // The local queue drains as the brokers acknowledge and the report thread serves them; wait for it
                // rather than failing.
                lock (_roomSignal) Monitor.Wait(_roomSignal, 50);
                ObjectDisposedException.ThrowIf(_stopping, this);
                if (_waitsCancelled) throw new OperationCanceledException($"Kafka sink {Name}: stopping while the producer queue is full");
            }
        }
        catch
        {
            delivery.Unexpect();
            throw;
        }
    }

    private void PollLoop()
    {
        try
        {
            // Blocks in librdkafka until reports arrive: an idle sink costs no CPU.
            while (!_stopping)
            {
                _producer.Poll(100);
                if (!_startup.Reached) WatchStartup();
            }
        }
        catch (Exception e)
        {
            // An exception here would end the process without draining or committing; instead the sink fails,
            // and the next batch written reports it, which stops the pipeline the usual way.
            Volatile.Write(ref _fatal, new NativeKafkaException(ErrorCode.Local_Fail, $"Kafka sink {Name}: serving delivery reports failed: {e.Message}"));
            LogProducerError(Name, ErrorCode.Local_Fail, e.Message);
        }
    }

    void IProducerEvents.OnDelivered(ReadOnlySpan<DeliveryReport> reports)
    {
        var i = 0;
        while (i < reports.Length)
        {
            var opaque = reports[i].Opaque;
            NativeKafkaException? error = null;
            var start = i;
            for (; i < reports.Length && reports[i].Opaque == opaque; i++)
                if (reports[i].Error != ErrorCode.NoError && error == null)
                    error = new NativeKafkaException(reports[i].Error,
                        $"Kafka sink {Name}: delivery to {_options.Topic} [{reports[i].Partition}] failed: {reports[i].Error}");
            BatchDelivery.FromOpaque(opaque).Delivered(i - start, error);
        }
        lock (_roomSignal) Monitor.PulseAll(_roomSignal);
    }

    void IProducerEvents.OnError(ErrorCode code, string reason, bool isFatal)
    {
        // "1/1 brokers are down" follows each failed attempt; the reason before it says why.
        if (!isFatal && (code != ErrorCode.Local_AllBrokersDown || _startup.Trouble == null)) _startup.Troubled(LogThrottle.Key(reason));
        var repeats = 0;
        if (isFatal || _throttle.ShouldLog(reason, out repeats)) LogProducerError(Name, code, reason + LogThrottleNote.Of(repeats));
    }

    void IProducerEvents.OnLog(int syslogLevel, string facility, string message)
    {
        if (syslogLevel <= 4 && _throttle.ShouldLog(message, out var repeats)) LogLibrdkafka(Name, facility, message + LogThrottleNote.Of(repeats));
    }

    /// <summary>Until a broker first answers: one summary of what is wrong, and a failure after unreachableTimeout.
    /// On the report thread, which polls at least every 100 ms whether records flow or not.</summary>
    private void WatchStartup()
    {
        var servers = StartupWatch.Display(_options.BootstrapServers);
        switch (_startup.Check(_producer.HasClusterMetadata))
        {
            case StartupVerdict.Summarize when _options.UnreachableTimeout > TimeSpan.Zero:
                LogUnreachable(Name, servers, _startup.Trouble ?? "", Config.Durations.Format(_options.UnreachableTimeout));
                break;
            case StartupVerdict.Summarize:
                LogUnreachableForever(Name, servers, _startup.Trouble ?? "");
                break;
            case StartupVerdict.Recovered:
                LogReached(Name, servers, Config.Durations.Format(_startup.Waited));
                break;
            case StartupVerdict.GiveUp:
                Interlocked.CompareExchange(ref _fatal, new NativeKafkaException(ErrorCode.Local_AllBrokersDown,
                    $"Kafka sink {Name}: no broker of the sink Kafka cluster at {servers} answered within " +
                    $"{Config.Durations.Format(_options.UnreachableTimeout)} (sinks[kafka].unreachableTimeout): " +
                    $"{_startup.Trouble ?? "no reason given by librdkafka"}", true), null);
                break;
        }
    }

    public void CancelWaits()
    {
        _waitsCancelled = true;
        lock (_roomSignal) Monitor.PulseAll(_roomSignal);
    }

    // Linger is 10 ms and a thread serves delivery reports: records leave and settle on their own. Waiting for
    // the acknowledgements is the engine's job.
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        // Still open here only when the pipeline stopped on a failure: its records must not become visible. While
        // the report thread still runs, as the abort waits for the purged records' reports.
        _transactions?.Abort();
        _stopping = true;
        _poller.Join();
        // A cluster never reached takes nothing: flushing would only wait out the 10 s before the error is printed.
        if (_startup.Reached) _producer.Flush(10_000);
        _producer.Dispose();
        _json.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: cannot reach the sink Kafka cluster at {Servers}: {Reason}. Retrying; the pipeline stops if no broker answers within {Timeout} (sinks[kafka].unreachableTimeout)")]
    private partial void LogUnreachable(string sink, string servers, string reason, string timeout);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: cannot reach the sink Kafka cluster at {Servers}: {Reason}. Retrying until a broker answers (sinks[kafka].unreachableTimeout is 0s)")]
    private partial void LogUnreachableForever(string sink, string servers, string reason);

    [LoggerMessage(LogLevel.Information, "Kafka sink {Sink}: reached the sink Kafka cluster at {Servers} after {Waited}")]
    private partial void LogReached(string sink, string servers, string waited);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: producer error {Code}: {Reason}")]
    private partial void LogProducerError(string sink, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: librdkafka {Facility}: {Message}")]
    private partial void LogLibrdkafka(string sink, string facility, string message);
}
