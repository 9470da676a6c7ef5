using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Kafka;
using Kpipe.Kafka.Native;
using Kpipe.Sinks;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sources.Kafka;

/// <summary>
/// The Kafka source: a consumer-group member that reads batches straight out of librdkafka's message memory,
/// tracks which offsets every sink acknowledged, commits only those, and hands its partitions over cleanly on a
/// rebalance. Used from one thread only (the engine's consume loop): librdkafka serves rebalances inside the
/// consume call, on that thread.
/// </summary>
internal sealed partial class KafkaSource : IConsumerEvents, IDisposable
{
    private static readonly Action<RecordBatch> DestroyMessages = batch =>
    {
        foreach (ref readonly var e in batch.Entries)
            if (e.Message != 0) KafkaMessage.Destroy(e.Message);
    };

    private readonly KafkaSourceOptions _options;
    private readonly string _pipeline;
    private readonly string _groupId;
    private readonly ILogger _logger;
    private readonly NativeConsumer _consumer;
    private readonly Func<IReadOnlyCollection<TopicPartition>?, bool> _drain;
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly Dictionary<(nint Topic, int Partition), TopicPartition> _partitionNames = [];
    private readonly nint[] _messages;
    // Per batch being built: the distinct partitions and the last offset of each.
    private readonly List<TopicPartition> _slots = [];
    private readonly List<long> _lastOffsets = [];
    private readonly LogThrottle _throttle = new(TimeProvider.System);
    private readonly StartupWatch _startup;
    private readonly ITransactionalSink? _transactions;
    private readonly ICommitParticipant? _participant;
    private Exception? _fatal;
    // The pipeline is stopping on a failure: an open transaction is aborted, never committed; under a commit
    // participant, nothing more is read or committed.
    private bool _failed;
    private bool _assigned;
    private long _nextBatchId;

    /// <remarks>drain flushes the sinks and waits (within the shutdown timeout) until no batch of the given
    /// partitions (all when null) is unacknowledged; false when that did not happen. With
    /// <paramref name="transactions"/>, offsets are committed only through the sink's transactions; with
    /// <paramref name="participant"/>, every commit goes through it (it may lower offsets and adds metadata).</remarks>
    public KafkaSource(KafkaSourceOptions options, string pipeline, Func<IReadOnlyCollection<TopicPartition>?, bool> drain, ILogger logger,
        ITransactionalSink? transactions = null, ICommitParticipant? participant = null)
    {
        _transactions = transactions;
        _participant = participant;
        _options = options;
        _pipeline = pipeline;
        _drain = drain;
        _logger = logger;
        var config = KafkaConsumerFactory.BuildConfig(options, pipeline);
        _groupId = config.GroupId;
        _messages = new nint[Math.Max(1, options.MaxRecordsPerBatch)];
        _startup = new StartupWatch(TimeProvider.System, options.UnreachableTimeout);
        _consumer = new NativeConsumer(config, this);
    }

    /// <summary>Offsets acknowledged by every sink, per partition.</summary>
    public OffsetTracker Tracker { get; } = new();

    /// <summary>A fatal consumer error (the pipeline must stop), or null.</summary>
    public Exception? Fatal => Volatile.Read(ref _fatal);

