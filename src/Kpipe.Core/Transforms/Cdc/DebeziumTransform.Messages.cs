using System.Text;
using System.Text.Json;
using Kpipe.Engine;
using Kpipe.Json;

namespace Kpipe.Transforms.Cdc;

// How each message is recognised: its layout (format), then its kind; only row changes reach AddRow.
public sealed partial class DebeziumTransform
{
    private string? Decode(RecordBatch batch, int index)
    {
        var value = batch.Value(index);
        if (value.IsEmpty || value.Trim(" \t\r\n"u8).SequenceEqual("null"u8)) return Tombstone(batch, index);
        Span<JsonSpan> top = stackalloc JsonSpan[Names.Length];
        if (!JsonObjectScan.Scan(value, Names, top, out var topOthers, out var repeated)) return "the value is not a JSON object";
        if (repeated >= 0) return Repeated(repeated);

        var format = _options.Format;
        var wrapped = format switch
        {
            // The envelope has no field called payload, so a payload can only be the JSON converter's wrapper.
            DebeziumFormat.Envelope => top[Payload].Found,
            DebeziumFormat.FlattenedSchema => true,
            DebeziumFormat.Flattened => false,
            _ => !top[FlatOp].Found && !top[FlatDeleted].Found && top[Payload].Found
                && !top[Op].Found && !top[Before].Found && !top[After].Found,
        };
        var body = value;
        var fields = top;
        var others = topOthers;
        JsonSpan schemaSpan = default;
        Span<JsonSpan> inner = stackalloc JsonSpan[Names.Length];
        if (wrapped)
        {
            var payload = top[Payload];
            if (!payload.Found) return "format flattened-schema: the value has no 'payload' (written without schemas? use format: flattened)";
            if (payload.Kind == JsonTokenType.Null) return Tombstone(batch, index);
            if (payload.Kind != JsonTokenType.StartObject) return "the payload is not a JSON object";
            schemaSpan = top[WrapperSchema];
            body = payload.Of(value);
            JsonObjectScan.Scan(body, Names, inner, out others, out repeated);
            if (repeated >= 0) return Repeated(repeated, "payload.");
            fields = inner;
        }
        var schema = schemaSpan.Kind == JsonTokenType.StartObject ? _schemas.Get(schemaSpan.Of(value)) : null;

        var flattened = format switch
        {
            DebeziumFormat.Flattened or DebeziumFormat.FlattenedSchema => true,
            DebeziumFormat.Envelope => false,
            _ => fields[FlatOp].Found || fields[FlatDeleted].Found,
        };
        if (flattened && !fields[FlatOp].Found && !fields[FlatDeleted].Found)
        {
            // ExtractNewRecordState passes on what is not a row change (truncates, messages, the schema change and
            // transaction topics) as it came: recognised by the schema's name, or else by the message being made of
            // Debezium's own fields only, so a table's row is never taken for one of them.
            var kind = schema?.Name is { } name ? KindBySchemaName(name) : KindByShape(fields, others, batch.Topic(index));
            if (kind == EnvelopeKind) flattened = false;
            else if (kind != MessageKind.Row) return Filtered(kind);
        }
        else if (!flattened && IsHeartbeatTopic(batch.Topic(index)))
        {
            return Filtered(MessageKind.Heartbeat);
        }

        if (flattened) return FlattenedRow(batch, index, body, fields, schema);
        return EnvelopeEvent(batch, index, body, fields, others, schema, auto: format == DebeziumFormat.Auto);
    }

    /// <summary>Marks the kinds recognised as an envelope passed on unflattened.</summary>
    private const MessageKind EnvelopeKind = (MessageKind)(-1);

    private static MessageKind KindBySchemaName(string name) =>
        name.EndsWith(".Envelope", StringComparison.Ordinal) ? EnvelopeKind
        : name.EndsWith("SchemaChangeValue", StringComparison.Ordinal) ? MessageKind.SchemaChange
        : name.EndsWith("TransactionMetadataValue", StringComparison.Ordinal) ? MessageKind.Transaction
        : name.EndsWith(".Heartbeat", StringComparison.Ordinal) ? MessageKind.Heartbeat
        : MessageKind.Row;

    private static MessageKind KindByShape(ReadOnlySpan<JsonSpan> fields, bool others, string topic)
    {
        if (IsHeartbeatTopic(topic)) return MessageKind.Heartbeat;
        if (others) return MessageKind.Row;
        if (fields[Op].Kind == JsonTokenType.String && fields[Source].Kind == JsonTokenType.StartObject) return EnvelopeKind;
        if (fields[TableChanges].Found && fields[Source].Found) return MessageKind.SchemaChange;
        if (fields[Status].Kind == JsonTokenType.String && fields[Id].Found && (fields[EventCount].Found || fields[DataCollections].Found))
            return MessageKind.Transaction;
        return MessageKind.Row;
    }

    // Debezium's default heartbeat topic is __debezium-heartbeat.<topic.prefix> (heartbeat.topics.prefix).
    private static bool IsHeartbeatTopic(string topic) => topic.StartsWith("__debezium-heartbeat", StringComparison.Ordinal);

