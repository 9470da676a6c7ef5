using System.Runtime.InteropServices;
using Kpipe.Engine;
using Kpipe.Kafka.Native;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// Counts a batch's outstanding delivery reports. Every message of the batch carries the same opaque (a
/// GCHandle to this object), so a delivery-report event is settled per run of equal opaques, not per message.
/// </summary>
internal sealed class BatchDelivery
{
    private readonly RecordBatch _batch;
    private readonly ISinkAcknowledger _acknowledger;
    private readonly KafkaSinkInstruments? _instruments;
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
    private GCHandle _handle;
    private long _messages;
    // Starts at 1 for the producing side itself, so reports arriving while the batch is still being produced
    // cannot bring the count to zero early.
    private int _outstanding = 1;
    private int _failed;

    public BatchDelivery(RecordBatch batch, ISinkAcknowledger acknowledger, KafkaSinkInstruments? instruments = null)
    {
        _batch = batch;
        _acknowledger = acknowledger;
        _instruments = instruments;
        _handle = GCHandle.Alloc(this);
    }

    /// <summary>The opaque every message of the batch carries.</summary>
    public nint Opaque => GCHandle.ToIntPtr(_handle);

    public static BatchDelivery FromOpaque(nint opaque) => (BatchDelivery)GCHandle.FromIntPtr(opaque).Target!;

    public void Expect()
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _messages);
    }

    /// <summary>A message was not produced after all (a record error): it will get no report.</summary>
    public void Unexpect()
    {
        Interlocked.Decrement(ref _messages);
        Release(1);
    }

    public void Sealed() => Release(1);

    /// <summary>Writing the batch stopped on an exception (a record error under <c>fail</c>): the batch must never
    /// be acknowledged, or its offsets (the failed record's included) would be committed. The pipeline already
    /// stops on that exception; reports still arriving only free the handle.</summary>
    public void Abandon()
    {
        Interlocked.Exchange(ref _failed, 1);
        Release(1);
    }

    /// <summary><paramref name="count"/> reports arrived; <paramref name="error"/> is the first failure among them.</summary>
    public void Delivered(int count, NativeKafkaException? error)
    {
        if (error != null && Interlocked.Exchange(ref _failed, 1) == 0)
            _acknowledger.Fail(_batch, error);
        Release(count);
    }

    private void Release(int count)
    {
        if (Interlocked.Add(ref _outstanding, -count) != 0) return;
        // Every report is in: nothing refers to the handle any more.
        _handle.Free();
        if (Volatile.Read(ref _failed) != 0) return;
        _instruments?.Delivered(Interlocked.Read(ref _messages), _started);
        _acknowledger.Acknowledge(_batch);
    }
}
