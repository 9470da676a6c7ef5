using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>
/// One consumed message: a view over an rd_kafka_message_t*, valid until <see cref="Destroy"/>.
/// Reads the C struct in place, so no accessor allocates; the spans point into librdkafka's buffer.
/// </summary>
public readonly unsafe struct KafkaMessage
{
    private readonly RdKafkaMessage* _message;

    public KafkaMessage(nint handle)
    {
        _message = (RdKafkaMessage*)handle;
    }

    public nint Handle => (nint)_message;

    public ErrorCode Error => (ErrorCode)_message->Err;

    /// <summary>The rd_kafka_topic_t*; stable for a topic, so callers can key a name cache on it.</summary>
    public nint TopicHandle => _message->Rkt;

    public int Partition => _message->Partition;

    public long Offset => _message->Offset;

    /// <summary>False for a message without a key (a NULL key); an empty key is a key.</summary>
    public bool HasKey => _message->Key != 0;

    public ReadOnlySpan<byte> Key => new((void*)_message->Key, checked((int)_message->KeyLen));

    /// <summary>False for a tombstone (a NULL payload); an empty value is a value.</summary>
    public bool HasValue => _message->Payload != 0;

    public ReadOnlySpan<byte> Value => new((void*)_message->Payload, checked((int)_message->Len));

    /// <summary>Milliseconds since the epoch (create or log-append time), -1 when the message has none.</summary>
    public long TimestampMs
    {
        get
        {
            int type;
            return LibRdKafka.MessageTimestamp((nint)_message, &type);
        }
    }

    /// <summary>
    /// The message's rd_kafka_headers_t*, owned by the message (do not destroy it), or 0 when it has
    /// none. librdkafka parses the headers on the first call.
    /// </summary>
    public nint Headers
    {
        get
        {
            nint headers = 0;
            // RD_KAFKA_RESP_ERR__NOENT: no headers; any error leaves it NULL.
            return LibRdKafka.MessageHeaders((nint)_message, &headers) == 0 ? headers : 0;
        }
    }

    /// <summary>rd_kafka_message_destroy. Every message handed out must be destroyed before its consumer.</summary>
    public static void Destroy(nint handle) => LibRdKafka.MessageDestroy(handle);
}
