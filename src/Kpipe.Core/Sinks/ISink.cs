using Kpipe.Engine;

namespace Kpipe.Sinks;

/// <summary>
/// A destination. The engine hands it batches in consumption order; the sink acknowledges each batch
/// through <see cref="ISinkAcknowledger"/> once every record of it is durably written (or reports a failure).
/// Acknowledgements may come from any thread and in any order.
/// </summary>
public interface ISink : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Starts writing the batch. Must not block for long: slow sinks buffer and acknowledge later.</summary>
    void Write(RecordBatch batch, ISinkAcknowledger acknowledger);

    /// <summary>Sends whatever the sink holds back (buffers, lingering batches) without waiting for a trigger;
    /// used before partitions are revoked and on shutdown.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The pipeline is stopping (SIGINT/SIGTERM): a <see cref="Write"/> waiting for room (backpressure) must give
    /// up by throwing <see cref="OperationCanceledException"/>; its batch stays unacknowledged and is read again
    /// on restart. Called from any thread; what is already buffered is still flushed and drained.
    /// </summary>
    void CancelWaits()
    {
    }

    /// <summary>Non-null once the sink has failed outside any batch (its cluster unreachable from the start): the
    /// engine stops the pipeline as if a batch had failed, even when no record comes to fail. Read on the
    /// consuming thread between batches: keep it cheap.</summary>
    Exception? Fatal => null;

    /// <summary>Non-null when the sink commits the source's offsets itself, in the same transaction as its writes
    /// (the Kafka sink with <c>exactlyOnce</c>); the source then never commits them on its own.</summary>
    ITransactionalSink? Transactions => null;

    /// <summary>Non-null when the sink takes part in the source's offset commits (the Doris sink with
    /// <c>exactlyOnce</c>): it may lower the offsets committed and stores its pending transactions with them.</summary>
    ICommitParticipant? CommitParticipant => null;
}

/// <summary>Receives a sink's verdict on a batch.</summary>
public interface ISinkAcknowledger
{
    void Acknowledge(RecordBatch batch);

    /// <summary>The batch cannot be written (after the sink's own retries): the pipeline stops without
    /// committing it.</summary>
    void Fail(RecordBatch batch, Exception error);
}
