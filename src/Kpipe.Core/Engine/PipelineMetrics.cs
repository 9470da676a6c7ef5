namespace Kpipe.Engine;

/// <summary>
/// Counters of one pipeline. Every consumed record ends in exactly one of written, filtered or skipped,
/// so <c>RecordsIn == RecordsWritten + RecordsFiltered + RecordsSkipped</c> once the pipeline is drained.
/// </summary>
public sealed class PipelineMetrics
{
    private long _recordsIn, _bytesIn, _recordsWritten, _recordsFiltered, _recordsSkipped, _batches, _commits;

    public long RecordsIn => Interlocked.Read(ref _recordsIn);
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    /// <summary>Records acknowledged by every sink.</summary>
    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);
    /// <summary>Records a filter rule dropped on purpose.</summary>
    public long RecordsFiltered => Interlocked.Read(ref _recordsFiltered);
    /// <summary>Records dropped by the <c>skip</c> error policy.</summary>
    public long RecordsSkipped => Interlocked.Read(ref _recordsSkipped);
    public long Batches => Interlocked.Read(ref _batches);
    public long Commits => Interlocked.Read(ref _commits);

    internal void Consumed(int records, long bytes)
    {
        Interlocked.Add(ref _recordsIn, records);
        Interlocked.Add(ref _bytesIn, bytes);
        Interlocked.Increment(ref _batches);
    }

    internal void Written(long records) => Interlocked.Add(ref _recordsWritten, records);
    internal void Filtered() => Interlocked.Increment(ref _recordsFiltered);
    internal void Skipped() => Interlocked.Increment(ref _recordsSkipped);
    internal void Committed() => Interlocked.Increment(ref _commits);

    public override string ToString() =>
        $"in={RecordsIn} written={RecordsWritten} filtered={RecordsFiltered} skipped={RecordsSkipped} batches={Batches} commits={Commits}";
}
