using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The Doris sink's side of the offset commits under <c>exactlyOnce</c> (docs/guarantees.md): it lowers and annotates
/// each commit through the <see cref="TwoPhaseLedger"/>, commits in Doris what a successful offset commit recorded (a
/// partition's transactions one at a time, in offset order, so that a Unique Key table sees its updates in order;
/// partitions side by side, at most maxLoadsInFlight at once), and on assignment
/// commits what the partition's last owner recorded before any of its records is read again.
/// </summary>
internal sealed partial class TwoPhaseCommits : ICommitParticipant, IAsyncDisposable
{
    private readonly TwoPhaseLedger _ledger;
    private readonly StreamLoadClient _client;
    private readonly DorisSinkOptions _options;
    private readonly string _database;
    private readonly string _sink;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly Action<Exception> _fail;
    private readonly CancellationToken _shutdown;
    // One item per successful offset commit: what it recorded.
    private readonly Channel<List<PendingTransaction>> _recorded = Channel.CreateUnbounded<List<PendingTransaction>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _committing;

    public TwoPhaseCommits(StreamLoadClient client, DorisSinkOptions options, string database, string sink, ILogger logger,
        Action<Exception> fail, CancellationToken shutdown)
    {
        _client = client;
        _options = options;
        _database = database;
        _sink = sink;
        _logger = logger;
        _fail = fail;
        _shutdown = shutdown;
        _ledger = new TwoPhaseLedger(database);
        _backoff = new Backoff(options.RetryBackoff);
        _committing = Task.Run(CommitRecordedAsync);
    }

    /// <summary>A load was precommitted; it becomes visible once an offset commit past it records it.</summary>
    public void Precommitted(PendingTransaction txn) => _ledger.Add(txn);

    /// <summary>Transactions precommitted and not yet known visible.</summary>
    internal int Pending => _ledger.PendingCount;

    public IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> Prepare(IReadOnlyList<TopicPartitionOffset> acknowledged,
        IReadOnlyCollection<TopicPartition>? only) => _ledger.Prepare(acknowledged, only);

    public void Committed(IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> committed)
    {
        var recorded = _ledger.Committed(committed);
        if (recorded.Count > 0) _recorded.Writer.TryWrite(recorded);
    }

    public void Forget(IReadOnlyCollection<TopicPartition> partitions) => _ledger.Forget(partitions);

    public void Resume(IReadOnlyList<TopicPartition> partitions, IReadOnlyList<string?> metadata)
    {
        for (var i = 0; i < partitions.Count; i++)
        {
            if (TwoPhaseLedger.Parse(partitions[i], metadata[i]) is not { } recorded) continue;
            if (recorded.Database != _database)
            {
                // Another database's transactions (the sink was pointed elsewhere): they are not ours to decide.
                LogForeignMetadata(_sink, partitions[i].ToString(), recorded.Database);
                continue;
            }
            foreach (var txn in recorded.Transactions)
            {
                // Synchronously, on the consumer thread: the partition's later loads must not become visible first.
                CommitAsync(txn, resuming: true).GetAwaiter().GetResult();
            }
            if (recorded.Transactions.Count > 0) LogResumed(_sink, partitions[i].ToString(), recorded.Transactions.Count);
        }
    }

    /// <summary>Aborts a precommitted transaction found holding a load's label: one this sink left behind before a
    /// crash, never recorded in a commit (or the partition would not be read again from below it), so nobody will
    /// ever commit it; the load can then go under its label. False when it cannot be aborted now.</summary>
    public async Task<bool> AbortLeftoverAsync(long? txnId, string label, CancellationToken cancellationToken)
    {
        var attempt = await _client.FinishTransactionAsync(_database, txnId, txnId == null ? label : null, "abort", cancellationToken).ConfigureAwait(false);
        var answer = TwoPhaseAnswer.Of(attempt, commit: false);
        var done = answer.Kind is TwoPhaseAnswerKind.Done or TwoPhaseAnswerKind.Aborted;
        LogLeftoverAborted(_sink, label, txnId ?? -1, done ? "aborted" : answer.Reason);
        return done;
    }

