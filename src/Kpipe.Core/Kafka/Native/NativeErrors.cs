using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>Turns librdkafka's two error styles (a resp_err code, an rd_kafka_error_t*) into exceptions.</summary>
internal static unsafe class NativeErrors
{
    /// <summary>Throws for a non-zero rd_kafka_resp_err_t returned by <paramref name="what"/>.</summary>
    internal static void ThrowIfError(int err, string what)
    {
        if (err != 0)
        {
            Throw(err, what);
        }
    }

    /// <summary>Reads, destroys and throws an rd_kafka_error_t*; NULL means success.</summary>
    internal static void ThrowIfError(nint error, string what)
    {
        if (error != 0)
        {
            throw Consume(error, what);
        }
    }

    /// <summary>Reads every attribute of an rd_kafka_error_t*, destroys it and returns the exception.</summary>
    internal static NativeKafkaException Consume(nint error, string what)
    {
        try
        {
            var code = (ErrorCode)LibRdKafka.ErrorCode(error);
            return new NativeKafkaException(
                code,
                $"{what} failed: {LibRdKafka.Utf8(LibRdKafka.ErrorString(error))} ({code})",
                LibRdKafka.ErrorIsFatal(error) != 0)
            {
                IsRetriable = LibRdKafka.ErrorIsRetriable(error) != 0,
                TxnRequiresAbort = LibRdKafka.ErrorTxnRequiresAbort(error) != 0,
            };
        }
        finally
        {
            LibRdKafka.ErrorDestroy(error);
        }
    }

    /// <summary>Throws for a partition-level error left in a topic-partition list.</summary>
    internal static void ThrowIfAnyPartitionError(RdKafkaTopicPartitionList* list, string what)
    {
        for (var i = 0; i < list->Cnt; i++)
        {
            var err = list->Elems[i].Err;
            if (err != 0)
            {
                var topic = LibRdKafka.Utf8((byte*)list->Elems[i].Topic);
                Throw(err, $"{what} for {topic} [{list->Elems[i].Partition}]");
            }
        }
    }

    /// <summary>
    /// The real cause behind RD_KAFKA_RESP_ERR__FATAL, which librdkafka only reports as "a fatal
    /// error happened" and keeps the original code and reason for rd_kafka_fatal_error.
    /// </summary>
    internal static (ErrorCode Code, string Reason) FatalError(nint rk)
    {
        const int size = 512;
        var errstr = stackalloc byte[size];
        errstr[0] = 0;
        var err = LibRdKafka.FatalError(rk, errstr, size);
        return ((ErrorCode)err, LibRdKafka.Utf8(errstr));
    }

    private static void Throw(int err, string what)
    {
        var code = (ErrorCode)err;
        throw new NativeKafkaException(code, $"{what} failed: {LibRdKafka.ErrorText(err)} ({code})", err == LibRdKafka.ErrFatal);
    }
}
