using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Sinks;
using Kpipe.Sources.Kafka;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>
/// Runs one pipeline: consumes batches, applies the transforms, hands each batch to every sink, and commits
/// offsets that every sink acknowledged. The consumer is used from one thread only (librdkafka's consumer
/// API is not meant for concurrent use); sinks acknowledge from their own threads.
/// </summary>
public sealed partial class PipelineRunner : ISinkAcknowledger
{
    private readonly PipelineOptions _options;
    private readonly IReadOnlyList<ISink> _sinks;
    private readonly IReadOnlyList<ITransform> _transforms;
    private readonly ILogger _logger;
    private readonly OffsetTracker _tracker = new();
    private readonly InFlightBudget _budget;
    private readonly RecordErrorHandler _errors;
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly SemaphoreSlim _progress = new(0);
    private List<ConsumeResult<byte[]?, byte[]?>>? _gathering;
    private Exception? _fatal;
    private bool _sinkFailed;
    private long _nextBatchId;

    public PipelineRunner(PipelineOptions options, IReadOnlyList<ITransform> transforms, IReadOnlyList<ISink> sinks,
        PipelineMetrics metrics, RecordErrorHandler errors, ILogger logger)
    {
        _options = options;
        _transforms = transforms;
        _sinks = sinks;
        _logger = logger;
        Metrics = metrics;
        _errors = errors;
        _budget = new InFlightBudget(options.Engine.MaxInFlightBytes.Bytes);
        _tracker.Progress += () => _progress.Release();
    }

