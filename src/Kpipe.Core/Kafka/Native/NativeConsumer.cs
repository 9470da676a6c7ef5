using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>
/// A high-level (group) consumer over librdkafka's C API that hands out raw rd_kafka_message_t*
/// in batches, so consuming costs one P/Invoke per batch and no managed allocation.
/// </summary>
/// <remarks>
/// Single-threaded by contract: every member except the log callback runs on the consuming thread.
/// The main queue is redirected to the consumer queue (rd_kafka_poll_set_consumer), so the rebalance
/// and error callbacks are served inside <see cref="ConsumeBatch"/> and <see cref="Close"/>.
/// Exceptions thrown by <see cref="IConsumerEvents"/> inside those callbacks cannot cross the native
/// frames; they are kept and rethrown when the serving call returns.
/// Every message handed out must be destroyed (<see cref="KafkaMessage.Destroy"/>) before Dispose.
/// There is no finalizer: the callbacks' GCHandle keeps this object reachable until Dispose, so a
/// consumer that is never disposed is never collected (nor is its native handle).
/// </remarks>
public sealed unsafe class NativeConsumer : IDisposable, ILogTarget
{
    private readonly IConsumerEvents _events;
    private readonly Dictionary<nint, CachedTopicName> _topicNames = [];

    // Partitions revoked or lost during the current ConsumeBatch: their messages may already sit in the
    // batch librdkafka filled before it served the rebalance, and must not reach the caller.
    private readonly HashSet<(string Topic, int Partition)> _revokedDuringCall = [];

    private GCHandle _self;
    private nint _rk;
    private nint _queue;
    private bool _closed;
    private ExceptionDispatchInfo? _callbackFailure;

    public NativeConsumer(IEnumerable<KeyValuePair<string, string>> config, IConsumerEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        _events = events;

        var conf = NativeConfig.Create(config, out var values);
        _self = GCHandle.Alloc(this);
        try
        {
            LibRdKafka.ConfSetOpaque(conf, GCHandle.ToIntPtr(_self));
            LibRdKafka.ConfSetRebalanceCb(conf, &OnRebalanceCallback);
            LibRdKafka.ConfSetErrorCb(conf, &OnErrorCallback);
            LibRdKafka.ConfSetLogCb(conf, &NativeLogCallback.OnLog);
            LibRdKafka.ConfSetStatsCb(conf, &OnStatisticsCallback);
            _rk = NativeConfig.NewHandle(LibRdKafka.TypeConsumer, conf, values);
        }
        catch
        {
            _self.Free();
            throw;
        }

        var err = LibRdKafka.PollSetConsumer(_rk);
        if (err != 0)
        {
            LibRdKafka.Destroy(_rk);
            _self.Free();
            NativeErrors.ThrowIfError(err, "rd_kafka_poll_set_consumer");
        }

        _queue = LibRdKafka.QueueGetConsumer(_rk);
    }

    /// <summary>Messages librdkafka returned for partitions revoked within the same ConsumeBatch call.</summary>
    internal long RevokedMessagesDropped { get; private set; }

    /// <summary>The rd_kafka_t*, e.g. for rd_kafka_consumer_group_metadata.</summary>
    public nint Handle => _rk;

    /// <summary>"COOPERATIVE", "EAGER", or "NONE" before the first join.</summary>
    public string RebalanceProtocol
    {
        get
        {
            ThrowIfDisposed();
            return ProtocolOf(_rk);
        }
    }

