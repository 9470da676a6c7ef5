using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>
/// The librdkafka C functions the binding calls, declared from rdkafka.h of librdkafka.redist 2.16.0.
/// </summary>
/// <remarks>
/// Opaque C handles are <see cref="nint"/>; C enums are <see cref="int"/>. <c>SuppressGCTransition</c>
/// is only on calls that neither block, take locks held across I/O, nor call back into .NET: reading
/// fields or cached strings of an object the caller holds.
/// </remarks>
internal static unsafe partial class LibRdKafka
{
    private const string Lib = LibRdKafkaResolver.LibraryName;

    internal const int TypeProducer = 0;
    internal const int TypeConsumer = 1;
    internal const int ConfOk = 0;
    internal const int ConfUnknown = -2;
    internal const int MsgFCopy = 0x2;
    internal const int EventTypeDr = 0x1;
    internal const int EventTypeError = 0x8;
    internal const int ErrPartitionEof = -191;
    internal const int ErrQueueFull = -184;
    internal const int ErrNoEnt = -156;
    internal const int ErrAssignPartitions = -175;
    internal const int ErrRevokePartitions = -174;
    internal const int ErrFatal = -150;

    static LibRdKafka()
    {
        // rd_kafka_vu_t and the other mirrors are laid out for 64-bit pointers.
        if (IntPtr.Size != 8)
        {
            throw new PlatformNotSupportedException("The native Kafka binding needs a 64-bit process.");
        }

        LibRdKafkaResolver.EnsureRegistered();
    }

    // Configuration and handles.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_new")]
    internal static partial nint ConfNew();

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(nint conf);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_opaque")]
    internal static partial void ConfSetOpaque(nint conf, nint opaque);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_events")]
    internal static partial void ConfSetEvents(nint conf, int events);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_rebalance_cb")]
    internal static partial void ConfSetRebalanceCb(
        nint conf, delegate* unmanaged[Cdecl]<nint, int, RdKafkaTopicPartitionList*, nint, void> cb);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_error_cb")]
    internal static partial void ConfSetErrorCb(nint conf, delegate* unmanaged[Cdecl]<nint, int, byte*, nint, void> cb);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_log_cb")]
    internal static partial void ConfSetLogCb(nint conf, delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, void> cb);

    /// <summary>The statistics callback: librdkafka's JSON every <c>statistics.interval.ms</c>, served by the
    /// poll or consume call of the queue the main queue is forwarded to; returning 0 lets librdkafka free it.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set_stats_cb")]
    internal static partial void ConfSetStatsCb(nint conf, delegate* unmanaged[Cdecl]<nint, byte*, nuint, nint, int> cb);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_new")]
    internal static partial nint New(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_opaque")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial nint Opaque(nint rk);

    /// <summary>The cluster's controller broker id from the last metadata, -1 while no broker has answered;
    /// timeout 0 does not block.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_controllerid")]
    internal static partial int ControllerId(nint rk, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_err2str")]
    internal static partial byte* Err2Str(int err);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_fatal_error")]
    internal static partial int FatalError(nint rk, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mem_malloc")]
    internal static partial nint MemMalloc(nint rk, nuint size);

    // Queues and events.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_queue_get_main")]
    internal static partial nint QueueGetMain(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_queue_get_consumer")]
    internal static partial nint QueueGetConsumer(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_queue_destroy")]
    internal static partial void QueueDestroy(nint queue);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_queue_poll")]
    internal static partial nint QueuePoll(nint queue, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_type")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial int EventType(nint ev);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_message_count")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial nuint EventMessageCount(nint ev);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_message_array")]
    internal static partial nuint EventMessageArray(nint ev, RdKafkaMessage** messages, nuint size);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_error")]
    internal static partial int EventError(nint ev);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_error_string")]
    internal static partial byte* EventErrorString(nint ev);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_error_is_fatal")]
    internal static partial int EventErrorIsFatal(nint ev);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_event_destroy")]
    internal static partial void EventDestroy(nint ev);

    // Messages and headers.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_message_destroy")]
    internal static partial void MessageDestroy(nint message);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_message_timestamp")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial long MessageTimestamp(nint message, int* timestampType);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_message_headers")]
    internal static partial int MessageHeaders(nint message, nint* headers);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_message_errstr")]
    internal static partial byte* MessageErrstr(nint message);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_name")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial byte* TopicName(nint rkt);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_headers_new")]
    internal static partial nint HeadersNew(nuint initialCount);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_headers_destroy")]
    internal static partial void HeadersDestroy(nint headers);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_headers_copy")]
    internal static partial nint HeadersCopy(nint headers);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_header_add")]
    internal static partial int HeaderAdd(nint headers, byte* name, nint nameSize, byte* value, nint valueSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_header_cnt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial nuint HeaderCount(nint headers);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_header_get_all")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    internal static partial int HeaderGetAll(nint headers, nuint index, byte** name, byte** value, nuint* size);

    // Topic-partition lists.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_partition_list_new")]
    internal static partial RdKafkaTopicPartitionList* PartitionListNew(int size);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_partition_list_add", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial RdKafkaTopicPartition* PartitionListAdd(RdKafkaTopicPartitionList* list, string topic, int partition);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_partition_list_destroy")]
    internal static partial void PartitionListDestroy(RdKafkaTopicPartitionList* list);

