using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>
/// A producer over librdkafka's C API: one P/Invoke per message (rd_kafka_produceva) and delivery
/// reports read in batches from the event queue, so there is no per-message callback into .NET.
/// </summary>
/// <remarks>
/// Delivery reports and errors use the event API (rd_kafka_conf_set_events with DR | ERROR) and are
/// served from the main queue by <see cref="Poll"/> and <see cref="Flush"/> on the caller's thread.
/// Produce may be called from one thread while another polls (librdkafka is thread-safe there), but
/// Poll/Flush themselves must not run concurrently: they share the report buffers.
/// There is no finalizer: the log callback's GCHandle keeps this object reachable until Dispose.
/// </remarks>
public sealed unsafe class NativeProducer : IDisposable, ILogTarget
{
    /// <summary>Upper bound of events served by one Poll, so a busy producer still returns to its caller.</summary>
    private const int MaxEventsPerPoll = 64;

    private readonly IProducerEvents _events;
    private readonly Dictionary<string, nint> _topics = new(StringComparer.Ordinal);
    private readonly Lock _topicsGate = new();

    private GCHandle _self;
    private nint _rk;
    private nint _mainQueue;

    // Reused for every delivery-report event; they grow to the largest event seen (at most
    // batch.num.messages) and are never shrunk.
    private RdKafkaMessage** _reportMessages;
    private int _reportCapacity;
    private DeliveryReport[] _reports = [];

    public NativeProducer(IEnumerable<KeyValuePair<string, string>> config, IProducerEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _events = events;

        var conf = NativeConfig.Create(config, out var values);
        _self = GCHandle.Alloc(this);
        try
        {
            LibRdKafka.ConfSetOpaque(conf, GCHandle.ToIntPtr(_self));
            LibRdKafka.ConfSetEvents(conf, LibRdKafka.EventTypeDr | LibRdKafka.EventTypeError);
            LibRdKafka.ConfSetLogCb(conf, &NativeLogCallback.OnLog);
            _rk = NativeConfig.NewHandle(LibRdKafka.TypeProducer, conf, values);
        }
        catch
        {
            _self.Free();
            throw;
        }

        _mainQueue = LibRdKafka.QueueGetMain(_rk);
    }

    /// <summary>The rd_kafka_t*.</summary>
    public nint Handle => _rk;

    /// <summary>Messages not yet delivered plus events not yet served (rd_kafka_outq_len).</summary>
    public int Outstanding
    {
        get
        {
            ThrowIfDisposed();
            return LibRdKafka.OutqLen(_rk);
        }
    }

    /// <summary>Whether some broker of the cluster has answered (the client holds cluster metadata); false
    /// while every bootstrap server is unreachable. Does not block.</summary>
    public bool HasClusterMetadata
    {
        get
        {
            ThrowIfDisposed();
            return LibRdKafka.ControllerId(_rk, 0) >= 0;
        }
    }

    /// <summary>The topic's handle (rd_kafka_topic_new), created once per name; destroyed by Dispose.</summary>
    public nint Topic(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfDisposed();
        lock (_topicsGate)
        {
            if (_topics.TryGetValue(name, out var rkt))
            {
                return rkt;
            }

            rkt = LibRdKafka.TopicNew(_rk, name, 0);
            if (rkt == 0)
            {
                throw new NativeKafkaException(ErrorCode.Local_Fail, $"rd_kafka_topic_new failed for topic '{name}'.");
            }

            _topics.Add(name, rkt);
            return rkt;
        }
    }

    /// <summary>
    /// Enqueues one message (rd_kafka_produceva with RD_KAFKA_MSG_F_COPY: the spans are copied).
    /// <paramref name="partition"/> -1 lets the partitioner pick by key. <paramref name="headers"/> stays
    /// the caller's (a copy is sent). <paramref name="timestampMs"/> &lt;= 0 lets librdkafka stamp it.
    /// </summary>
    /// <returns><see cref="ErrorCode.NoError"/>, or <see cref="ErrorCode.Local_QueueFull"/>: poll, then retry.</returns>
    public ErrorCode Produce(
        nint topic, int partition, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue,
        long timestampMs, nint headers, nint opaque)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfZero(topic);

        var vus = stackalloc RdKafkaVu[8];
        var n = 0;
        vus[n].VType = RdKafkaVType.Rkt;
        vus[n++].Ptr = topic;
        vus[n].VType = RdKafkaVType.Partition;
        vus[n++].I32 = partition;
        vus[n].VType = RdKafkaVType.MsgFlags;
        vus[n++].I32 = LibRdKafka.MsgFCopy;
        vus[n].VType = RdKafkaVType.Opaque;
        vus[n++].Ptr = opaque;
        if (timestampMs > 0)
        {
            vus[n].VType = RdKafkaVType.Timestamp;
            vus[n++].I64 = timestampMs;
        }

