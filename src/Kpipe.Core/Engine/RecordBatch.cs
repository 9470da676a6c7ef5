using Confluent.Kafka;

namespace Kpipe.Engine;

/// <summary>
/// Records consumed together and handed to every sink at once. A batch is the unit of acknowledgement:
/// its offsets become committable when every sink has acknowledged it.
/// </summary>
public sealed class RecordBatch
{
    private int _pendingSinks;
    private int _droppedCount;
    private bool[]? _dropped;
    private readonly Lock _dropGate = new();

    public RecordBatch(long id, List<ConsumeResult<byte[]?, byte[]?>> records, long bytes)
    {
        Id = id;
        Records = records;
        Bytes = bytes;
    }

    public long Id { get; }

    /// <summary>Typed rows made by a <c>select</c> transform; null when records pass through as they are.
    /// Valid only during <see cref="Sinks.ISink.Write"/>: sinks copy what they keep.</summary>
    public Rows.RowBatch? Rows { get; set; }

    /// <summary>The consumed records, in consumption order (per partition in offset order).</summary>
    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Records { get; }

    /// <summary>Bytes of keys and values, counted against the in-flight budget.</summary>
    public long Bytes { get; }

    /// <summary>Records no sink writes (skipped or filtered).</summary>
    public int DroppedCount => Volatile.Read(ref _droppedCount);

    internal bool Completed { get; private set; }

    /// <summary>True when the record at <paramref name="index"/> was skipped or filtered and no sink writes it.</summary>
    public bool IsDropped(int index)
    {
        var dropped = Volatile.Read(ref _dropped);
        return dropped != null && Volatile.Read(ref dropped[index]);
    }

    /// <summary>Marks a record as not to be written; false when it already was (so it is counted once).</summary>
    internal bool TryDrop(int index)
    {
        lock (_dropGate)
        {
            _dropped ??= new bool[Records.Count];
            if (_dropped[index]) return false;
            _dropped[index] = true;
            _droppedCount++;
            return true;
        }
    }

    internal void ExpectAcks(int sinks) => _pendingSinks = sinks;

    /// <summary>Counts one sink's acknowledgement; true when it was the last one.</summary>
    internal bool AckOne() => Interlocked.Decrement(ref _pendingSinks) == 0;

    internal void MarkCompleted() => Completed = true;
}