    // Consumer.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_poll_set_consumer")]
    internal static partial int PollSetConsumer(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_subscribe")]
    internal static partial int Subscribe(nint rk, RdKafkaTopicPartitionList* topics);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_consume_batch_queue")]
    internal static partial nint ConsumeBatchQueue(nint queue, int timeoutMs, nint* messages, nuint size);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_rebalance_protocol")]
    internal static partial byte* RebalanceProtocol(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_assign")]
    internal static partial int Assign(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_incremental_assign")]
    internal static partial nint IncrementalAssign(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_incremental_unassign")]
    internal static partial nint IncrementalUnassign(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_assignment_lost")]
    internal static partial int AssignmentLost(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_assignment")]
    internal static partial int Assignment(nint rk, RdKafkaTopicPartitionList** partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_commit")]
    internal static partial int Commit(nint rk, RdKafkaTopicPartitionList* offsets, int async);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_committed")]
    internal static partial int Committed(nint rk, RdKafkaTopicPartitionList* partitions, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_offsets_for_times")]
    internal static partial int OffsetsForTimes(nint rk, RdKafkaTopicPartitionList* offsets, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_pause_partitions")]
    internal static partial int PausePartitions(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_resume_partitions")]
    internal static partial int ResumePartitions(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_seek_partitions")]
    internal static partial nint SeekPartitions(nint rk, RdKafkaTopicPartitionList* partitions, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_consumer_close")]
    internal static partial int ConsumerClose(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_consumer_group_metadata")]
    internal static partial nint ConsumerGroupMetadata(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_consumer_group_metadata_destroy")]
    internal static partial void ConsumerGroupMetadataDestroy(nint metadata);

    // Producer.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint TopicNew(nint rk, string topic, nint conf);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_topic_destroy")]
    internal static partial void TopicDestroy(nint rkt);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_produceva")]
    internal static partial nint Produceva(nint rk, RdKafkaVu* vus, nuint count);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_flush")]
    internal static partial int Flush(nint rk, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_outq_len")]
    internal static partial int OutqLen(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_init_transactions")]
    internal static partial nint InitTransactions(nint rk, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_begin_transaction")]
    internal static partial nint BeginTransaction(nint rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_send_offsets_to_transaction")]
    internal static partial nint SendOffsetsToTransaction(
        nint rk, RdKafkaTopicPartitionList* offsets, nint groupMetadata, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_commit_transaction")]
    internal static partial nint CommitTransaction(nint rk, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_abort_transaction")]
    internal static partial nint AbortTransaction(nint rk, int timeoutMs);

    // rd_kafka_error_t.
    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_code")]
    internal static partial int ErrorCode(nint error);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_string")]
    internal static partial byte* ErrorString(nint error);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_is_fatal")]
    internal static partial int ErrorIsFatal(nint error);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_is_retriable")]
    internal static partial int ErrorIsRetriable(nint error);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_txn_requires_abort")]
    internal static partial int ErrorTxnRequiresAbort(nint error);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_error_destroy")]
    internal static partial void ErrorDestroy(nint error);

    /// <summary>A NUL-terminated UTF-8 C string as a .NET string (empty for NULL).</summary>
    internal static string Utf8(byte* text) =>
        text == null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    internal static string ErrorText(int err) => Utf8(Err2Str(err));
}