        fixed (byte* keyPtr = key)
        fixed (byte* valuePtr = value)
        {
            // NULL means "no key" / tombstone; an empty span has no address, so it gets a non-NULL one.
            vus[n].VType = RdKafkaVType.Key;
            vus[n].Ptr = hasKey ? (nint)(keyPtr == null ? KafkaHeaders.EmptyMarker : keyPtr) : 0;
            vus[n++].Size = hasKey ? (nuint)key.Length : 0;
            vus[n].VType = RdKafkaVType.Value;
            vus[n].Ptr = hasValue ? (nint)(valuePtr == null ? KafkaHeaders.EmptyMarker : valuePtr) : 0;
            vus[n++].Size = hasValue ? (nuint)value.Length : 0;

            // The message takes ownership of the headers it is given, unless produceva fails.
            nint headersCopy = 0;
            if (headers != 0)
            {
                headersCopy = LibRdKafka.HeadersCopy(headers);
                vus[n].VType = RdKafkaVType.Headers;
                vus[n++].Ptr = headersCopy;
            }

            var error = LibRdKafka.Produceva(_rk, vus, (nuint)n);
            if (error == 0)
            {
                return ErrorCode.NoError;
            }

            if (headersCopy != 0)
            {
                LibRdKafka.HeadersDestroy(headersCopy);
            }

            if (LibRdKafka.ErrorCode(error) == LibRdKafka.ErrQueueFull)
            {
                LibRdKafka.ErrorDestroy(error);
                return ErrorCode.Local_QueueFull;
            }

            throw NativeErrors.Consume(error, "rd_kafka_produceva");
        }
    }

    /// <summary>
    /// Serves delivery reports and errors, waiting up to <paramref name="timeoutMs"/> for the first event
    /// and then taking only what is ready. Returns the number of delivery reports served.
    /// </summary>
    public int Poll(int timeoutMs)
    {
        ThrowIfDisposed();
        var served = 0;
        var wait = timeoutMs;
        for (var i = 0; i < MaxEventsPerPoll; i++)
        {
            var ev = LibRdKafka.QueuePoll(_mainQueue, wait);
            if (ev == 0)
            {
                break;
            }

            try
            {
                served += Serve(ev);
            }
            finally
            {
                LibRdKafka.EventDestroy(ev);
            }

            wait = 0;
        }

        return served;
    }

    /// <summary>
    /// Sends everything queued (linger ignored) and serves the reports until none is outstanding or
    /// <paramref name="timeoutMs"/> passed (negative: no limit). Returns what is still outstanding.
    /// </summary>
    /// <remarks>
    /// With the event API, rd_kafka_flush does not serve the queue itself ("requires the application to
    /// serve the event queue in a separate thread", rdkafka.h), so short flush slices alternate with Poll.
    /// </remarks>
    public int Flush(int timeoutMs)
    {
        ThrowIfDisposed();
        var deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            Poll(0);
            if (LibRdKafka.OutqLen(_rk) == 0)
            {
                return 0;
            }

            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                return LibRdKafka.OutqLen(_rk);
            }

            LibRdKafka.Flush(_rk, (int)Math.Min(remaining, 10));
        }
    }

    /// <summary>Gets a producer id from the transaction coordinator; needs transactional.id.</summary>
    public void InitTransactions(int timeoutMs)
    {
        ThrowIfDisposed();
        NativeErrors.ThrowIfError(LibRdKafka.InitTransactions(_rk, timeoutMs), "rd_kafka_init_transactions");
    }

    public void BeginTransaction()
    {
        ThrowIfDisposed();
        NativeErrors.ThrowIfError(LibRdKafka.BeginTransaction(_rk), "rd_kafka_begin_transaction");
    }

    /// <summary>Adds the consumer group's offsets (next offsets to read) to the current transaction.</summary>
    public void SendOffsetsToTransaction(IReadOnlyList<TopicPartitionOffset> offsets, NativeConsumer consumer, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(consumer);
        ThrowIfDisposed();
        var metadata = LibRdKafka.ConsumerGroupMetadata(consumer.Handle);
        if (metadata == 0)
        {
            throw new NativeKafkaException(ErrorCode.Local_InvalidArg, "rd_kafka_consumer_group_metadata returned NULL (not a group consumer?).");
        }

        var list = PartitionLists.From(offsets);
        try
        {
            NativeErrors.ThrowIfError(
                LibRdKafka.SendOffsetsToTransaction(_rk, list, metadata, timeoutMs), "rd_kafka_send_offsets_to_transaction");
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
            LibRdKafka.ConsumerGroupMetadataDestroy(metadata);
        }
    }

    /// <summary>Serves the transaction's delivery reports (OnDelivered runs here), then commits it.</summary>
    /// <remarks>
    /// With the event API, rd_kafka_commit_transaction only waits for the delivery reports to be
    /// served, it does not serve them ("the event queue must be polled for delivery report events in a
    /// separate thread or prior to calling commit", its Local_TimedOut text): so flush first, unless
    /// <paramref name="serveReports"/> is false because another thread polls (Poll must not run twice at once).
    /// </remarks>
    /// <param name="timeoutMs">Longest wait; -1: the transaction's remaining time (rdkafka.h recommends it).</param>
    /// <param name="serveReports">Whether to serve the delivery reports on this thread first.</param>
    public void CommitTransaction(int timeoutMs, bool serveReports = true)
    {
        ThrowIfDisposed();
        var started = Environment.TickCount64;
        if (serveReports) Flush(timeoutMs);
        var remaining = timeoutMs < 0 ? -1 : (int)Math.Max(0, timeoutMs - (Environment.TickCount64 - started));
        NativeErrors.ThrowIfError(LibRdKafka.CommitTransaction(_rk, remaining), "rd_kafka_commit_transaction");
    }

    public void AbortTransaction(int timeoutMs)
    {
        ThrowIfDisposed();
        NativeErrors.ThrowIfError(LibRdKafka.AbortTransaction(_rk, timeoutMs), "rd_kafka_abort_transaction");
    }

    /// <summary>Destroys topics, the queue reference and the handle (without flushing: call Flush first).</summary>
    public void Dispose()
    {
        if (_rk == 0)
        {
            return;
        }

        lock (_topicsGate)
        {
            foreach (var rkt in _topics.Values)
            {
                LibRdKafka.TopicDestroy(rkt);
            }

            _topics.Clear();
        }

        // Queue references hold the handle: rd_kafka_destroy would wait for them.
        LibRdKafka.QueueDestroy(_mainQueue);
        _mainQueue = 0;
        LibRdKafka.Destroy(_rk);
        _rk = 0;
        // rd_kafka_destroy joined librdkafka's threads: the log callback can no longer use the handle.
        _self.Free();
        NativeMemory.Free(_reportMessages);
        _reportMessages = null;
    }

    void ILogTarget.Log(int syslogLevel, string facility, string message) => _events.OnLog(syslogLevel, facility, message);

    private int Serve(nint ev)
    {
        switch (LibRdKafka.EventType(ev))
        {
            case LibRdKafka.EventTypeDr:
                return ServeDeliveryReports(ev);
            case LibRdKafka.EventTypeError:
                var code = LibRdKafka.EventError(ev);
                var isFatal = LibRdKafka.EventErrorIsFatal(ev) != 0;
                if (isFatal)
                {
                    var (fatalCode, reason) = NativeErrors.FatalError(_rk);
                    _events.OnError(fatalCode == ErrorCode.NoError ? (ErrorCode)code : fatalCode, reason, true);
                }
                else
                {
                    _events.OnError((ErrorCode)code, LibRdKafka.Utf8(LibRdKafka.EventErrorString(ev)), false);
                }

                return 0;
            default:
                // Only DR and ERROR are enabled; anything else is destroyed unread.
                return 0;
        }
    }

    private int ServeDeliveryReports(nint ev)
    {
        var count = (int)LibRdKafka.EventMessageCount(ev);
        if (count == 0)
        {
            return 0;
        }

        if (count > _reportCapacity)
        {
            // Powers of two from 1024, so growing happens a handful of times in a producer's life.
            var capacity = (int)Math.Max(1024, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count));
            _reportMessages = (RdKafkaMessage**)NativeMemory.Realloc(_reportMessages, (nuint)(capacity * sizeof(nint)));
            _reports = new DeliveryReport[capacity];
            _reportCapacity = capacity;
        }

        var n = (int)LibRdKafka.EventMessageArray(ev, _reportMessages, (nuint)count);
        for (var i = 0; i < n; i++)
        {
            var m = _reportMessages[i];
            // For delivery reports _private is the msg_opaque given to produceva.
            _reports[i] = new DeliveryReport(m->Private, (ErrorCode)m->Err, m->Partition, m->Offset);
        }

        _events.OnDelivered(new ReadOnlySpan<DeliveryReport>(_reports, 0, n));
        return n;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_rk == 0, this);
}
