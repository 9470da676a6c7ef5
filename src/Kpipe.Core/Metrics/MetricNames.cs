namespace Kpipe.Metrics;

/// <summary>
/// Instrument and label names. Where the OpenTelemetry semantic conventions for messaging name a metric or an
/// attribute (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-metrics/), kpipe uses that name;
/// the rest are kpipe's own, under <c>kpipe.</c>. Prometheus names follow from these by OpenTelemetry's
/// translation: dots become underscores, a unit in braces is dropped, counters end in <c>_total</c>
/// (docs/operations.md lists both).
/// </summary>
public static class MetricNames
{
    // Source (Kpipe.Sources.Kafka).
    public const string ConsumedMessages = "messaging.client.consumed.messages";
    public const string ConsumedBytes = "kpipe.source.consumed.bytes";
    public const string Lag = "kpipe.source.lag";
    public const string Commits = "kpipe.source.commits";
    public const string BrokersUp = "kpipe.source.brokers.up";

    // Engine (Kpipe.Engine): the outcome of every consumed record, and flow control.
    public const string Written = "kpipe.records.written";
    public const string Filtered = "kpipe.records.filtered";
    public const string Skipped = "kpipe.records.skipped";
    public const string DeadLettered = "kpipe.records.dead_lettered";
    public const string BatchRecords = "kpipe.batch.records";
    public const string InFlightBytes = "kpipe.inflight.bytes";
    public const string OldestUnwrittenAge = "kpipe.oldest_unwritten.age";
    public const string Ready = "kpipe.pipeline.ready";

    /// <summary>Per transform kind, on that kind's meter: <c>kpipe.transform.select.duration</c>...</summary>
    public static string TransformDuration(string kind) => $"kpipe.transform.{kind}.duration";

    // Kafka sink (Kpipe.Sinks.Kafka).
    public const string SentMessages = "messaging.client.sent.messages";
    public const string OperationDuration = "messaging.client.operation.duration";

    // Doris sink (Kpipe.Sinks.Doris).
    public const string DorisLoadDuration = "kpipe.doris.load.duration";
    public const string DorisLoadRows = "kpipe.doris.load.rows";
    public const string DorisLoadBytes = "kpipe.doris.load.bytes";
    public const string DorisLoadRetries = "kpipe.doris.load.retries";

    // Labels (attributes).
    public const string Pipeline = "kpipe.pipeline";
    public const string Sink = "kpipe.sink";
    public const string Outcome = "kpipe.outcome";
    public const string System = "messaging.system";
    public const string Operation = "messaging.operation.name";
    public const string Destination = "messaging.destination.name";
    public const string PartitionId = "messaging.destination.partition.id";
    public const string ConsumerGroup = "messaging.consumer.group.name";
    public const string Table = "kpipe.doris.table";
}
