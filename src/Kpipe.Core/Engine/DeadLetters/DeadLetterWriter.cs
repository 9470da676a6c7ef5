using System.Runtime.InteropServices;
using Confluent.Kafka;
using Kpipe.Kafka.Native;
using Kpipe.Sinks;
using Kpipe.Sources.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine.DeadLetters;

/// <summary>
/// Writes rejected records to the dead-letter topic: the original key, value, headers and timestamp, plus the
/// error headers of <see cref="DeadLetterHeaders"/>. Each dead letter holds its batch (one more acknowledgement
/// due), so the record's offset is committed only once the dead-letter topic has it (idempotent producer,
/// acks=all). A dead letter that cannot be written fails its batch: the pipeline stops rather than drop the
/// record silently. Uses kpipe's own librdkafka binding, with a thread of its own serving delivery reports, as
/// the Kafka sink does.
/// </summary>
internal sealed partial class DeadLetterWriter : IProducerEvents, IDisposable
{
    private readonly string _pipeline;
    private readonly string _topicName;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly NativeProducer _producer;
    private readonly nint _topic;
    private readonly SourceRecordReader _reader;
    private readonly Thread _poller;
    private readonly object _roomSignal = new();
    private volatile bool _stopping;
    private Exception? _fatal;

    public DeadLetterWriter(DeadLetterOptions options, KafkaSourceOptions source, string pipeline, PipelineMetrics metrics, ILogger logger)
    {
        _pipeline = pipeline;
        _topicName = options.Topic;
        _metrics = metrics;
        _logger = logger;
        _producer = new NativeProducer(BuildConfig(options, source, pipeline), this);
        _topic = _producer.Topic(options.Topic);
        var consumer = Sources.Kafka.KafkaConsumerFactory.BuildConfig(source, pipeline);
        consumer.GroupId = $"kpipe-{pipeline}-dead-letter-reader";
        consumer.EnableAutoCommit = false;
        // It reads a few records now and then: a small prefetch, not the source's (memory outside the in-flight bound).
        consumer.QueuedMinMessages = 1_000;
        consumer.QueuedMaxMessagesKbytes = 1_024;
        consumer.FetchMaxBytes = 1 << 20;
        _reader = new SourceRecordReader(consumer.ToDictionary(kv => kv.Key, kv => kv.Value), TimeSpan.FromSeconds(30));
        _poller = new Thread(PollLoop) { IsBackground = true, Name = $"kpipe-{pipeline}-dead-letters" };
        _poller.Start();
    }

