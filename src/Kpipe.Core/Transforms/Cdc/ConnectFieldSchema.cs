namespace Kpipe.Transforms.Cdc;

/// <summary>
/// One node of a Kafka Connect schema as Kafka's JSON converter writes it next to the payload
/// (<c>{"schema": {...}, "payload": {...}}</c>), e.g. a column of a Debezium change event's <c>after</c> struct.
/// </summary>
/// <param name="Field">The field's name within its parent struct; empty for the root schema, and <c>items</c>,
/// <c>keys</c> or <c>values</c> for the element schemas of an array or map.</param>
/// <param name="Type">The literal Connect type, lower case: <c>int8</c>, <c>int16</c>, <c>int32</c>, <c>int64</c>,
/// <c>float32</c>, <c>float64</c>, <c>boolean</c>, <c>string</c>, <c>bytes</c>, <c>struct</c>, <c>array</c> or <c>map</c>
/// (the JSON converter's <c>float</c> and <c>double</c> are read as <c>float32</c> and <c>float64</c>).</param>
/// <param name="Name">The logical or semantic type, such as <c>io.debezium.time.MicroTimestamp</c> or
/// <c>org.apache.kafka.connect.data.Decimal</c>; for structs Debezium also names the record
/// (<c>server.db.table.Value</c>). Null when the schema has none.</param>
/// <param name="Parameters">The schema's parameters, such as <c>scale</c> of a Decimal; values are kept as text.</param>
/// <param name="Optional">Whether the value may be null.</param>
/// <param name="Fields">A struct's fields in order. An array has one entry, its element schema named <c>items</c>;
/// a map two, <c>keys</c> and <c>values</c>; other types none.</param>
public sealed record ConnectFieldSchema(
    string Field,
    string Type,
    string? Name,
    IReadOnlyDictionary<string, string> Parameters,
    bool Optional,
    IReadOnlyList<ConnectFieldSchema> Fields);
