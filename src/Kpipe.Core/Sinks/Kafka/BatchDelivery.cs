using Confluent.Kafka;
using Kpipe.Engine;

namespace Kpipe.Sinks.Kafka;

/// <summary>
/// Counts a batch's outstanding delivery reports. One instance (and one handler delegate) per batch rather
/// than per record keeps the produce path free of per-record closures.
/// </summary>
internal sealed class BatchDelivery
{
    private readonly RecordBatch _batch;
    private readonly ISinkAcknowledger _acknowledger;
    // Starts at 1 for the producing side itself, so reports arriving while the batch is still being produced
    // cannot bring the count to zero early.
    private int _outstanding = 1;
    private int _failed;

    public BatchDelivery(RecordBatch batch, ISinkAcknowledger acknowledger)
    {
        _batch = batch;
        _acknowledger = acknowledger;
        Handler = OnDelivery;
    }

    public Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

    public void Expect() => Interlocked.Increment(ref _outstanding);

    public void Sealed() => Release();

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 0)
                _acknowledger.Fail(_batch, new KafkaException(report.Error));
            return;
        }
        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _failed) == 0)
            _acknowledger.Acknowledge(_batch);
    }
}
