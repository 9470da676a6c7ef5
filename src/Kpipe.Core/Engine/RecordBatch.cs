using System.Buffers;
using Confluent.Kafka;

namespace Kpipe.Engine;

/// <summary>
/// Records consumed together and handed to every sink at once. A batch is the unit of acknowledgement:
/// its offsets become committable when every sink has acknowledged it.
/// </summary>
/// <remarks>
/// Keys, values and headers are views over memory the batch does not own (librdkafka's messages). They are
/// valid while transforms run and during <see cref="Sinks.ISink.Write"/>; sinks copy what they keep. After
/// that the engine releases them, and reading them throws. Coordinates (topic, partition, offset) stay valid
/// until the batch is acknowledged, so a sink can still report a record error by index.
/// </remarks>
public sealed class RecordBatch
{
    /// <summary>Where entry arrays come from and go back to.</summary>
    /// <remarks>Not <see cref="ArrayPool{T}.Shared"/>: arrays are rented on the consumer thread and returned on
    /// the acknowledging one, so the shared pool's per-thread caches never hold them, and its per-core stacks
    /// (a few arrays per size) overflowed with the dozens of batches the in-flight bound allows: it allocated a
    /// new array for one batch in three, 49 bytes per record in a CDC run (an EventPipe allocation profile). 64
    /// arrays per size cover what the in-flight bound lets through at once.</remarks>
    internal static readonly ArrayPool<RecordEntry> EntryPool = ArrayPool<RecordEntry>.Create(1 << 20, 64);

    private RecordEntry[] _entries;
    private readonly TopicPartition[] _partitions;
    private readonly long[] _lastOffsets;
    private readonly Action<RecordBatch>? _release;
    // Acknowledgements still due: one per sink, one per dead letter, plus the engine's own hold (released once
    // every sink's Write returned), so no acknowledgement arriving early can complete the batch.
    private int _pending = 1;
    private int _droppedCount;
    private bool[]? _dropped;
    private bool _released;
    private readonly Lock _dropGate = new();

    /// <remarks>The entries are rented from <see cref="EntryPool"/> and returned when the batch is
    /// recycled; entries refer to the distinct partitions (with their last offsets) by slot; release frees the
    /// memory the keys and values point into (called once, by the engine).</remarks>
    internal RecordBatch(long id, RecordEntry[] entries, int count, TopicPartition[] partitions, long[] lastOffsets, long bytes,
        Action<RecordBatch>? release)
    {
        Id = id;
        _entries = entries;
        Count = count;
        _partitions = partitions;
        _lastOffsets = lastOffsets;
        Bytes = bytes;
        _release = release;
    }

    public long Id { get; }

    /// <summary>When the engine took the batch from the source (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>):
    /// the age of the oldest unwritten record is measured from it.</summary>
    internal long ConsumedAt { get; set; }

    /// <summary>Number of records, in consumption order (per partition in offset order).</summary>
    public int Count { get; }

    /// <summary>Typed rows made by a <c>select</c> transform; null when records pass through as they are.
    /// Valid only during <see cref="Sinks.ISink.Write"/>: sinks copy what they keep.</summary>
    public Rows.RowBatch? Rows { get; set; }

    /// <summary>Bytes of keys and values, counted against the in-flight budget.</summary>
    public long Bytes { get; }

    public bool HasKey(int index) => Entry(index).KeyLength >= 0;

    public unsafe ReadOnlySpan<byte> Key(int index)
    {
        ref readonly var e = ref Payload(index);
        return e.KeyLength > 0 ? new ReadOnlySpan<byte>((void*)e.Key, e.KeyLength) : default;
    }

    /// <summary>False for a tombstone (a null value).</summary>
    public bool HasValue(int index) => Entry(index).ValueLength >= 0;

    public unsafe ReadOnlySpan<byte> Value(int index)
    {
        ref readonly var e = ref Payload(index);
        return e.ValueLength > 0 ? new ReadOnlySpan<byte>((void*)e.Value, e.ValueLength) : default;
    }

    /// <summary>librdkafka's headers of the record (rd_kafka_headers_t*), 0 when it has none; see
    /// <see cref="Kafka.Native.KafkaHeaders"/>.</summary>
    public nint Headers(int index)
    {
        ref readonly var e = ref Payload(index);
        return e.Headers != 0 || e.Message == 0 ? e.Headers : new Kafka.Native.KafkaMessage(e.Message).Headers;
    }

    public TopicPartition TopicPartition(int index) => _partitions[Entry(index).Slot];

    public string Topic(int index) => TopicPartition(index).Topic;

    public int Partition(int index) => TopicPartition(index).Partition.Value;

    public long Offset(int index) => Entry(index).Offset;

    /// <summary>The record's timestamp in milliseconds since the epoch; -1 when it has none.</summary>
    public long TimestampMs(int index) => Entry(index).TimestampMs;

    /// <summary>"topic[partition]@offset", for messages.</summary>
    public string Where(int index) => $"{Topic(index)}[{Partition(index)}]@{Offset(index)}";

    /// <summary>The distinct partitions of the batch with the last offset of each.</summary>
    internal int PartitionCount => _partitions.Length;

    internal TopicPartition PartitionAt(int slot) => _partitions[slot];

    internal long LastOffsetAt(int slot) => _lastOffsets[slot];

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
            _dropped ??= new bool[Count];
            if (_dropped[index]) return false;
            _dropped[index] = true;
            _droppedCount++;
            return true;
        }
    }

    internal void ExpectAcks(int sinks) => Interlocked.Add(ref _pending, sinks);

    /// <summary>One more acknowledgement is due (a dead letter of one of its records).</summary>
    internal void Hold() => Interlocked.Increment(ref _pending);

    /// <summary>Counts one acknowledgement; true when it was the last one.</summary>
    internal bool AckOne() => Interlocked.Decrement(ref _pending) == 0;

    internal void MarkCompleted() => Completed = true;

    /// <summary>Frees the message memory the keys and values point into; they cannot be read afterwards.</summary>
    internal void ReleasePayloads()
    {
        if (_released) return;
        Volatile.Write(ref _released, true);
        _release?.Invoke(this);
    }

    /// <summary>Gives the entry array back to the pool once nothing reads the batch any more (acknowledged).</summary>
    internal void Recycle()
    {
        ReleasePayloads();
        var entries = Interlocked.Exchange(ref _entries, []);
        if (entries.Length > 0) EntryPool.Return(entries);
    }

    /// <summary>The entries, for the source that filled them (to free their messages).</summary>
    internal ReadOnlySpan<RecordEntry> Entries => _entries.AsSpan(0, Count);

    internal ref readonly RecordEntry Entry(int index)
    {
        if ((uint)index >= (uint)Count) ThrowIndex(index);
        return ref _entries[index];
    }

    private ref readonly RecordEntry Payload(int index)
    {
        if (_released) ThrowReleased();
        return ref Entry(index);
    }

    private void ThrowIndex(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, $"the batch has {Count} records");

    private static void ThrowReleased() =>
        throw new InvalidOperationException("the batch's keys and values were released: sinks must copy what they keep during Write");
}
