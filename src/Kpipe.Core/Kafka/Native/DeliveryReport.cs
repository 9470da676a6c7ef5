using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>The outcome of one produced message; <see cref="Opaque"/> is the value given to Produce.</summary>
public readonly record struct DeliveryReport(nint Opaque, ErrorCode Error, int Partition, long Offset);