    /// <summary>The source's security settings carry over when the dead letters go to the source cluster, so a TLS
    /// or SASL source needs nothing repeated; other consumer properties mean nothing to a producer.</summary>
    internal static ProducerConfig BuildConfig(DeadLetterOptions options, KafkaSourceOptions source, string pipeline)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers ?? source.BootstrapServers,
            ClientId = $"kpipe-{pipeline}-dead-letters",
            LingerMs = 5,
        };
        if (options.BootstrapServers == null)
            foreach (var (key, value) in source.Properties)
                if (key.StartsWith("security.", StringComparison.Ordinal) || key.StartsWith("ssl.", StringComparison.Ordinal)
                    || key.StartsWith("sasl.", StringComparison.Ordinal))
                    config.Set(key, value);
        foreach (var (key, value) in options.Properties) config.Set(key, value);
        config.EnableIdempotence = true;
        config.Acks = Confluent.Kafka.Acks.All;
        return config;
    }

    /// <summary>
    /// Queues the dead letter of the record at <paramref name="index"/> and makes its batch wait for it.
    /// <paramref name="payloadReadable"/> false: the record's bytes were released, read it again from the source.
    /// </summary>
    public void Send(RecordBatch batch, int index, RecordError error, bool payloadReadable, ISinkAcknowledger acknowledger)
    {
        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            acknowledger.Fail(batch, new DeadLetterException($"the dead-letter producer failed: {fatal.Message}", fatal));
            return;
        }
        var tp = batch.TopicPartition(index);
        var offset = batch.Offset(index);
        var delivery = new Delivery(batch, tp, acknowledger);
        batch.Hold();
        try
        {
            if (payloadReadable)
                Produce(batch.Key(index), batch.HasKey(index), batch.Value(index), batch.HasValue(index), batch.TimestampMs(index),
                    batch.Headers(index), tp, offset, error, delivery);
            else
                _reader.Read(tp, offset, m =>
                    Produce(m.Key, m.HasKey, m.Value, m.HasValue, m.TimestampMs, m.Headers, tp, offset, error, delivery));
        }
        catch (Exception e)
        {
            delivery.Free();
            acknowledger.Fail(batch, new DeadLetterException(
                $"dead letter of record {batch.Where(index)} could not be queued for topic {_topicName}: {e.Message}", e));
        }
    }

    private void Produce(ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, long timestampMs, nint original,
        TopicPartition tp, long offset, RecordError error, Delivery delivery)
    {
        var headers = KafkaHeaders.Create(KafkaHeaders.Count(original) + 10);
        try
        {
            for (var h = 0; KafkaHeaders.TryGet(original, h, out var name, out var headerValue, out var isNull); h++)
                if (!DeadLetterHeaders.IsErrorHeader(name)) KafkaHeaders.Add(headers, name, headerValue, isNull);
            DeadLetterHeaders.Append(headers, _pipeline, tp.Topic, tp.Partition.Value, offset, error);
            while (_producer.Produce(_topic, -1, key, hasKey, value, hasValue, Math.Max(0, timestampMs), headers, delivery.Opaque)
                   == ErrorCode.Local_QueueFull)
            {
                lock (_roomSignal) Monitor.Wait(_roomSignal, 50);
                ObjectDisposedException.ThrowIf(_stopping, this);
            }
        }
        finally
        {
            // Produce sends a copy of the list.
            KafkaHeaders.Destroy(headers);
        }
    }

    private void PollLoop()
    {
        try
        {
            while (!_stopping) _producer.Poll(100);
        }
        catch (Exception e)
        {
            // Reports would no longer be served, so dead letters never acknowledged: new ones fail instead.
            Volatile.Write(ref _fatal, e);
            LogProducerError(_pipeline, ErrorCode.Local_Fail, $"serving delivery reports failed: {e.Message}");
        }
    }

    void IProducerEvents.OnDelivered(ReadOnlySpan<DeliveryReport> reports)
    {
        foreach (var report in reports)
        {
            var delivery = Delivery.FromOpaque(report.Opaque);
            delivery.Free();
            if (report.Error == ErrorCode.NoError)
            {
                _metrics.DeadLettered(delivery.Partition);
                delivery.Acknowledger.Acknowledge(delivery.Batch);
            }
            else
            {
                var message = $"the dead-letter topic {_topicName} could not be written: {report.Error}; the pipeline stops so that no bad record is dropped unrecorded";
                LogUnwritable(_pipeline, message);
                delivery.Acknowledger.Fail(delivery.Batch, new DeadLetterException(message, null));
            }
        }
        lock (_roomSignal) Monitor.PulseAll(_roomSignal);
    }

    void IProducerEvents.OnError(ErrorCode code, string reason, bool isFatal) => LogProducerError(_pipeline, code, reason);

    void IProducerEvents.OnLog(int syslogLevel, string facility, string message)
    {
        if (syslogLevel <= 4) LogLibrdkafka(_pipeline, facility, message);
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) for the dead letters still in flight, then closes.</summary>
    public void Close(TimeSpan timeout)
    {
        if (_stopping) return;
        _stopping = true;
        _poller.Join();
        _producer.Flush((int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));
        _producer.Dispose();
        _reader.Dispose();
    }

    public void Dispose() => Close(TimeSpan.FromSeconds(5));

    /// <summary>One dead letter in flight: the opaque its message carries.</summary>
    private sealed class Delivery
    {
        private GCHandle _handle;

        public Delivery(RecordBatch batch, TopicPartition partition, ISinkAcknowledger acknowledger)
        {
            Batch = batch;
            Partition = partition;
            Acknowledger = acknowledger;
            _handle = GCHandle.Alloc(this);
        }

        public RecordBatch Batch { get; }
        public TopicPartition Partition { get; }
        public ISinkAcknowledger Acknowledger { get; }
        public nint Opaque => GCHandle.ToIntPtr(_handle);

        public static Delivery FromOpaque(nint opaque) => (Delivery)GCHandle.FromIntPtr(opaque).Target!;

        public void Free()
        {
            if (_handle.IsAllocated) _handle.Free();
        }
    }

    [LoggerMessage(LogLevel.Error, "Pipeline {Pipeline}: {Message}")]
    private partial void LogUnwritable(string pipeline, string message);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: dead-letter producer error {Code}: {Reason}")]
    private partial void LogProducerError(string pipeline, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: dead-letter librdkafka {Facility}: {Message}")]
    private partial void LogLibrdkafka(string pipeline, string facility, string message);
}

/// <summary>A dead letter could not be written: the pipeline stops without committing its record.</summary>
public sealed class DeadLetterException(string message, Exception? inner) : Exception(message, inner);