    public void Start()
    {
        var topics = _options.TopicPattern != null ? ["^" + _options.TopicPattern.TrimStart('^')] : _options.Topics;
        _consumer.Subscribe(topics);
        LogStarted(_pipeline, _groupId, _options.TopicPattern ?? string.Join(",", _options.Topics));
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a record, then takes what librdkafka already fetched without
    /// waiting more, up to <paramref name="maxRecords"/>. Waiting only for the first record keeps latency low at
    /// low rates; taking the rest at once keeps the cost per record low at high rates.
    /// </summary>
    public RecordBatch? Poll(int maxRecords, int timeoutMs)
    {
        if (!_startup.Reached) WatchStartup();
        var buffer = _messages.AsSpan(0, Math.Clamp(maxRecords, 1, _messages.Length));
        var count = _consumer.ConsumeBatch(buffer[..1], timeoutMs);
        if (count == 0) return null;
        if (buffer.Length > 1) count += _consumer.ConsumeBatch(buffer[1..], 0);
        if (_failed)
        {
            // A transaction failed during this call (a rebalance): the pipeline stops, and these records, read
            // past the last committed transaction, are read again on restart.
            for (var i = 0; i < count; i++) KafkaMessage.Destroy(buffer[i]);
            return null;
        }
        return Build(buffer[..count]);
    }

    private unsafe RecordBatch Build(ReadOnlySpan<nint> messages)
    {
        var entries = RecordBatch.EntryPool.Rent(messages.Length);
        _slots.Clear();
        _lastOffsets.Clear();
        long bytes = 0;
        nint lastTopic = 0;
        var lastPartition = -1;
        var slot = -1;
        for (var i = 0; i < messages.Length; i++)
        {
            var m = new KafkaMessage(messages[i]);
            if (m.TopicHandle != lastTopic || m.Partition != lastPartition)
            {
                lastTopic = m.TopicHandle;
                lastPartition = m.Partition;
                slot = SlotOf(m.TopicHandle, m.Partition);
            }
            ref var e = ref entries[i];
            e.Message = messages[i];
            e.Slot = slot;
            e.Offset = m.Offset;
            e.TimestampMs = m.TimestampMs;
            // Headers are parsed by librdkafka on request: RecordBatch.Headers asks only when a sink needs them.
            e.Headers = 0;
            var key = m.Key;
            var value = m.Value;
            e.Key = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(key));
            e.KeyLength = m.HasKey ? key.Length : -1;
            e.Value = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(value));
            e.ValueLength = m.HasValue ? value.Length : -1;
            if (m.Offset > _lastOffsets[slot]) _lastOffsets[slot] = m.Offset;
            bytes += ManagedBatch.RecordCost(e.KeyLength, e.ValueLength);
        }
        return new RecordBatch(++_nextBatchId, entries, messages.Length, [.. _slots], [.. _lastOffsets], bytes, DestroyMessages);
    }

    private int SlotOf(nint topic, int partition)
    {
        if (!_partitionNames.TryGetValue((topic, partition), out var tp))
            _partitionNames[(topic, partition)] = tp = new TopicPartition(_consumer.TopicName(topic), partition);
        for (var s = 0; s < _slots.Count; s++)
            if (ReferenceEquals(_slots[s], tp)) return s;
        _slots.Add(tp);
        _lastOffsets.Add(-1);
        return _slots.Count - 1;
    }

    /// <summary>Pauses every assigned partition (the engine's in-flight bound is reached).</summary>
    public void PauseAll()
    {
        var toPause = _consumer.Assignment.Where(tp => !_paused.Contains(tp)).ToList();
        if (toPause.Count == 0) return;
        _consumer.Pause(toPause);
        _paused.UnionWith(toPause);
    }

    public bool IsPaused => _paused.Count > 0;

    public void ResumeAll()
    {
        if (_paused.Count == 0) return;
        var assigned = _consumer.Assignment;
        _consumer.Resume([.. _paused.Where(assigned.Contains)]);
        _paused.Clear();
    }

    /// <summary>Commits what is committable; false when the commit failed (the offsets are kept for the next try).</summary>
    public bool Commit(IReadOnlyCollection<TopicPartition>? only = null)
    {
        if (_transactions != null) return CommitTransaction();
        var offsets = Tracker.TakeCommittable(only);
        if (_participant != null) return CommitWithParticipant(offsets, only);
        if (offsets.Count == 0) return true;
        try
        {
            _consumer.Commit(offsets);
            Committed?.Invoke();
            return true;
        }
        catch (NativeKafkaException e)
        {
            // A failed commit is not data loss: the records are written and will at worst be read again.
            Tracker.Restore(offsets);
            LogCommitFailed(_pipeline, e.Message);
            return false;
        }
    }

    /// <summary>
    /// A Doris sink under <c>exactlyOnce</c> decides what each partition commits and records its precommitted
    /// transactions in the commit's metadata; once the commit succeeded it makes them visible.
    /// </summary>
    private bool CommitWithParticipant(List<TopicPartitionOffset> acknowledged, IReadOnlyCollection<TopicPartition>? only)
    {
        // Stopping on a failure (a last owner's loads unresolved, partitions lost): commit nothing more (and do not
        // ask again: there is nothing to wait for).
        if (_failed) return true;
        var plan = _participant!.Prepare(acknowledged, only);
        if (plan.Count == 0) return true;
        try
        {
            _consumer.Commit([.. plan.Select(p => p.Offset)], [.. plan.Select(p => (string?)p.Metadata)]);
        }
        catch (NativeKafkaException e)
        {
            // Nothing recorded, nothing made visible: the participant offers the same again next time.
            Tracker.Restore(acknowledged);
            LogCommitFailed(_pipeline, e.Message);
            return false;
        }
        _participant.Committed(plan);
        Committed?.Invoke();
        return true;
    }

    /// <summary>
    /// Under <c>exactlyOnce</c>: commits the sink's open transaction with the offsets of everything it holds. A
    /// transaction holds records of every partition, so it is committed whole, and only once every batch written
    /// in it is acknowledged, so that the offsets sent with it are exactly those of the records it holds.
    /// </summary>
    private bool CommitTransaction()
    {
        if (_failed)
        {
            _transactions!.Abort();
            return false;
        }
        // Not drained in time (a slow sink cluster): the transaction stays open and the next interval tries again;
        // should that never happen, the broker aborts it at transaction.timeout.ms and the commit then fails.
        if (!_drain(null)) return false;
        var offsets = Tracker.TakeCommittable();
        try
        {
            _transactions!.Commit(offsets, _consumer);
            // As without transactions: an interval with nothing to commit is not a commit.
            if (offsets.Count == 0) return true;
            if (_logger.IsEnabled(LogLevel.Debug))
                LogTransactionCommitted(_pipeline, string.Join(" ", offsets.Select(o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value}")));
            Committed?.Invoke();
            return true;
        }
        catch (NativeKafkaException e)
        {
            // The transaction's records are aborted, but the consumer has already read past them: going on would
            // lose them. Stop instead; a restart resumes after the last committed transaction.
            FailTransactions($"the transaction could not be committed and was aborted ({e.Message})");
            return false;
        }
    }

    /// <summary>Aborts the open transaction and stops the pipeline (see <see cref="CommitTransaction"/>).</summary>
    private void FailTransactions(string reason)
    {
        _failed = true;
        _transactions!.Abort();
        var message = $"{reason}; stopping: a restart resumes after the last committed transaction";
        Interlocked.CompareExchange(ref _fatal, new NativeKafkaException(ErrorCode.Local_Fail, message, true), null);
    }

    /// <summary>Raised after each successful commit.</summary>
    public event Action? Committed;

    /// <summary>Raised on the consuming thread with librdkafka's statistics (every statistics.interval.ms).</summary>
    public event Action<ConsumerStatistics>? Statistics;

    /// <summary>
    /// The last commit before leaving the group, then leaving it. A commit refused because the group is
    /// rebalancing (another member joining or leaving) succeeds once the rebalance completes, which needs this
    /// member to keep polling: so poll, with every partition paused so nothing new is fetched, and try again
    /// until the timeout.
    /// </summary>
    /// <param name="timeout">Longest time for the commit and leaving the group.</param>
    /// <param name="failed">The pipeline stops on a failure: under transactions, the open one is aborted.</param>
    public void Close(TimeSpan timeout, bool failed = false)
    {
        var clock = Stopwatch.StartNew();
        _consumer.Pause(_consumer.Assignment);
        if (_transactions != null)
        {
            // One attempt: a transaction that fails to commit is aborted, and trying again would commit nothing.
            _failed |= failed;
            Commit();
        }
        else
        {
            while (!Commit() && clock.Elapsed < timeout)
            {
                // Records returned here (fetched before the pause) are not processed: their offsets are not
                // committed, so they are read again on restart.
                var n = _consumer.ConsumeBatch(_messages, 200);
                for (var i = 0; i < n; i++) KafkaMessage.Destroy(_messages[i]);
                _consumer.Pause(_consumer.Assignment);
            }
        }
        try
        {
            _consumer.Close();
        }
        catch (NativeKafkaException e)
        {
            LogCommitFailed(_pipeline, e.Message);
        }
    }

    IReadOnlyList<TopicPartitionOffset> IConsumerEvents.OnAssigned(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        if (partitions.Count > 0) LogAssigned(_pipeline, string.Join(", ", partitions));
        _assigned = true;
        if (_participant != null && partitions.Count > 0) Resume(consumer, partitions);
        var start = _options.StartTimestamp;
        if (_options.StartFrom is "earliest" or "latest" || start == null)
            return [.. partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset))];
        const int timeoutMs = 30_000;
        var positions = StartPositions.ForTimestamp(
            tps => consumer.Committed(tps, timeoutMs),
            times => consumer.OffsetsForTimes(times, timeoutMs),
            partitions, start.Value).ToList();
        LogStartPositions(_pipeline, start.Value, string.Join(", ", positions));
        return positions;
    }

    /// <summary>Under a commit participant (a Doris sink's <c>exactlyOnce</c>): commits nothing more and stops the
    /// pipeline; a restart resumes from what was recorded.</summary>
    private void FailParticipant(string reason)
    {
        _failed = true;
        Interlocked.CompareExchange(ref _fatal, new NativeKafkaException(ErrorCode.Local_Fail,
            $"{reason}; stopping without committing more: a restart resumes from the last recorded loads", true), null);
    }

    /// <summary>Finishes what the partitions' last owner recorded with their offsets before anything of them is read;
    /// when that fails the pipeline stops without reading (or committing) anything more.</summary>
    private void Resume(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        try
        {
            _participant!.Resume(partitions, consumer.CommittedMetadata(partitions, 30_000));
        }
        catch (Exception e)
        {
            // Any failure here leaves the partitions' last writes undecided: reading on could load their rows again.
            _failed = true;
            Interlocked.CompareExchange(ref _fatal, e is NativeKafkaException
                ? new NativeKafkaException(ErrorCode.Local_Fail, $"the committed offsets' metadata of {string.Join(", ", partitions)} could not be read: {e.Message}", true)
                : e, null);
        }
    }

    void IConsumerEvents.OnRevoked(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        var set = partitions.ToHashSet();
        // Finish and commit the partitions' in-flight work before giving them up, so the next owner starts
        // exactly after what this process wrote instead of writing it again.
        var drained = _drain(set);
        var committed = Commit(set);
        // An open transaction holds records of these partitions, which their next owner starts from the last
        // committed offsets: it must be committed or aborted before they go, never later.
        if (_transactions != null && !committed && !_failed) FailTransactions($"revoked {string.Join(", ", partitions)} before the transaction could commit");
        // Loads of these partitions still running would finish after they are forgotten: should the partitions come
        // back to this instance, such a load could be recorded beside the new owner's load of the same records.
        if (_participant != null && !drained) FailParticipant($"revoked {string.Join(", ", partitions)} before their loads finished");
        _participant?.Forget(set);
        Tracker.Forget(set);
        _paused.ExceptWith(set);
        if (!drained) LogRevokeUnfinished(_pipeline, string.Join(", ", partitions));
        else if (committed) LogRevoked(_pipeline, string.Join(", ", partitions));
        else LogRevokedUncommitted(_pipeline, string.Join(", ", partitions));
    }

    void IConsumerEvents.OnLost(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
        // Lost (not revoked): another member may already own them, so committing now could move their
        // offsets backwards or forwards wrongly. Their in-flight records will be read again by the owner.
        Tracker.Forget(partitions);
        _participant?.Forget(partitions);
        _paused.ExceptWith(partitions);
        LogLost(_pipeline, string.Join(", ", partitions));
        // The open transaction holds records of the lost partitions, which their new owner writes again, and the
        // group coordinator would refuse its offsets (KIP-447 fencing by generation) anyway.
        if (_transactions != null) FailTransactions($"partitions lost ({string.Join(", ", partitions)})");
        // Their loads in flight are the new owner's to make again; none of them may ever be recorded here.
        if (_participant != null) FailParticipant($"partitions lost ({string.Join(", ", partitions)})");
    }

    void IConsumerEvents.OnError(ErrorCode code, string reason, bool isFatal)
    {
        if (isFatal)
        {
            Interlocked.CompareExchange(ref _fatal, new NativeKafkaException(code, reason, true), null);
            LogConsumerError(_pipeline, code, reason);
            return;
        }
        // "1/1 brokers are down" follows each failed attempt; the reason before it says why.
        if (code != ErrorCode.Local_AllBrokersDown || _startup.Trouble == null) _startup.Troubled(LogThrottle.Key(reason));
        if (_throttle.ShouldLog(reason, out var repeats)) LogConsumerError(_pipeline, code, reason + LogThrottleNote.Of(repeats));
    }

    void IConsumerEvents.OnStatistics(ReadOnlySpan<byte> json)
    {
        if (Statistics is not { } handler) return;
        try
        {
            handler(ConsumerStatistics.Parse(json, _consumer.Assignment));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or FormatException or NativeKafkaException)
        {
            // Metrics are not worth stopping the pipeline for: a statistics document this version cannot read
            // leaves lag and broker health unknown.
            if (_throttle.ShouldLog("statistics", out var repeats)) LogStatisticsUnreadable(_pipeline, e.Message + LogThrottleNote.Of(repeats));
        }
    }

    void IConsumerEvents.OnLog(int syslogLevel, string facility, string message)
    {
        // 4 = warning in syslog levels; librdkafka's debug chatter stays out of the log.
        if (syslogLevel <= 4 && _throttle.ShouldLog(message, out var repeats))
            LogLibrdkafka(_pipeline, facility, message + LogThrottleNote.Of(repeats));
    }

    /// <summary>Until a broker first answers: one summary of what is wrong, and a stop after
    /// source.unreachableTimeout.</summary>
    private void WatchStartup()
    {
        // An assignment also proves the cluster answered, whatever its metadata says of a controller.
        switch (_startup.Check(_assigned || _consumer.HasClusterMetadata))
        {
            case StartupVerdict.Summarize when _options.UnreachableTimeout > TimeSpan.Zero:
                LogUnreachable(_pipeline, Servers, _startup.Trouble ?? "", Config.Durations.Format(_options.UnreachableTimeout));
                break;
            case StartupVerdict.Summarize:
                LogUnreachableForever(_pipeline, Servers, _startup.Trouble ?? "");
                break;
            case StartupVerdict.Recovered:
                LogReached(_pipeline, Servers, Config.Durations.Format(_startup.Waited));
                break;
            case StartupVerdict.GiveUp:
                Interlocked.CompareExchange(ref _fatal, new NativeKafkaException(ErrorCode.Local_AllBrokersDown,
                    $"no broker of the source Kafka cluster at {Servers} answered within {Config.Durations.Format(_options.UnreachableTimeout)} " +
                    $"(source.unreachableTimeout): {_startup.Trouble ?? "no reason given by librdkafka"}", true), null);
                break;
        }
    }

    /// <summary>The bootstrap servers as the logs show them: host:port, without any user info.</summary>
    private string Servers => StartupWatch.Display(_options.BootstrapServers);

    public void Dispose() => _consumer.Dispose();

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline} started: group {Group}, topics {Topics}")]
    private partial void LogStarted(string pipeline, string group, string topics);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: assigned {Partitions}")]
    private partial void LogAssigned(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: start positions for {Start:O}: {Positions}")]
    private partial void LogStartPositions(string pipeline, DateTimeOffset start, string positions);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: revoked {Partitions} after committing their acknowledged offsets")]
    private partial void LogRevoked(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: revoked {Partitions} but their offsets could not be committed; the new owner will write their last records again")]
    private partial void LogRevokedUncommitted(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: partitions lost {Partitions}; their unacknowledged records will be read again by their new owner")]
    private partial void LogLost(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: revoked {Partitions} before the sinks finished their records; what was acknowledged is committed, the rest will be written again by the new owner")]
    private partial void LogRevokeUnfinished(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Debug, "Pipeline {Pipeline}: transaction committed with offsets {Offsets}")]
    private partial void LogTransactionCommitted(string pipeline, string offsets);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: offset commit failed ({Reason}); will retry")]
    private partial void LogCommitFailed(string pipeline, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: consumer error {Code}: {Reason}")]
    private partial void LogConsumerError(string pipeline, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: cannot reach the source Kafka cluster at {Servers}: {Reason}. Retrying; the pipeline stops if no broker answers within {Timeout} (source.unreachableTimeout)")]
    private partial void LogUnreachable(string pipeline, string servers, string reason, string timeout);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: cannot reach the source Kafka cluster at {Servers}: {Reason}. Retrying until a broker answers (source.unreachableTimeout is 0s)")]
    private partial void LogUnreachableForever(string pipeline, string servers, string reason);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: reached the source Kafka cluster at {Servers} after {Waited}")]
    private partial void LogReached(string pipeline, string servers, string waited);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: librdkafka's statistics could not be read, lag and broker health are unknown: {Reason}")]
    private partial void LogStatisticsUnreadable(string pipeline, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: librdkafka {Facility}: {Message}")]
    private partial void LogLibrdkafka(string pipeline, string facility, string message);
}