    public PipelineMetrics Metrics { get; }

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled (then drains the sinks, commits and returns) or until
    /// a sink or a record error under the <c>fail</c> policy stops it (then throws).
    /// </summary>
    public void Run(CancellationToken stop)
    {
        var source = _options.Source;
        var config = KafkaConsumerFactory.BuildConfig(source, _options.Name);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler((_, e) => LogKafkaError(e))
            .SetLogHandler((_, m) => LogLibrdkafka(m))
            .Build();
        if (source.TopicPattern != null) consumer.Subscribe("^" + source.TopicPattern.TrimStart('^'));
        else consumer.Subscribe(source.Topics);
        LogStarted(_options.Name, config.GroupId, source.TopicPattern ?? string.Join(",", source.Topics));

        var lastCommit = Stopwatch.StartNew();
        var lastStats = Stopwatch.StartNew();
        try
        {
            while (!stop.IsCancellationRequested && Volatile.Read(ref _fatal) == null)
            {
                if (lastCommit.Elapsed >= _options.Engine.CommitInterval)
                {
                    Commit(consumer, null);
                    lastCommit.Restart();
                }
                if (_options.Engine.StatsInterval > TimeSpan.Zero && lastStats.Elapsed >= _options.Engine.StatsInterval)
                {
                    LogStats(_options.Name, Metrics.ToString(), _budget.Used);
                    lastStats.Restart();
                }
                ApplyBackpressure(consumer);
                var batch = Gather(consumer, stop);
                if (batch != null) Dispatch(batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RecordErrorException or KafkaException)
        {
            Interlocked.CompareExchange(ref _fatal, e, null);
        }

        Shutdown(consumer);
        if (_fatal != null) throw new PipelineFailedException(_options.Name, _fatal);
    }

    private RecordBatch? Gather(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stop)
    {
        var max = _options.Source.MaxRecordsPerBatch;
        var records = new List<ConsumeResult<byte[]?, byte[]?>>(Math.Min(max, 1024));
        _gathering = records;
        long bytes = 0;
        try
        {
            var first = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (first == null) return null;
            if (!first.IsPartitionEOF) { records.Add(first); bytes += Size(first); }
            // Take what librdkafka already prefetched without waiting, up to the batch cap and the budget.
            while (records.Count < max && _budget.Used + bytes < _options.Engine.MaxInFlightBytes.Bytes && !stop.IsCancellationRequested)
            {
                var next = consumer.Consume(TimeSpan.Zero);
                if (next == null) break;
                if (next.IsPartitionEOF) continue;
                records.Add(next);
                bytes += Size(next);
            }
        }
        finally
        {
            _gathering = null;
        }
        if (records.Count == 0) return null;
        // A rebalance during gathering may have removed records of revoked partitions; recount.
        bytes = records.Sum(Size);
        return new RecordBatch(Interlocked.Increment(ref _nextBatchId), records, bytes);
    }

    private static long Size(ConsumeResult<byte[]?, byte[]?> r) =>
        (r.Message.Key?.Length ?? 0) + (r.Message.Value?.Length ?? 0) + 64;

    private void Dispatch(RecordBatch batch)
    {
        Metrics.Consumed(batch.Records.Count, batch.Bytes);
        // Transforms run before the batch is tracked: a record error under 'fail' then leaves only earlier,
        // complete batches in flight, and those are still drained and committed on the way out.
        foreach (var transform in _transforms) transform.Apply(batch, _errors);
        if (batch.Rows != null) DropRecordsWithoutRows(batch);
        _budget.Take(batch.Bytes);
        _tracker.Add(batch);
        batch.ExpectAcks(_sinks.Count);
        foreach (var sink in _sinks) sink.Write(batch, this);
        // The row batch is reused by the transforms for the next batch; sinks copied what they keep.
        batch.Rows = null;
    }

    /// <summary>
    /// A record whose rows were all filtered out, or whose exploded array was empty, is done: it is counted
    /// as filtered and its offset is committed with the others.
    /// </summary>
    private void DropRecordsWithoutRows(RecordBatch batch)
    {
        var rows = batch.Rows!;
        var hasRow = System.Buffers.ArrayPool<bool>.Shared.Rent(batch.Records.Count);
        Array.Clear(hasRow, 0, batch.Records.Count);
        for (var r = 0; r < rows.Count; r++)
            if (!rows.IsDropped(r)) hasRow[rows.SourceIndex(r)] = true;
        for (var i = 0; i < batch.Records.Count; i++)
            if (!hasRow[i] && !batch.IsDropped(i) && batch.TryDrop(i)) Metrics.Filtered();
        System.Buffers.ArrayPool<bool>.Shared.Return(hasRow);
    }

    void ISinkAcknowledger.Acknowledge(RecordBatch batch)
    {
        if (!batch.AckOne()) return;
        Metrics.Written(batch.Records.Count - batch.DroppedCount);
        _budget.Release(batch.Bytes);
        _tracker.Complete(batch);
    }

    void ISinkAcknowledger.Fail(RecordBatch batch, Exception error)
    {
        Volatile.Write(ref _sinkFailed, true);
        if (Interlocked.CompareExchange(ref _fatal, error, null) == null)
            LogSinkFailed(_options.Name, error.Message);
        _progress.Release();
    }

    private void ApplyBackpressure(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_budget.Exhausted)
        {
            var toPause = consumer.Assignment.Where(tp => !_paused.Contains(tp)).ToList();
            if (toPause.Count == 0) return;
            consumer.Pause(toPause);
            _paused.UnionWith(toPause);
            LogPaused(_options.Name, _budget.Used);
            // Sinks that batch (Doris) would otherwise hold the in-flight bytes until their age trigger:
            // ask them to send now so the budget frees up.
            foreach (var sink in _sinks) _ = sink.FlushAsync(CancellationToken.None);
        }
        else if (_paused.Count > 0)
        {
            consumer.Resume(_paused.Where(consumer.Assignment.Contains).ToList());
            _paused.Clear();
        }
    }

    /// <summary>Commits what is committable; false when the commit failed (the offsets are kept for the next try).</summary>
    private bool Commit(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<TopicPartition>? only)
    {
        var offsets = _tracker.TakeCommittable(only);
        if (offsets.Count == 0) return true;
        try
        {
            consumer.Commit(offsets);
            Metrics.Committed();
            return true;
        }
        catch (KafkaException e)
        {
            // A failed commit is not data loss: the records are written and will at worst be read again.
            _tracker.Restore(offsets);
            LogCommitFailed(_options.Name, e.Error.Reason);
            return false;
        }
    }

    /// <summary>
    /// The last commit before leaving the group. A commit refused because the group is rebalancing
    /// (another member joining or leaving) succeeds once the rebalance completes, which needs this member to
    /// keep polling: so poll, with every partition paused so nothing new is fetched, and try again until the
    /// shutdown timeout.
    /// </summary>
    private void FinalCommit(IConsumer<byte[]?, byte[]?> consumer)
    {
        var clock = Stopwatch.StartNew();
        consumer.Pause(consumer.Assignment);
        while (!Commit(consumer, null) && clock.Elapsed < _options.Engine.ShutdownTimeout)
        {
            // Records returned here (fetched before the pause) are not processed: their offsets are not
            // committed, so they are read again on restart.
            consumer.Consume(TimeSpan.FromMilliseconds(200));
            consumer.Pause(consumer.Assignment);
        }
    }

    /// <summary>Waits until no batch of the given partitions is in flight, or the timeout passes.</summary>
    private bool WaitForAcks(IReadOnlyCollection<TopicPartition>? partitions, TimeSpan timeout)
    {
        foreach (var sink in _sinks) sink.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        var deadline = Stopwatch.StartNew();
        while (_tracker.HasPending(partitions))
        {
            if (Volatile.Read(ref _sinkFailed)) return false;
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero) return false;
            _progress.Wait(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
        return true;
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (partitions.Count > 0) LogAssigned(_options.Name, string.Join(", ", partitions));
        var start = _options.Source.StartTimestamp;
        if (_options.Source.StartFrom is "earliest" or "latest" || start == null)
            return partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset));
        var positions = StartPositions.ForTimestamp(consumer, partitions, start.Value).ToList();
        LogStartPositions(_options.Name, start.Value, string.Join(", ", positions));
        return positions;
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(r => r.TopicPartition).ToHashSet();
        _gathering?.RemoveAll(r => partitions.Contains(r.TopicPartition));
        // Finish and commit the partitions' in-flight work before giving them up, so the next owner starts
        // exactly after what this process wrote instead of writing it again.
        if (!WaitForAcks(partitions, _options.Engine.ShutdownTimeout))
            LogRevokeUnfinished(_options.Name, string.Join(", ", partitions));
        var committed = Commit(consumer, partitions);
        _tracker.Forget(partitions);
        _paused.ExceptWith(partitions);
        if (committed) LogRevoked(_options.Name, string.Join(", ", partitions));
        else LogRevokedUncommitted(_options.Name, string.Join(", ", partitions));
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> lost)
    {
        // Lost (not revoked): another member may already own them, so committing now could move their
        // offsets backwards or forwards wrongly. Their in-flight records will be read again by the owner.
        var partitions = lost.Select(r => r.TopicPartition).ToHashSet();
        _gathering?.RemoveAll(r => partitions.Contains(r.TopicPartition));
        _tracker.Forget(partitions);
        _paused.ExceptWith(partitions);
        LogLost(_options.Name, string.Join(", ", partitions));
    }

    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer)
    {
        var drained = WaitForAcks(null, _options.Engine.ShutdownTimeout);
        if (!drained && _fatal == null) LogDrainTimeout(_options.Name, _options.Engine.ShutdownTimeout);
        FinalCommit(consumer);
        try
        {
            consumer.Close();
        }
        catch (KafkaException e)
        {
            LogCommitFailed(_options.Name, e.Error.Reason);
        }
        LogStopped(_options.Name, Metrics.ToString());
    }

    private void LogKafkaError(Error e)
    {
        if (e.IsFatal) Interlocked.CompareExchange(ref _fatal, new KafkaException(e), null);
        LogConsumerError(_options.Name, e.Code, e.Reason);
    }

    private void LogLibrdkafka(LogMessage m)
    {
        if (m.Level <= SyslogLevel.Warning) LogLibrdkafkaMessage(_options.Name, m.Facility, m.Message);
    }

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline} started: group {Group}, topics {Topics}")]
    private partial void LogStarted(string pipeline, string group, string topics);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: {Stats}, in flight {InFlightBytes} bytes")]
    private partial void LogStats(string pipeline, string stats, long inFlightBytes);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline} stopped: {Stats}")]
    private partial void LogStopped(string pipeline, string stats);

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

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: sinks did not finish {Partitions} before revocation; what is not committed will be read again")]
    private partial void LogRevokeUnfinished(string pipeline, string partitions);

    [LoggerMessage(LogLevel.Debug, "Pipeline {Pipeline}: paused consumption, {InFlightBytes} bytes in flight")]
    private partial void LogPaused(string pipeline, long inFlightBytes);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: offset commit failed ({Reason}); will retry")]
    private partial void LogCommitFailed(string pipeline, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: sinks not drained within {Timeout}; unacknowledged records will be read again on restart")]
    private partial void LogDrainTimeout(string pipeline, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Pipeline {Pipeline}: sink failed: {Reason}")]
    private partial void LogSinkFailed(string pipeline, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: consumer error {Code}: {Reason}")]
    private partial void LogConsumerError(string pipeline, ErrorCode code, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: librdkafka {Facility}: {Message}")]
    private partial void LogLibrdkafkaMessage(string pipeline, string facility, string message);
}

/// <summary>The pipeline stopped because of an error; its unacknowledged offsets were not committed.</summary>
public sealed class PipelineFailedException(string pipeline, Exception inner)
    : Exception($"pipeline {pipeline} failed: {inner.Message}", inner);
