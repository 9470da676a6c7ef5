using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>What a <see cref="NativeProducer"/> tells its owner.</summary>
public interface IProducerEvents
{
    /// <summary>
    /// One delivery-report event's messages at once, on the thread calling Poll/Flush. The span is a
    /// reused buffer: copy what must outlive the call.
    /// </summary>
    void OnDelivered(ReadOnlySpan<DeliveryReport> reports);

    /// <summary>On the thread calling Poll/Flush.</summary>
    void OnError(ErrorCode code, string reason, bool isFatal);

    /// <summary>On ANY librdkafka thread; must not throw (exceptions are swallowed).</summary>
    void OnLog(int syslogLevel, string facility, string message);
}
