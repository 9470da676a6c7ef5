using System.Globalization;
using System.Text;
using Kpipe.Kafka.Native;

namespace Kpipe.Engine.DeadLetters;

/// <summary>
/// The headers a dead letter carries on top of the record's own. The <c>__connect.errors.*</c> names are Kafka
/// Connect's (org.apache.kafka.connect.runtime.errors.DeadLetterQueueReporter, with
/// <c>errors.deadletterqueue.context.headers.enable</c>), so tools written for Connect's dead-letter topics read
/// kpipe's too; the <c>kpipe.errors.*</c> ones say what Connect has no name for. Values are UTF-8 text.
/// </summary>
public static class DeadLetterHeaders
{
    public const string Topic = "__connect.errors.topic";
    public const string Partition = "__connect.errors.partition";
    public const string Offset = "__connect.errors.offset";
    public const string ConnectorName = "__connect.errors.connector.name";
    public const string Stage = "__connect.errors.stage";
    public const string ExceptionClass = "__connect.errors.exception.class.name";
    public const string ExceptionMessage = "__connect.errors.exception.message";
    public const string Pipeline = "kpipe.errors.pipeline";
    public const string KpipeStage = "kpipe.errors.stage";
    public const string Field = "kpipe.errors.field";

    /// <summary>True for a header this class adds; a replayed dead letter that fails again gets fresh ones
    /// instead of two of each.</summary>
    public static bool IsErrorHeader(ReadOnlySpan<byte> name) =>
        name.StartsWith("__connect.errors."u8) || name.StartsWith("kpipe.errors."u8);

    /// <summary>Appends the error headers to <paramref name="headers"/> (an rd_kafka_headers_t).</summary>
    internal static void Append(nint headers, string pipeline, string topic, int partition, long offset, RecordError error)
    {
        Add(headers, Topic, topic);
        Add(headers, Partition, partition.ToString(CultureInfo.InvariantCulture));
        Add(headers, Offset, offset.ToString(CultureInfo.InvariantCulture));
        Add(headers, ConnectorName, pipeline);
        // Connect's stage is an enum (TRANSFORMATION, VALUE_CONVERTER, TASK_PUT...): its nearest values.
        Add(headers, Stage, error.Stage.StartsWith("sinks", StringComparison.Ordinal) ? "TASK_PUT" : "TRANSFORMATION");
        Add(headers, ExceptionClass, error.ExceptionClass);
        Add(headers, ExceptionMessage, error.Reason);
        Add(headers, Pipeline, pipeline);
        Add(headers, KpipeStage, error.Stage);
        if (error.Field != null) Add(headers, Field, error.Field);
    }

    private static void Add(nint headers, string name, string value) =>
        KafkaHeaders.Add(headers, Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value), false);
}

/// <summary>Why a record was rejected: the reason, the stage that rejected it (<c>transforms[0].select</c>,
/// <c>sinks.doris-0</c>), the field at fault when known, and the error's class name for the Connect header.</summary>
public sealed record RecordError(string Reason, string Stage, string? Field, string ExceptionClass)
{
    public static readonly string DefaultClass = typeof(RecordErrorException).FullName!;
}