    /// <summary>Commits what each offset commit recorded, in the order of the offset commits: a partition's
    /// transactions one after the other, partitions side by side.</summary>
    private async Task CommitRecordedAsync()
    {
        using var slots = new SemaphoreSlim(Math.Max(1, _options.MaxLoadsInFlight));
        try
        {
            await foreach (var recorded in _recorded.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await Task.WhenAll(recorded.GroupBy(t => t.Partition).Select(async partition =>
                {
                    foreach (var txn in partition)
                    {
                        await slots.WaitAsync(_shutdown).ConfigureAwait(false);
                        try
                        {
                            await CommitAsync(txn, resuming: false).ConfigureAwait(false);
                        }
                        finally
                        {
                            slots.Release();
                        }
                        _ledger.Visible(txn);
                    }
                })).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Left precommitted: recorded with the offsets, so the next start commits them.
        }
        catch (DorisLoadException e)
        {
            _fail(e);
        }
    }

    private async Task CommitAsync(PendingTransaction txn, bool resuming)
    {
        for (var retry = 0; ; retry++)
        {
            var attempt = await _client.FinishTransactionAsync(_database, txn.TxnId, null, "commit", _shutdown).ConfigureAwait(false);
            var answer = TwoPhaseAnswer.Of(attempt, commit: true);
            switch (answer.Kind)
            {
                case TwoPhaseAnswerKind.Done:
                    LogCommittedTransaction(_sink, txn.TxnId, txn.Partition.ToString(), txn.FirstOffset, txn.LastOffset, resuming);
                    return;
                case TwoPhaseAnswerKind.NotFound:
                    // Doris forgets finished transactions after the label keep time (12 h): one that old was committed
                    // then (an abort comes after an hour at most, and is remembered as long).
                    LogTransactionForgotten(_sink, txn.TxnId, txn.Partition.ToString(), answer.Reason);
                    return;
                case TwoPhaseAnswerKind.Aborted:
                    throw new DorisLoadException(
                        $"Doris sink {_sink}: transaction {txn.TxnId} holding {txn.Partition} offsets {txn.FirstOffset}-{txn.LastOffset} was aborted by Doris before it " +
                        $"could be committed ({answer.Reason}); its offsets are committed, so those rows are missing. Doris aborts a precommitted " +
                        "transaction after an hour: was the pipeline stopped that long right after a commit? Reset the group's offset of " +
                        $"{txn.Partition} to {txn.FirstOffset} to load them again");
                case TwoPhaseAnswerKind.Unauthorized:
                    throw new DorisLoadException($"Doris sink {_sink}: Doris refused user '{_options.User}' committing transaction {txn.TxnId}: {answer.Reason}");
                default:
                    if (retry >= _options.MaxRetries)
                        throw new DorisLoadException(
                            $"Doris sink {_sink}: transaction {txn.TxnId} ({txn.Partition} offsets {txn.FirstOffset}-{txn.LastOffset}) could not be committed " +
                            $"after {retry} retries: {answer.Reason}; it stays recorded with the offsets, and the next start commits it");
                    var delay = _backoff.Delay(retry + 1);
                    LogCommitRetry(_sink, txn.TxnId, answer.Reason, retry + 1, _options.MaxRetries, delay);
                    await Task.Delay(delay, _shutdown).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>Finishes what is recorded, within <paramref name="bound"/>: what is left stays precommitted and
    /// recorded, and the next start commits it.</summary>
    public async Task CloseAsync(TimeSpan bound)
    {
        _recorded.Writer.TryComplete();
        if (await Task.WhenAny(_committing, Task.Delay(bound)).ConfigureAwait(false) != _committing)
            LogCloseUnfinished(_sink, _ledger.PendingCount);
    }

    public async ValueTask DisposeAsync()
    {
        _recorded.Writer.TryComplete();
        await Task.WhenAny(_committing, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    [LoggerMessage(LogLevel.Debug, "Doris sink {Sink}: transaction {TxnId} committed ({Partition} offsets {First}-{Last}; resuming {Resuming})")]
    private partial void LogCommittedTransaction(string sink, long txnId, string partition, long first, long last, bool resuming);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: {Partition}: committed {Count} transactions its last owner had recorded with its offset")]
    private partial void LogResumed(string sink, string partition, int count);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: a precommitted transaction left by an earlier run held label {Label} (txn {TxnId}): {Result}")]
    private partial void LogLeftoverAborted(string sink, string label, long txnId, string result);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: transaction {TxnId} of {Partition} is unknown to Doris ({Reason}); taking it as committed long ago")]
    private partial void LogTransactionForgotten(string sink, long txnId, string partition, string reason);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: {Partition}: its committed metadata records transactions of database {Database}, not this sink's; ignored")]
    private partial void LogForeignMetadata(string sink, string partition, string database);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: committing transaction {TxnId} failed ({Reason}); retry {Retry}/{MaxRetries} in {Delay}")]
    private partial void LogCommitRetry(string sink, long txnId, string reason, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: closing with {Count} transactions precommitted; those recorded with the offsets are committed at the next start")]
    private partial void LogCloseUnfinished(string sink, int count);
}