    private string? EnvelopeEvent(RecordBatch batch, int index, ReadOnlySpan<byte> envelope, ReadOnlySpan<JsonSpan> env,
        bool others, ConnectFieldSchema? envelopeSchema, bool auto)
    {
        var (op, before, after) = (env[Op], env[Before], env[After]);
        char operation;
        if (op.Kind == JsonTokenType.String) operation = JsonObjectScan.SingleChar(envelope, op);
        else if (before.Found || after.Found) operation = after.HasValue ? 'u' : before.HasValue ? 'd' : '\0';
        // Under auto the value may also be a flattened row without markers (an orders table has id and status), so
        // only a value made of Debezium's own fields alone is taken for a schema change or a transaction marker.
        else if ((env[TableChanges].Found || env[Ddl].Found) && !(auto && others)) return Filtered(MessageKind.SchemaChange);
        else if (env[Status].Kind == JsonTokenType.String && env[Id].Found && !(auto && others)) return Filtered(MessageKind.Transaction);
        else if (env[TsMs].Found && !others && OnlyTsMs(env)) return Filtered(MessageKind.Heartbeat);
        // The seed's pipelines (and auto) take what is not an envelope for a flattened row without markers.
        else if (auto) return FlattenedRow(batch, index, envelope, env, envelopeSchema);
        else return "not a Debezium message: no 'op', 'before' or 'after', and not a schema change, transaction or heartbeat (a flattened topic? set format: flattened)";

        var rowSchema = envelopeSchema == null ? null
            : ConnectSchemaParser.FindField(envelopeSchema, "after") ?? ConnectSchemaParser.FindField(envelopeSchema, "before");
        var image = operation == 'd' ? before : after;
        switch (operation)
        {
            case 'c' or 'r' or 'u':
                if (!image.HasValue) return $"a '{operation}' event without an after image";
                return AddRow(batch, index, envelope, image.Of(envelope), rowSchema, env[Source], operation, delete: false);
            case 'd':
                if (!_options.Deletes) return null;
                if (image.HasValue) return AddRow(batch, index, envelope, image.Of(envelope), rowSchema, env[Source], operation, delete: true);
                // No before image (PostgreSQL without REPLICA IDENTITY FULL sends only the key): the Kafka key holds it.
                var key = batch.Key(index);
                if (key.IsEmpty) return "a delete without a before image and without a key";
                return AddRow(batch, index, envelope, KeyImage(key, out var keySchema), keySchema ?? rowSchema, env[Source], operation, delete: true);
            case 't':
                return Truncate(batch, index);
            case 'm':
                return Filtered(MessageKind.LogicalMessage);
            case '\0':
                return Filtered(MessageKind.Tombstone);
            default:
                return $"unknown Debezium operation '{JsonObjectScan.Text(envelope, op)}'";
        }
    }

    private static bool OnlyTsMs(ReadOnlySpan<JsonSpan> env)
    {
        for (var i = 0; i < env.Length; i++)
            if (i != TsMs && env[i].Found) return false;
        return true;
    }

    /// <summary>An ExtractNewRecordState row: the whole object, <c>__deleted</c> (rewrite mode) or <c>__op: d</c> a delete.</summary>
    private string? FlattenedRow(RecordBatch batch, int index, ReadOnlySpan<byte> row, ReadOnlySpan<JsonSpan> fields, ConnectFieldSchema? schema)
    {
        var (flatOp, flatDeleted) = (fields[FlatOp], fields[FlatDeleted]);
        var deleted = flatDeleted.Kind == JsonTokenType.True
            || (flatDeleted.Kind == JsonTokenType.String && flatDeleted.Of(row).SequenceEqual("\"true\""u8));
        var operation = deleted ? 'd' : flatOp.Kind == JsonTokenType.String ? JsonObjectScan.SingleChar(row, flatOp) : 'u';
        switch (operation)
        {
            case 'c' or 'r' or 'u':
                return AddRow(batch, index, row, row, schema, default, operation, delete: false);
            case 'd':
                if (!_options.Deletes) return null;
                return AddRow(batch, index, row, row, schema, default, operation, delete: true);
            case 't':
                return Truncate(batch, index);
            default:
                return $"unknown Debezium operation '{JsonObjectScan.Text(row, flatOp)}' in __op";
        }
    }

    private string? Truncate(RecordBatch batch, int index)
    {
        if (_options.Truncate == TruncatePolicy.Fail)
            throw new RecordErrorException($"record {batch.Where(index)}: a truncate event (transforms: debezium truncate: fail); empty the Doris table by hand, then restart past this offset");
        LogTruncateIgnored(batch.Topic(index), batch.Partition(index), batch.Offset(index));
        return Filtered(MessageKind.Truncate);
    }

    /// <summary>A null value. For flattened topics it is how a delete arrives (ExtractNewRecordState's default
    /// <c>delete.tombstone.handling.mode=tombstone</c>), so under <c>tombstones: delete</c> the key's row is deleted.</summary>
    private string? Tombstone(RecordBatch batch, int index)
    {
        var key = batch.Key(index);
        if (!_deleteTombstones || key.IsEmpty || !_options.Deletes) return Filtered(MessageKind.Tombstone);
        var image = KeyImage(key, out var keySchema);
        return AddRow(batch, index, image, image, keySchema, default, 'd', delete: true, tombstone: true);
    }

    private string? Filtered(MessageKind kind)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        return null;
    }

    // The rule transforms share (docs/errors.md, "Strict JSON"): a field read twice is refused, not guessed at.
    private static string Repeated(int name, string prefix = "") =>
        $"field '{prefix}{Encoding.UTF8.GetString(Names[name])}' appears more than once in the object";
}
