using Kpipe.Engine;
using Kpipe.Engine.DeadLetters;

namespace Kpipe.Sinks.Doris;

/// <summary>The background side: one worker per partition with sealed loads, running them in order.</summary>
public sealed partial class DorisSink
{
    private const int MaxReasons = 5;

    private async Task RunPartitionAsync(PartitionBuffer partition)
    {
        while (true)
        {
            PartitionLoad? load;
            lock (_gate)
            {
                if (!partition.Sealed.TryDequeue(out load))
                {
                    partition.Running = false;
                    if (--_activeWorkers == 0) _idle.TrySetResult();
                    return;
                }
            }
            try
            {
                await ExecuteAsync(load).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                LogAbandoned(Name, load.Label, load.Rows);
            }
            catch (Exception e)
            {
                var error = new DorisLoadException(Redact($"Doris sink {Name}: load {load.Label} failed unexpectedly: {e.Message}"), e);
                SetFatal(error);
                FailParts(load, error);
            }
            finally
            {
                Release(load);
            }
        }
    }

    /// <summary>Sends a load until it is committed, rejected or out of retries, and settles its batches.</summary>
    private async Task ExecuteAsync(PartitionLoad load)
    {
        var outcome = await SendUntilSettledAsync(load).ConfigureAwait(false);
        switch (outcome?.Kind)
        {
            case null:
                FailParts(load, Volatile.Read(ref _fatal)!);
                return;
            case LoadOutcomeKind.Committed:
                await CommittedAsync(load, outcome.Response!).ConfigureAwait(false);
                return;
            case LoadOutcomeKind.AlreadyCommitted:
                CompleteParts(load);
                return;
            default:
                await RejectedAsync(load, outcome.Response!).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Sends a load, retrying transient failures under the same label, until Doris committed it (now or in an
    /// earlier attempt) or rejected its rows. Null when the sink is failing: the pipeline stops (credentials
    /// refused, retries exhausted, or an earlier failure), and the caller fails the load's batches with
    /// <see cref="_fatal"/>.
    /// </summary>
    private async Task<LoadOutcome?> SendUntilSettledAsync(PartitionLoad load)
    {
        for (int retry = 0, leftovers = 0; ;)
        {
            // The pipeline is stopping: loading more would only write rows whose offsets are never committed.
            if (Volatile.Read(ref _fatal) != null) return null;
            StreamLoadAttempt attempt;
            await _slots.WaitAsync(_shutdown.Token).ConfigureAwait(false);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                attempt = await _client.SendAsync(load, _shutdown.Token).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }

            var outcome = LoadOutcome.Classify(attempt);
            if (_twoPhase != null && IsLeftover(outcome) && leftovers++ < 3
                && await _twoPhase.AbortLeftoverAsync(TwoPhaseAnswer.TxnOfLabel(outcome.Response!.Message), load.Label, _shutdown.Token).ConfigureAwait(false))
                continue;
            var table = $"{load.Table.Database}.{load.Table.Name}";
            _instruments.Sent(table, outcome.Kind, started);
            if (outcome.Kind == LoadOutcomeKind.Committed) _instruments.Committed(table, load.Rows, load.Body.Length);
            switch (outcome.Kind)
            {
                case LoadOutcomeKind.Committed when _twoPhase != null:
                {
                    // A Doris that ignored two_phase_commit made the rows visible already: exactly once would be a lie.
                    if (outcome.Response!.TxnId <= 0 || outcome.Response.TwoPhaseCommit == false)
                    {
                        var error = new DorisLoadException($"Doris sink {Name}: Doris did not precommit load {load.Label} (TxnId {outcome.Response.TxnId}, "
                            + $"TwoPhaseCommit {outcome.Response.TwoPhaseCommit?.ToString() ?? "absent"}): exactlyOnce needs two-phase Stream Load, Doris 1.1 or later");
                        SetFatal(error);
                        return null;
                    }
                    _twoPhase.Precommitted(new PendingTransaction(load.Partition, outcome.Response.TxnId, load.FirstOffset, load.LastOffset));
                    return outcome;
                }
                case LoadOutcomeKind.Committed:
                case LoadOutcomeKind.DataError:
                    return outcome;
                case LoadOutcomeKind.AlreadyCommitted:
                    LogAlreadyCommitted(Name, load.Label, load.Rows);
                    return outcome;
                case LoadOutcomeKind.Unauthorized:
                {
                    var error = new DorisLoadException(Redact(
                        $"Doris refused user '{_options.User}' loading into {load.Table}: {outcome.Reason}. "
                        + "Check the Doris sink's user and password, and that the user may LOAD into the table"));
                    LogLoadFailed(Name, load.Label, error.Message);
                    SetFatal(error);
                    return null;
                }
                case LoadOutcomeKind.NoSuchTable:
                {
                    var error = new DorisLoadException(Redact(
                        $"Doris sink {Name}: Doris has no table {load.Table}: {outcome.Reason}. Create it, or correct the sink's 'table'"));
                    LogLoadFailed(Name, load.Label, error.Message);
                    SetFatal(error);
                    return null;
                }
                default:
                {
                    var reason = Redact(outcome.Reason);
                    if (retry >= _options.MaxRetries)
                    {
                        var error = new DorisLoadException(
                            $"Doris sink {Name}: load {load.Label} into {load.Table} ({load.Rows} rows) still failing after {retry} retries: {reason}");
                        LogLoadFailed(Name, load.Label, error.Message);
                        SetFatal(error);
                        return null;
                    }
                    retry++;
                    _instruments.Retried(table);
                    var delay = _backoff.Delay(retry);
                    LogRetry(Name, load.Label, load.Rows, reason, retry, _options.MaxRetries, delay);
                    await Task.Delay(delay, _shutdown.Token).ConfigureAwait(false);
                    break;
                }
            }
        }
    }

    /// <summary>"Label Already Exists, PRECOMMITTED" under exactlyOnce: a transaction this sink precommitted before a
    /// crash and never recorded (see <see cref="TwoPhaseCommits.AbortLeftoverAsync"/>).</summary>
    private static bool IsLeftover(LoadOutcome outcome) =>
        outcome.Response?.ExistingJobStatus?.Trim().Equals("PRECOMMITTED", StringComparison.OrdinalIgnoreCase) == true;

    private async Task CommittedAsync(PartitionLoad load, StreamLoadResponse response)
    {
        LogLoaded(Name, load.Label, load.Rows, load.Body.Length, response.LoadTimeMs, response.Status ?? "");
        if (response.NumberFilteredRows > 0)
        {
            // Rows Doris dropped within max_filter_ratio: committed without them, so say which and why.
            LogFilteredRows(Name, load.Label, response.NumberFilteredRows, _options.MaxFilterRatio);
            foreach (var reason in await ReasonsAsync(response).ConfigureAwait(false))
                LogRejectedRow(Name, load.Label, reason);
        }
        CompleteParts(load);
    }

    /// <summary>
    /// Doris rejected the load because of its rows: one summary line, then the error policy. Under <c>fail</c>
    /// the load's first record is reported, which throws, and the batches fail (the pipeline stops). Under
    /// <c>skip</c> and <c>dead_letter</c> the rejected rows are isolated (<see cref="IsolateAsync"/>): the good
    /// rows are loaded, and only the records of the rejected ones go to the policy.
    /// </summary>
    private async Task RejectedAsync(PartitionLoad load, StreamLoadResponse response)
    {
        var reasons = await ReasonsAsync(response).ConfigureAwait(false);
        var tp = load.Partition;
        var message = Redact(
            $"Doris rejected load {load.Label} into {load.Table} ({load.Rows} rows of {tp.Topic}[{tp.Partition.Value}] "
            + $"offsets {load.FirstOffset}-{load.LastOffset}, {response.NumberFilteredRows} filtered): {response.Message}"
            + (reasons.Count > 0 ? $"; rejected rows: {string.Join(" | ", reasons)}" : "")
            + (MaxFilterRatioHint(response)));
        LogRejected(Name, message);

        if (_errors.Policy == ErrorPolicy.Fail)
        {
            var first = load.Parts[0];
            try
            {
                _errors.Report(first.Progress.Batch, first.FirstRecord, Rejection(message, null), payloadReadable: false);
            }
            catch (RecordErrorException e)
            {
                SetFatal(e);
                FailParts(load, e);
            }
            return;
        }
        try
        {
            if (await IsolateAsync(load, response).ConfigureAwait(false)) CompleteParts(load);
            else FailParts(load, Volatile.Read(ref _fatal)!);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_shutdown.IsCancellationRequested)
        {
            // A dead letter that cannot be queued fails its batch by itself; anything else here stops the sink.
            var error = new DorisLoadException(Redact($"Doris sink {Name}: isolating the rejected rows of load {load.Label} failed: {e.Message}"), e);
            SetFatal(error);
            FailParts(load, error);
        }

        string MaxFilterRatioHint(StreamLoadResponse r) =>
            r.NumberFilteredRows > 0 && _options.MaxFilterRatio == 0
                ? " (maxFilterRatio lets Doris drop a share of bad rows instead of rejecting the whole load)"
                : "";
    }

    private RecordError Rejection(string reason, string? column) =>
        new(reason, Engine.PipelineRunner.SinkStage(Name), column, typeof(DorisLoadException).FullName!);

    private async Task<IReadOnlyList<string>> ReasonsAsync(StreamLoadResponse response)
    {
        if (response.ErrorUrl == null) return [];
        var lines = await _client.ReadErrorLogAsync(response.ErrorUrl, MaxReasons, _shutdown.Token).ConfigureAwait(false);
        return [.. lines.Select(Redact)];
    }

    private void SetFatal(Exception error)
    {
        Interlocked.CompareExchange(ref _fatal, error, null);
        lock (_memorySignal) Monitor.PulseAll(_memorySignal);
    }

    private static void CompleteParts(PartitionLoad load)
    {
        foreach (var part in load.Parts) part.Progress.Complete();
    }

    private static void FailParts(PartitionLoad load, Exception error)
    {
        foreach (var part in load.Parts) part.Progress.Fail(error);
    }

    /// <summary>Gives the load's chunks back and wakes a writer waiting for memory.</summary>
    private void Release(PartitionLoad load)
    {
        var capacity = load.Body.Capacity;
        load.Dispose();
        lock (_gate) _sealedBytes -= capacity;
        Interlocked.Add(ref _bufferedBytes, -capacity);
        lock (_memorySignal) Monitor.PulseAll(_memorySignal);
    }
}
