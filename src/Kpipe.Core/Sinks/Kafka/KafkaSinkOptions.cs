using Kpipe.Config;

namespace Kpipe.Sinks.Kafka;

/// <summary>How the Kafka sink picks the partition of each record.</summary>
public enum KafkaPartitioning
{
    /// <summary>librdkafka's partitioner hashes the key (records without a key are spread).</summary>
    Key,
    /// <summary>The same partition number as the source record: keeps the source's per-partition order.
    /// The sink topic needs at least as many partitions as the source.</summary>
    Preserve,
}

/// <summary>Writes records to a Kafka topic with an idempotent producer (acks=all).</summary>
[TypeName("kafka")]
public sealed class KafkaSinkOptions : SinkOptions, IValidatableOptions
{
    /// <summary>Comma-separated <c>host:port</c> list of the sink cluster's brokers.</summary>
    [RequiredKey] public string BootstrapServers { get; set; } = "";

    /// <summary>Topic written to.</summary>
    [RequiredKey] public string Topic { get; set; } = "";

    /// <summary>Take the record key from this field of the JSON value (a dotted path such as
    /// <c>after.id</c>) instead of passing the source key through. A record whose value has no such field is
    /// a record error.</summary>
    public string? KeyField { get; set; }

    /// <summary><c>key</c> (default) or <c>preserve</c>.</summary>
    public KafkaPartitioning Partitioning { get; set; } = KafkaPartitioning.Key;

    /// <summary>Pass the source record's headers through. Default true.</summary>
    public bool Headers { get; set; } = true;

    /// <summary>Exactly once for consumers reading the topic with <c>isolation.level=read_committed</c>: records are
    /// produced in Kafka transactions that also commit the consumed offsets (send_offsets_to_transaction), one
    /// transaction per <c>engine.commitInterval</c>, so a record's output and its offset become visible together or
    /// not at all. Needs this sink to be the pipeline's only sink, on the source's cluster, and an error policy other
    /// than <c>dead_letter</c>. Default false (at least once). See docs/guarantees.md.</summary>
    public bool ExactlyOnce { get; set; }

    /// <summary>The producer's <c>transactional.id</c> with <c>exactlyOnce</c>. Default
    /// <c>kpipe-{pipeline}-{host name}</c>: stable across restarts of one instance, so a restarted instance aborts
    /// the transaction its predecessor left open at once instead of waiting for it to time out. Instances running
    /// at the same time need different ids (two on one host: set it, e.g. from an environment variable).</summary>
    public string? TransactionalId { get; set; }

    /// <summary>How long the sink cluster may stay unreachable from the start (no broker answering: port closed,
    /// host unknown, TLS or SASL refused) before the pipeline stops with an error naming the bootstrap servers and
    /// the last reason. <c>0s</c> waits forever. Once a broker has answered, later outages are waited out (up to
    /// librdkafka's <c>message.timeout.ms</c> per record). Default 2m.</summary>
    [ValidRange("0s")] public TimeSpan UnreachableTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>librdkafka producer properties passed as they are. kpipe sets enable.idempotence=true,
    /// acks=all, compression.type=lz4, linger.ms=10 and batch.size=1000000 for throughput; values given here
    /// win, except that idempotence and acks=all cannot be turned off.</summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Kpipe.Kafka.TopicNames.Invalid(Topic) is { } topic) yield return ("topic", topic);
        if (KeyField != null && KeyField.Split('.').Any(s => s.Length == 0))
            yield return ("keyField", $"'{KeyField}' is not a dotted path such as after.id (or, after transforms, a column name)");
        if (Properties.TryGetValue("enable.idempotence", out var idem) && idem == "false")
            yield return ("properties", "enable.idempotence cannot be false: the sink relies on it for ordering without duplicates on retry");
        if (Properties.ContainsKey("transactional.id"))
            yield return ("properties", "transactional.id is set by kpipe: use exactlyOnce: true (and transactionalId to choose the id)");
        if (TransactionalId != null && !ExactlyOnce)
            yield return ("transactionalId", "is only used with exactlyOnce: true");
        if (Properties.TryGetValue("acks", out var acks) && acks is not ("all" or "-1"))
            yield return ("properties", "acks must stay 'all': an offset is committed only when the sink cluster has the record durably");
    }
}
