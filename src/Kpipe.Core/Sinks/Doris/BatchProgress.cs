using Kpipe.Engine;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The parts of one record batch the sink still has to commit: one part per load that holds rows of the batch,
/// plus one for the writing itself (released when <see cref="DorisSink.Write"/> is done), so that a load
/// committing while the batch is still being written cannot acknowledge it early. The batch is acknowledged
/// once, when the last part commits, or failed once, at the first part that fails.
/// </summary>
internal sealed class BatchProgress(RecordBatch batch, ISinkAcknowledger acknowledger)
{
    private int _outstanding = 1;
    private int _settled;

    public RecordBatch Batch { get; } = batch;

    public void AddPart() => Interlocked.Increment(ref _outstanding);

    /// <summary>A part is committed (or its records were skipped).</summary>
    public void Complete()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0 && Interlocked.CompareExchange(ref _settled, 1, 0) == 0)
            acknowledger.Acknowledge(Batch);
    }

    public void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _settled, 1, 0) == 0)
            acknowledger.Fail(Batch, error);
    }
}
