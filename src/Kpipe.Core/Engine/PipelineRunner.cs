using System.Diagnostics;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Sinks;
using Kpipe.Sources.Kafka;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>
/// Runs one pipeline: takes batches from the source, applies the transforms, hands each batch to every sink,
/// and tells the source which batches every sink acknowledged (the source commits those). Runs on one thread
/// (the source's consumer is not meant for concurrent use); sinks acknowledge from their own threads.
/// </summary>
public sealed partial class PipelineRunner : ISinkAcknowledger
{
    private readonly PipelineOptions _options;
    private readonly IReadOnlyList<ISink> _sinks;
    private readonly IReadOnlyList<ITransform> _transforms;
    private readonly ILogger _logger;
    private readonly InFlightBudget _budget;
    private readonly RecordErrorHandler _errors;
    private readonly string[] _transformStages;
    private readonly string[] _sinkStages;
    private readonly object _progressGate = new();
    private readonly EngineInstruments _instruments;
    private readonly ProgressLine _progress;
    private KafkaSource? _source;
    private Exception? _fatal;
    private bool _sinkFailed;
    private long _shutdownStarted;

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
        _transformStages = [.. options.Transforms.Select((t, i) => $"transforms[{i}].{StageName(t)}")];
        _sinkStages = [.. sinks.Select(s => SinkStage(s.Name))];
        _instruments = new EngineInstruments(options.Name, [.. options.Transforms.Select(StageName)]);
        _progress = new ProgressLine(metrics);
        metrics.InFlightBytes = () => _budget.Used;
        metrics.StallTimeout = options.Engine.StallTimeout;
    }

    /// <summary>The stage name of a sink in error messages and dead-letter headers.</summary>
    public static string SinkStage(string sinkName) => $"sinks.{sinkName}";

    private static string StageName(TransformOptions options) =>
        options.GetType().GetCustomAttributes(typeof(TypeNameAttribute), false) is [TypeNameAttribute type, ..] ? type.Name : options.GetType().Name;

    public PipelineMetrics Metrics { get; }

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled (then drains the sinks, commits and returns) or until
    /// a sink or a record error under the <c>fail</c> policy stops it (then throws).
    /// </summary>
    public void Run(CancellationToken stop)
    {
        // Under exactlyOnce (validated: then the only sink) the sink's transactions commit the offsets.
        var transactions = _sinks.Select(s => s.Transactions).FirstOrDefault(t => t != null);
        // A Doris sink under exactlyOnce (validated: at most one) records its transactions with the offsets.
        var participant = _sinks.Select(s => s.CommitParticipant).FirstOrDefault(p => p != null);
        using var source = new KafkaSource(_options.Source, _options.Name, partitions => WaitForAcks(partitions, _options.Engine.ShutdownTimeout), _logger,
            transactions, participant);
        _source = source;
        source.Committed += Metrics.Committed;
        source.Statistics += Metrics.Statistics;
        var tracker = source.Tracker;
        Metrics.OldestUnwrittenAge = tracker.OldestPendingAge;
        source.Start();
        Metrics.State = PipelineState.Running;

        // A sink blocked in Write (backpressure) would keep the consumer thread from seeing the signal.
        using var cancelWaits = stop.Register(() =>
        {
            foreach (var sink in _sinks) sink.CancelWaits();
        });
        var lastCommit = Stopwatch.StartNew();
        var lastStats = Stopwatch.StartNew();
        try
        {
            while (!stop.IsCancellationRequested && Volatile.Read(ref _fatal) == null)
            {
                if (source.Fatal is { } fatal)
                {
                    Interlocked.CompareExchange(ref _fatal, fatal, null);
                    break;
                }
                if (SinkFatal() is { } sinkFatal)
                {
                    SinkFailed(sinkFatal);
                    break;
                }
                if (lastCommit.Elapsed >= _options.Engine.CommitInterval)
                {
                    source.Commit();
                    lastCommit.Restart();
                    // A failed transaction stops the pipeline: write nothing more (it would open a new one).
                    if (source.Fatal != null) continue;
                }
                if (_options.Engine.StatsInterval > TimeSpan.Zero && lastStats.Elapsed >= _options.Engine.StatsInterval)
                {
                    LogStats(_options.Name, _progress.Next());
                    lastStats.Restart();
                }
                _errors.Tick();
                ApplyBackpressure(source);
                var batch = source.Poll(_options.Source.MaxRecordsPerBatch, 100);
                if (batch == null) continue;
                try
                {
                    Dispatch(batch);
                }
                catch (Exception e)
                {
                    // The batch stopped halfway (an error, or a sink's wait cut short by the stop signal): it must
                    // never complete (its failed record's offset would be committed), and the drain must not wait
                    // for it. Rows of it a sink already buffered may still be written: at least once.
                    source.Tracker.Abandon(batch);
                    if (e is OperationCanceledException && stop.IsCancellationRequested) throw;
                    throw e is RecordErrorException ? e : new PipelineStageException(_errors.Stage, batch, e);
                }
                finally
                {
                    // Sinks copied what they keep during Write: give librdkafka its message memory back now.
                    batch.ReleasePayloads();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // Whatever the exception (a record error under 'fail', a transform's bug, a sink refusing), the
            // pipeline stops the same way: drain, commit what completed, report once.
            Interlocked.CompareExchange(ref _fatal, e, null);
        }

        Shutdown(source);
        if (_fatal != null) throw new PipelineFailedException(_options.Name, _fatal);
    }

    private void Dispatch(RecordBatch batch)
    {
        batch.ConsumedAt = Stopwatch.GetTimestamp();
        Metrics.Consumed(batch);
        _instruments.Batch(batch.Count);
        // Transforms run before the batch is tracked: a record error under 'fail' then leaves only earlier,
        // complete batches in flight, and those are still drained and committed on the way out.
        for (var t = 0; t < _transforms.Count; t++)
        {
            _errors.Stage = _transformStages[t];
            var started = Stopwatch.GetTimestamp();
            _transforms[t].Apply(batch, _errors);
            _instruments.Transformed(t, started);
        }
        if (batch.Rows != null) DropRecordsWithoutRows(batch);
        _budget.Take(batch.Bytes);
        _source!.Tracker.Add(batch);
        batch.ExpectAcks(_sinks.Count);
        for (var s = 0; s < _sinks.Count; s++)
        {
            _errors.Stage = _sinkStages[s];
            _sinks[s].Write(batch, this);
        }
        _errors.Stage = "";
        // The row batch is reused by the transforms for the next batch; sinks copied what they keep.
        batch.Rows = null;
        // The engine's own hold on the batch (see RecordBatch): every sink has it now.
        ((ISinkAcknowledger)this).Acknowledge(batch);
    }

    /// <summary>
    /// A record whose rows were all filtered out, or whose exploded array was empty, is done: it is counted
    /// as filtered and its offset is committed with the others.
    /// </summary>
    private void DropRecordsWithoutRows(RecordBatch batch)
    {
        var rows = batch.Rows!;
        var hasRow = System.Buffers.ArrayPool<bool>.Shared.Rent(batch.Count);
        Array.Clear(hasRow, 0, batch.Count);
        for (var r = 0; r < rows.Count; r++)
            if (!rows.IsDropped(r)) hasRow[rows.SourceIndex(r)] = true;
        for (var i = 0; i < batch.Count; i++)
            if (!hasRow[i] && !batch.IsDropped(i) && batch.TryDrop(i)) Metrics.Filtered(batch.TopicPartition(i));
        System.Buffers.ArrayPool<bool>.Shared.Return(hasRow);
    }

    void ISinkAcknowledger.Acknowledge(RecordBatch batch)
    {
        if (!batch.AckOne()) return;
        Metrics.Written(batch);
        _budget.Release(batch.Bytes);
        _source!.Tracker.Complete(batch);
        batch.Recycle();
        Signal();
    }

    void ISinkAcknowledger.Fail(RecordBatch batch, Exception error) => SinkFailed(error);

    private Exception? SinkFatal()
    {
        for (var s = 0; s < _sinks.Count; s++)
            if (_sinks[s].Fatal is { } fatal) return fatal;
        return null;
    }

    /// <summary>A sink failed: the pipeline stops without waiting for what that sink still holds.</summary>
    private void SinkFailed(Exception error)
    {
        Volatile.Write(ref _sinkFailed, true);
        if (Interlocked.CompareExchange(ref _fatal, error, null) == null)
            LogSinkFailed(_options.Name, error.Message);
        Signal();
    }

    private void Signal()
    {
        lock (_progressGate) Monitor.PulseAll(_progressGate);
    }

    private void ApplyBackpressure(KafkaSource source)
    {
        if (_budget.Exhausted)
        {
            if (source.IsPaused) return;
            source.PauseAll();
            LogPaused(_options.Name, _budget.Used);
            // Sinks that batch (Doris) would otherwise hold the in-flight bytes until their age trigger:
            // ask them to send now so the budget frees up.
            foreach (var sink in _sinks) _ = sink.FlushAsync(CancellationToken.None);
        }
        else if (source.IsPaused)
        {
            source.ResumeAll();
        }
    }

    /// <summary>Waits until no batch of the given partitions is in flight, or the timeout passes.</summary>
    private bool WaitForAcks(IReadOnlyCollection<TopicPartition>? partitions, TimeSpan timeout)
    {
        foreach (var sink in _sinks) sink.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        var deadline = Stopwatch.StartNew();
        var tracker = _source!.Tracker;
        lock (_progressGate)
        {
            while (tracker.HasPending(partitions))
            {
                if (Volatile.Read(ref _sinkFailed)) return false;
                var left = timeout - deadline.Elapsed;
                if (left <= TimeSpan.Zero) return false;
                // Woken by every acknowledgement; the bound only re-checks the deadline.
                Monitor.Wait(_progressGate, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            }
        }
        return true;
    }

    /// <summary>When stopping began (<see cref="Stopwatch.GetTimestamp"/>), on a signal or a failure; 0 before.</summary>
    internal long ShutdownStarted => Interlocked.Read(ref _shutdownStarted);

    private void Shutdown(KafkaSource source)
    {
        Interlocked.CompareExchange(ref _shutdownStarted, Stopwatch.GetTimestamp(), 0);
        // One timeout for the drain and the last commit: keep a share of it for the commit (a quarter, at most
        // 5 s), so a sink that never drains cannot use it all and leave nothing committed.
        var timeout = _options.Engine.ShutdownTimeout;
        var clock = Stopwatch.StartNew();
        var reserve = TimeSpan.FromTicks(Math.Min(timeout.Ticks / 4, TimeSpan.FromSeconds(5).Ticks));
        var drained = WaitForAcks(null, timeout - reserve);
        if (!drained && _fatal == null) LogDrainTimeout(_options.Name, timeout);
        _errors.Tick(final: true);
        source.Close(timeout - clock.Elapsed, failed: _fatal != null);
        if (_fatal != null) Metrics.FailureReason = _fatal.Message;
        Metrics.State = _fatal != null ? PipelineState.Failed : PipelineState.Stopped;
        LogStopped(_options.Name, Metrics.ToString());
    }

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline}: {Progress}")]
    private partial void LogStats(string pipeline, string progress);

    [LoggerMessage(LogLevel.Information, "Pipeline {Pipeline} stopped: {Stats}")]
    private partial void LogStopped(string pipeline, string stats);

    [LoggerMessage(LogLevel.Debug, "Pipeline {Pipeline}: paused consumption, {InFlightBytes} bytes in flight")]
    private partial void LogPaused(string pipeline, long inFlightBytes);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: sinks not drained within {Timeout}; unacknowledged records will be read again on restart")]
    private partial void LogDrainTimeout(string pipeline, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Pipeline {Pipeline}: sink failed: {Reason}")]
    private partial void LogSinkFailed(string pipeline, string reason);
}

/// <summary>An unexpected exception in a transform or a sink: names the stage and the batch's records.</summary>
public sealed class PipelineStageException(string stage, RecordBatch batch, Exception inner)
    : Exception($"{(stage.Length > 0 ? stage : "engine")} failed on the batch starting at record {(batch.Count > 0 ? batch.Where(0) : "(empty)")}: {inner.GetType().Name}: {inner.Message}", inner);

/// <summary>The pipeline stopped because of an error; its unacknowledged offsets were not committed.</summary>
public sealed class PipelineFailedException(string pipeline, Exception inner)
    : Exception($"pipeline {pipeline} failed: {inner.Message}", inner);
