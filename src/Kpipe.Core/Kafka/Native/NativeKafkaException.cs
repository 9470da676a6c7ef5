using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>A librdkafka call failed; <see cref="Code"/> is librdkafka's error code.</summary>
public sealed class NativeKafkaException(ErrorCode code, string message, bool isFatal = false) : Exception(message)
{
    public ErrorCode Code { get; } = code;

    /// <summary>The client instance is unusable and must be recreated.</summary>
    public bool IsFatal { get; } = isFatal;

    /// <summary>rd_kafka_error_is_retriable: the same call may succeed if repeated.</summary>
    public bool IsRetriable { get; init; }

    /// <summary>rd_kafka_error_txn_requires_abort: abort the transaction, then begin a new one.</summary>
    public bool TxnRequiresAbort { get; init; }
}
