namespace Kpipe.Engine;

/// <summary>
/// One record of a <see cref="RecordBatch"/>: where its key and value bytes are, and its coordinates. The bytes
/// live in the consumer's own message memory (or a test batch's pinned arena), so a record costs no managed
/// object and no copy; a length of -1 means null (no key, or a tombstone).
/// </summary>
internal struct RecordEntry
{
    public nint Key;
    public nint Value;
    public int KeyLength;
    public int ValueLength;
    /// <summary>Index into the batch's partition table.</summary>
    public int Slot;
    public long Offset;
    public long TimestampMs;
    /// <summary>librdkafka's rd_kafka_headers_t of the record, owned by the message; 0 when it has none.</summary>
    public nint Headers;
    /// <summary>The rd_kafka_message_t the bytes belong to (destroyed when the batch releases its payloads); 0
    /// for records that did not come from librdkafka.</summary>
    public nint Message;
}
