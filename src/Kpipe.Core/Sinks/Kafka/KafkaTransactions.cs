using Confluent.Kafka;
using Kpipe.Kafka.Native;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// The Kafka sink's transactions (<c>exactlyOnce</c>): one open at a time, begun by the first write after a commit
/// and committed with the consumed offsets by the source. Everything runs on the consumer's thread, so writes and
/// commits never interleave. Delivery reports keep being served by the sink's report thread: librdkafka's
/// commit and abort wait for them but, with the event API, do not serve them (rdkafka.h).
/// </summary>
internal sealed partial class KafkaTransactions : ITransactionalSink
{
    // Per retriable attempt of init_transactions: a coordinator still starting answers within seconds.
    private const int InitAttemptMs = 5_000;
    // send_offsets_to_transaction is one round trip to the group coordinator; a minute means trouble.
    private const int SendOffsetsTimeoutMs = 60_000;
    // rdkafka.h: commit and abort should get -1, the remaining transaction time; other values risk internal
    // state desynchronization when a request underneath fails.
    private const int RemainingTransactionTime = -1;

    private readonly NativeProducer _producer;
    private readonly string _sink;
    private readonly ILogger _logger;
    private bool _initialized;
    private bool _open;

    public KafkaTransactions(NativeProducer producer, string sink, ILogger logger)
    {
        _producer = producer;
        _sink = sink;
        _logger = logger;
    }

    /// <summary>Opens a transaction unless one is open; called before every write. The first call also gets the
    /// producer id, which fences an earlier producer of the same transactional.id and aborts what it left open.</summary>
    /// <param name="cancelled">Whether the pipeline is stopping (the wait for the coordinator then gives up).</param>
    public void EnsureOpen(Func<bool> cancelled)
    {
        if (_open) return;
        if (!_initialized)
        {
            Initialize(cancelled);
            _initialized = true;
        }
        _producer.BeginTransaction();
        _open = true;
    }

    private void Initialize(Func<bool> cancelled)
    {
        while (true)
        {
            try
            {
                _producer.InitTransactions(InitAttemptMs);
                return;
            }
            catch (NativeKafkaException e) when (e.IsRetriable && !e.IsFatal)
            {
                // Resumable (rdkafka.h): calling again continues what runs in the background.
                if (cancelled()) throw new OperationCanceledException($"Kafka sink {_sink}: stopping while waiting for the transaction coordinator", e);
                LogInitRetry(_sink, e.Message);
            }
        }
    }

    public void Commit(IReadOnlyList<TopicPartitionOffset> offsets, NativeConsumer consumer)
    {
        if (!_open)
        {
            // Records that gave no output (filtered, skipped) still move the offsets: commit those alone.
            if (offsets.Count == 0) return;
            EnsureOpen(static () => false);
        }
        if (offsets.Count > 0) _producer.SendOffsetsToTransaction(offsets, consumer, SendOffsetsTimeoutMs);
        _producer.CommitTransaction(RemainingTransactionTime, serveReports: false);
        _open = false;
        LogCommitted(_sink, offsets.Count);
    }

    public void Abort()
    {
        if (!_open) return;
        _open = false;
        try
        {
            _producer.AbortTransaction(RemainingTransactionTime);
            LogAborted(_sink);
        }
        catch (NativeKafkaException e)
        {
            LogAbortFailed(_sink, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: transaction coordinator not ready ({Reason}); retrying")]
    private partial void LogInitRetry(string sink, string reason);

    [LoggerMessage(LogLevel.Debug, "Kafka sink {Sink}: transaction committed with the offsets of {Partitions} partitions")]
    private partial void LogCommitted(string sink, int partitions);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: transaction aborted; its records stay invisible to read_committed consumers and are read again on restart")]
    private partial void LogAborted(string sink);

    [LoggerMessage(LogLevel.Warning, "Kafka sink {Sink}: aborting the transaction failed ({Reason}); the broker aborts it at transaction.timeout.ms")]
    private partial void LogAbortFailed(string sink, string reason);
}