    /// <summary>The current assignment (rd_kafka_assignment).</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            ThrowIfDisposed();
            RdKafkaTopicPartitionList* list = null;
            NativeErrors.ThrowIfError(LibRdKafka.Assignment(_rk, &list), "rd_kafka_assignment");
            try
            {
                return PartitionLists.ToTopicPartitions(list);
            }
            finally
            {
                LibRdKafka.PartitionListDestroy(list);
            }
        }
    }

    /// <summary>Subscribes to the topics; entries starting with ^ are regexes (librdkafka semantics).</summary>
    public void Subscribe(IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfClosed();
        var list = LibRdKafka.PartitionListNew(Math.Max(topics.Count, 1));
        try
        {
            foreach (var topic in topics)
            {
                // RD_KAFKA_PARTITION_UA: the partition field is ignored for subscriptions.
                LibRdKafka.PartitionListAdd(list, topic, -1);
            }

            NativeErrors.ThrowIfError(LibRdKafka.Subscribe(_rk, list), "rd_kafka_subscribe");
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for messages and fills <paramref name="messages"/> with
    /// rd_kafka_message_t* of real records only; returns their count (0 on timeout). Partition EOF and
    /// error messages are destroyed (errors go to <see cref="IConsumerEvents.OnError"/>); rebalance
    /// callbacks run inside this call, and messages of partitions revoked or lost during it are destroyed.
    /// </summary>
    public int ConsumeBatch(Span<nint> messages, int timeoutMs)
    {
        ThrowIfClosed();
        if (_queue == 0)
        {
            throw new InvalidOperationException("ConsumeBatch cannot run while the consumer closes.");
        }

        if (messages.IsEmpty)
        {
            return 0;
        }

        if (_revokedDuringCall.Count > 0)
        {
            _revokedDuringCall.Clear();
        }

        nint count;
        fixed (nint* buffer = messages)
        {
            count = LibRdKafka.ConsumeBatchQueue(_queue, timeoutMs, buffer, (nuint)messages.Length);
        }

        if (count < 0)
        {
            // Only when the queue itself is unusable (librdkafka sets errno); nothing was dequeued.
            RethrowCallbackFailure();
            throw new NativeKafkaException(ErrorCode.Local_Fail, "rd_kafka_consume_batch_queue failed.");
        }

        var kept = 0;
        for (var i = 0; i < (int)count; i++)
        {
            var handle = messages[i];
            var message = (RdKafkaMessage*)handle;
            if (message->Err != 0)
            {
                if (message->Err != LibRdKafka.ErrPartitionEof)
                {
                    ReportMessageError(handle);
                }

                LibRdKafka.MessageDestroy(handle);
            }
            else if (_revokedDuringCall.Count > 0 && _revokedDuringCall.Contains((TopicName(message->Rkt), message->Partition)))
            {
                LibRdKafka.MessageDestroy(handle);
                RevokedMessagesDropped++;
            }
            else
            {
                messages[kept++] = handle;
            }
        }

        if (_callbackFailure is not null)
        {
            // The caller will never see these, so they must not leak.
            for (var i = 0; i < kept; i++)
            {
                LibRdKafka.MessageDestroy(messages[i]);
            }

            RethrowCallbackFailure();
        }

        return kept;
    }

    /// <summary>The topic's name, cached per rd_kafka_topic_t*: no allocation after the first call.</summary>
    /// <remarks>
    /// The cached bytes are compared with librdkafka's (a non-blocking call plus a short memcmp) because a
    /// topic handle freed by librdkafka (e.g. a deleted topic of a regex subscription) may have its address
    /// reused for another topic.
    /// </remarks>
    public string TopicName(nint topicHandle)
    {
        ArgumentOutOfRangeException.ThrowIfZero(topicHandle);
        var native = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(LibRdKafka.TopicName(topicHandle));
        if (_topicNames.TryGetValue(topicHandle, out var cached) && native.SequenceEqual(cached.Utf8))
        {
            return cached.Name;
        }

        var name = Encoding.UTF8.GetString(native);
        _topicNames[topicHandle] = new CachedTopicName(name, native.ToArray());
        return name;
    }

    /// <summary>Commits synchronously; <paramref name="metadata"/> is stored with every offset.</summary>
    public void Commit(IReadOnlyList<TopicPartitionOffset> offsets, string? metadata = null) =>
        Commit(offsets, metadata == null ? null : _ => metadata);

    /// <summary>Commits synchronously, each offset with its own metadata (the offset commit's metadata
    /// string, stored by the group coordinator with the offset and read back by <see cref="CommittedMetadata"/>).</summary>
    public void Commit(IReadOnlyList<TopicPartitionOffset> offsets, IReadOnlyList<string?> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Count != offsets.Count) throw new ArgumentException("one metadata string per offset", nameof(metadata));
        Commit(offsets, i => metadata[i]);
    }

    private void Commit(IReadOnlyList<TopicPartitionOffset> offsets, Func<int, string?>? metadataOf)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ThrowIfClosed();
        if (offsets.Count == 0)
        {
            // rd_kafka_commit with an empty list would commit the current assignment's positions instead.
            return;
        }

        var list = PartitionLists.From(offsets);
        try
        {
            for (var i = 0; metadataOf != null && i < list->Cnt; i++)
            {
                var metadata = metadataOf(i);
                if (string.IsNullOrEmpty(metadata)) continue;
                var bytes = Encoding.UTF8.GetBytes(metadata);
                // list_destroy frees it with librdkafka's allocator, so it must come from there.
                var copy = LibRdKafka.MemMalloc(0, (nuint)bytes.Length);
                bytes.CopyTo(new Span<byte>((void*)copy, bytes.Length));
                list->Elems[i].Metadata = copy;
                list->Elems[i].MetadataSize = (nuint)bytes.Length;
            }

            NativeErrors.ThrowIfError(LibRdKafka.Commit(_rk, list, 0), "rd_kafka_commit");
            NativeErrors.ThrowIfAnyPartitionError(list, "rd_kafka_commit");
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    /// <summary>The group's committed offsets; <see cref="Offset.Unset"/> where nothing is committed.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(IReadOnlyList<TopicPartition> partitions, int timeoutMs) =>
        CommittedCore<IReadOnlyList<TopicPartitionOffset>>(partitions, timeoutMs, static list => PartitionLists.ToTopicPartitionOffsets(list));

    /// <summary>The metadata committed with each partition's offset (null where there is none).</summary>
    public IReadOnlyList<string?> CommittedMetadata(IReadOnlyList<TopicPartition> partitions, int timeoutMs) =>
        CommittedCore<IReadOnlyList<string?>>(partitions, timeoutMs, static list =>
        {
            var result = new List<string?>(list->Cnt);
            for (var i = 0; i < list->Cnt; i++)
            {
                var e = &list->Elems[i];
                result.Add(e->Metadata == 0
                    ? null
                    : Encoding.UTF8.GetString(new ReadOnlySpan<byte>((void*)e->Metadata, checked((int)e->MetadataSize))));
            }

            return result;
        });

    /// <summary>For each partition, the earliest offset whose timestamp is at or after the given one (-1: none).</summary>
    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IReadOnlyList<TopicPartitionTimestamp> partitions, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        var list = LibRdKafka.PartitionListNew(Math.Max(partitions.Count, 1));
        try
        {
            foreach (var p in partitions)
            {
                // The query's timestamp travels in the offset field and is replaced by the answer.
                LibRdKafka.PartitionListAdd(list, p.Topic, p.Partition.Value)->Offset = p.Timestamp.UnixTimestampMs;
            }

            NativeErrors.ThrowIfError(LibRdKafka.OffsetsForTimes(_rk, list, timeoutMs), "rd_kafka_offsets_for_times");
            NativeErrors.ThrowIfAnyPartitionError(list, "rd_kafka_offsets_for_times");
            return PartitionLists.ToTopicPartitionOffsets(list);
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    /// <summary>Stops fetching the partitions; their messages already fetched may still be returned.</summary>
    public void Pause(IReadOnlyList<TopicPartition> partitions) =>
        WithList(partitions, static (rk, list) => LibRdKafka.PausePartitions(rk, list), "rd_kafka_pause_partitions");

    public void Resume(IReadOnlyList<TopicPartition> partitions) =>
        WithList(partitions, static (rk, list) => LibRdKafka.ResumePartitions(rk, list), "rd_kafka_resume_partitions");

    /// <summary>Replaces the assignment with exactly these partitions and start offsets (rd_kafka_assign), for a
    /// consumer used without <see cref="Subscribe"/>: no group membership, no rebalance callbacks.</summary>
    public void Assign(IReadOnlyList<TopicPartitionOffset> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ThrowIfClosed();
        var list = PartitionLists.From(positions);
        try
        {
            NativeErrors.ThrowIfError(LibRdKafka.Assign(_rk, list), "rd_kafka_assign");
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    /// <summary>Moves an assigned partition's fetch position (rd_kafka_seek_partitions).</summary>
    public void Seek(TopicPartitionOffset position, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(position);
        ThrowIfClosed();
        var list = PartitionLists.From([position]);
        try
        {
            NativeErrors.ThrowIfError(LibRdKafka.SeekPartitions(_rk, list, timeoutMs), "rd_kafka_seek_partitions");
            NativeErrors.ThrowIfAnyPartitionError(list, "rd_kafka_seek_partitions");
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    /// <summary>
    /// Leaves the group (rd_kafka_consumer_close), serving the final revoke through the events.
    /// Idempotent. Messages still held stay valid until destroyed.
    /// </summary>
    public void Close()
    {
        if (_closed || _rk == 0)
        {
            return;
        }

        // rdkafka.h: the rd_kafka_queue_get_consumer reference MUST be released before consumer_close.
        LibRdKafka.QueueDestroy(_queue);
        _queue = 0;
        // Not closed yet while consumer_close serves the final revoke: OnRevoked still commits.
        int err;
        try
        {
            err = LibRdKafka.ConsumerClose(_rk);
        }
        finally
        {
            _closed = true;
        }

        RethrowCallbackFailure();
        NativeErrors.ThrowIfError(err, "rd_kafka_consumer_close");
    }

    /// <summary>Closes if needed, then destroys the handle and frees the callbacks' GCHandle.</summary>
    public void Dispose()
    {
        if (_rk == 0)
        {
            return;
        }

        try
        {
            Close();
        }
        finally
        {
            LibRdKafka.Destroy(_rk);
            _rk = 0;
            // Only now: rd_kafka_destroy has joined librdkafka's threads, so no callback can still need it.
            _self.Free();
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

    void ILogTarget.Log(int syslogLevel, string facility, string message) => _events.OnLog(syslogLevel, facility, message);

    private T CommittedCore<T>(IReadOnlyList<TopicPartition> partitions, int timeoutMs, ListReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        var list = PartitionLists.From(partitions);
        try
        {
            NativeErrors.ThrowIfError(LibRdKafka.Committed(_rk, list, timeoutMs), "rd_kafka_committed");
            NativeErrors.ThrowIfAnyPartitionError(list, "rd_kafka_committed");
            return read(list);
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    private delegate T ListReader<T>(RdKafkaTopicPartitionList* list);

    private delegate int ListCall(nint rk, RdKafkaTopicPartitionList* list);

    private void WithList(IReadOnlyList<TopicPartition> partitions, ListCall call, string what)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        var list = PartitionLists.From(partitions);
        try
        {
            NativeErrors.ThrowIfError(call(_rk, list), what);
            NativeErrors.ThrowIfAnyPartitionError(list, what);
        }
        finally
        {
            LibRdKafka.PartitionListDestroy(list);
        }
    }

    private void ReportMessageError(nint handle)
    {
        var message = (RdKafkaMessage*)handle;
        try
        {
            if (message->Err == LibRdKafka.ErrFatal)
            {
                var (code, reason) = NativeErrors.FatalError(_rk);
                _events.OnError(code, reason, true);
            }
            else
            {
                _events.OnError((ErrorCode)message->Err, LibRdKafka.Utf8(LibRdKafka.MessageErrstr(handle)), false);
            }
        }
        catch (Exception e)
        {
            Keep(e);
        }
    }

    private void OnRebalance(nint rk, int err, RdKafkaTopicPartitionList* partitions)
    {
        var cooperative = ProtocolOf(rk) == "COOPERATIVE";
        var topicPartitions = PartitionLists.ToTopicPartitions(partitions);

        if (err == LibRdKafka.ErrAssignPartitions)
        {
            IReadOnlyList<TopicPartitionOffset> starts;
            try
            {
                starts = _events.OnAssigned(this, topicPartitions);
            }
            catch (Exception e)
            {
                // Nothing is assigned: the caller learns of the failure from the serving call and is
                // expected to close the consumer; consuming partitions it has not accepted would be worse.
                Keep(e);
                return;
            }

            var list = PartitionLists.From(starts);
            try
            {
                if (cooperative)
                {
                    var error = LibRdKafka.IncrementalAssign(rk, list);
                    if (error != 0)
                    {
                        Keep(NativeErrors.Consume(error, "rd_kafka_incremental_assign"));
                    }
                }
                else
                {
                    KeepIfError(LibRdKafka.Assign(rk, list), "rd_kafka_assign");
                }
            }
            finally
            {
                LibRdKafka.PartitionListDestroy(list);
            }

            // Assigned again within the same batch call: its new messages are wanted.
            foreach (var tpo in starts)
            {
                _revokedDuringCall.Remove((tpo.Topic, tpo.Partition.Value));
            }
        }
        else if (err == LibRdKafka.ErrRevokePartitions)
        {
            try
            {
                if (LibRdKafka.AssignmentLost(rk) != 0)
                {
                    _events.OnLost(this, topicPartitions);
                }
                else
                {
                    _events.OnRevoked(this, topicPartitions);
                }
            }
            catch (Exception e)
            {
                // Still unassign below: librdkafka's group state must follow the broker's decision.
                Keep(e);
            }

            foreach (var tp in topicPartitions)
            {
                _revokedDuringCall.Add((tp.Topic, tp.Partition.Value));
            }

            if (cooperative)
            {
                var error = LibRdKafka.IncrementalUnassign(rk, partitions);
                if (error != 0)
                {
                    Keep(NativeErrors.Consume(error, "rd_kafka_incremental_unassign"));
                }
            }
            else
            {
                KeepIfError(LibRdKafka.Assign(rk, null), "rd_kafka_assign(NULL)");
            }
        }
        else
        {
            // rdkafka.h: on any other error the application must call rd_kafka_assign(rk, NULL).
            try
            {
                _events.OnError((ErrorCode)err, $"Rebalance failed: {LibRdKafka.ErrorText(err)}", false);
            }
            catch (Exception e)
            {
                Keep(e);
            }

            KeepIfError(LibRdKafka.Assign(rk, null), "rd_kafka_assign(NULL)");
        }
    }

    private void OnError(nint rk, int err, byte* reason)
    {
        try
        {
            if (err == LibRdKafka.ErrFatal)
            {
                var (code, fatalReason) = NativeErrors.FatalError(rk);
                _events.OnError(code, fatalReason, true);
            }
            else
            {
                _events.OnError((ErrorCode)err, LibRdKafka.Utf8(reason), false);
            }
        }
        catch (Exception e)
        {
            Keep(e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnRebalanceCallback(nint rk, int err, RdKafkaTopicPartitionList* partitions, nint opaque)
    {
        var self = (NativeConsumer)GCHandle.FromIntPtr(opaque).Target!;
        try
        {
            self.OnRebalance(rk, err, partitions);
        }
        catch (Exception e)
        {
            self.Keep(e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnErrorCallback(nint rk, int err, byte* reason, nint opaque)
    {
        var self = (NativeConsumer)GCHandle.FromIntPtr(opaque).Target!;
        self.OnError(rk, err, reason);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnStatisticsCallback(nint rk, byte* json, nuint length, nint opaque)
    {
        var self = (NativeConsumer)GCHandle.FromIntPtr(opaque).Target!;
        try
        {
            self._events.OnStatistics(new ReadOnlySpan<byte>(json, checked((int)length)));
        }
        catch (Exception e)
        {
            self.Keep(e);
        }

        // 0: librdkafka frees the JSON.
        return 0;
    }

    private static string ProtocolOf(nint rk)
    {
        var protocol = LibRdKafka.RebalanceProtocol(rk);
        return protocol == null ? "NONE" : LibRdKafka.Utf8(protocol);
    }

    private void KeepIfError(int err, string what)
    {
        if (err != 0)
        {
            Keep(new NativeKafkaException((ErrorCode)err, $"{what} failed: {LibRdKafka.ErrorText(err)} ({(ErrorCode)err})"));
        }
    }

    /// <summary>Keeps the first failure of a callback for the serving call to rethrow.</summary>
    private void Keep(Exception e) => _callbackFailure ??= ExceptionDispatchInfo.Capture(e);

    private void RethrowCallbackFailure()
    {
        var failure = _callbackFailure;
        if (failure is not null)
        {
            _callbackFailure = null;
            failure.Throw();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_rk == 0, this);

    private void ThrowIfClosed()
    {
        ThrowIfDisposed();
        if (_closed)
        {
            throw new InvalidOperationException("The consumer is closed.");
        }
    }

    private sealed record CachedTopicName(string Name, byte[] Utf8);
}
