using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

// Mirrors of the public structs of rdkafka.h (librdkafka 2.16). Field order and types follow the header
// exactly; the binding only supports 64-bit processes (checked in LibRdKafka's static constructor), so
// pointer-sized fields and the union offset of rd_kafka_vu_t are fixed.

/// <summary>rd_kafka_message_t.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RdKafkaMessage
{
    public int Err;            // rd_kafka_resp_err_t
    public nint Rkt;           // rd_kafka_topic_t*
    public int Partition;      // int32_t
    public nint Payload;       // void*: payload, or the error string when Err != 0
    public nuint Len;          // size_t
    public nint Key;           // void*
    public nuint KeyLen;       // size_t
    public long Offset;        // int64_t
    public nint Private;       // void*: the producer's msg_opaque in delivery reports
}

/// <summary>rd_kafka_topic_partition_t.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RdKafkaTopicPartition
{
    public nint Topic;         // char*
    public int Partition;      // int32_t
    public long Offset;        // int64_t
    public nint Metadata;      // void*, freed by librdkafka with the list
    public nuint MetadataSize; // size_t
    public nint Opaque;        // void*
    public int Err;            // rd_kafka_resp_err_t
    public nint Private;       // internal, must stay zero
}

/// <summary>rd_kafka_topic_partition_list_t.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RdKafkaTopicPartitionList
{
    public int Cnt;
    public int Size;
    public RdKafkaTopicPartition* Elems;
}

/// <summary>
/// rd_kafka_vu_t: an rd_kafka_vtype_t (a C enum, 4 bytes) followed by a union whose largest member is
/// <c>char _pad[64]</c> and whose alignment is that of its pointers (8), so the union starts at offset 8
/// and the struct is 72 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal struct RdKafkaVu
{
    [FieldOffset(0)] public int VType;
    [FieldOffset(8)] public nint Ptr;       // u.ptr, u.rkt, u.headers, u.mem.ptr, u.cstr
    [FieldOffset(16)] public nuint Size;    // u.mem.size
    [FieldOffset(8)] public int I32;        // u.i, u.i32
    [FieldOffset(8)] public long I64;       // u.i64
}

/// <summary>rd_kafka_vtype_t.</summary>
internal static class RdKafkaVType
{
    public const int End = 0;
    public const int Topic = 1;
    public const int Rkt = 2;
    public const int Partition = 3;
    public const int Value = 4;
    public const int Key = 5;
    public const int Opaque = 6;
    public const int MsgFlags = 7;
    public const int Timestamp = 8;
    public const int Header = 9;
    public const int Headers = 10;
}
