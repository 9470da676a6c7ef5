namespace Kpipe.Transforms.Cdc;

/// <summary>What a message on a Debezium topic is. Only <see cref="Row"/> gives a row; every other kind is counted
/// (<see cref="DebeziumTransform.Count"/>) and filtered, never an error.</summary>
public enum MessageKind
{
    /// <summary>A row change: create, snapshot read, update or delete (an envelope, or a flattened row).</summary>
    Row,
    /// <summary>A Kafka record with a null value, written after a delete for log compaction; deletes its key's row
    /// under <c>tombstones: delete</c>.</summary>
    Tombstone,
    /// <summary><c>op: t</c>; handled by the <c>truncate</c> policy.</summary>
    Truncate,
    /// <summary><c>op: m</c>: a PostgreSQL logical decoding message (<c>pg_logical_emit_message</c>), no table row.</summary>
    LogicalMessage,
    /// <summary>A value of the schema change topic (<c>databaseName</c>, <c>ddl</c>, <c>tableChanges</c>).</summary>
    SchemaChange,
    /// <summary>A value of the transaction metadata topic (<c>status: BEGIN</c> or <c>END</c>).</summary>
    Transaction,
    /// <summary>A heartbeat (topic <c>__debezium-heartbeat.*</c>, or a value holding only <c>ts_ms</c>).</summary>
    Heartbeat,
}
