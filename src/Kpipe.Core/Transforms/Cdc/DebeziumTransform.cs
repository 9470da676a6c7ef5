using System.Text;
using System.Text.Json;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Turns Debezium change events into upsert and delete rows for a Doris Unique Key table. Recognises the JSON
/// converter's envelope with schemas (<c>{"schema":..., "payload":{before, after, source, op, ts_ms}}</c>),
/// without schemas (the envelope at the top level), the seed's form (a payload with only before/after), and
/// ExtractNewRecordState's flattened rows (<c>__op</c>, <c>__deleted</c>). Tombstones (null values that
/// follow deletes for log compaction) give no row and are counted as filtered, never as errors.
/// </summary>
public sealed partial class DebeziumTransform : ITransform, IDisposable
{
    private static readonly byte[][] RootNames = [.. new[] { "schema", "payload", "op", "before", "after", "source", "ts_ms", "__op", "__deleted" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] EnvelopeNames = [.. new[] { "op", "before", "after", "source", "ts_ms", "__op", "__deleted" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] TableName = [Encoding.UTF8.GetBytes("table")];
    private static readonly byte[][] BinlogNames = [.. new[] { "file", "pos" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] KeyNames = [.. new[] { "schema", "payload" }.Select(Encoding.UTF8.GetBytes)];

    private readonly DebeziumOptions _options;
    private readonly ColumnOptions[] _columns;
    private readonly ConversionOptions[] _conversions;
    private readonly TimeZoneInfo _zone;
    private readonly TableShape? _defaultShape;
    private readonly Dictionary<string, TableShape> _tableShapes;
    private readonly List<RowRoute> _routes = [];
    private readonly Dictionary<string, int> _routeIndex = [];
    private readonly int[] _extraColumns;
    private byte[] _lastTableJson = [];
    private string _lastTable = "";
    private string? _lastTopic;
    private string _lastTopicTable = "";
    private readonly RowBatch _rows;
    private readonly RowBatch _defaults;
    private readonly bool[] _seen;
    private readonly int _sequenceColumn;
    private readonly int _deleteColumn;
    private readonly string[]? _sequencePath;
    private readonly SchemaCache _schemas = new();
    private readonly Dictionary<ConnectFieldSchema, ConnectFieldSchema?[]> _fieldSchemas = new(ReferenceEqualityComparer.Instance);
    private readonly byte[]? _sequenceField;
    private readonly CellConverter _convert;
    private readonly Func<int, string> _pathOf;
    // The row being filled and its field schemas, for the walker's conversions.
    private int _row;
    private ConnectFieldSchema?[]? _rowFieldSchemas;
    private readonly ILogger _logger;
    private long _tombstones;

    public DebeziumTransform(DebeziumOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        // One schema for every table: the union of the declared columns (same name, same declaration).
        _columns = [.. options.Columns.Concat(options.Tables.Values.SelectMany(t => t)).DistinctBy(c => c.Name)];
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        _conversions = [.. _columns.Select(c => new ConversionOptions { ZonelessTimeZone = _zone, EpochUnit = c.Unit })];
        var schema = _columns.Select(c => (c.Name, c.ParsedType)).ToList();
        if (options.Sequence != null) schema.Add((options.SequenceColumn, ColumnType.Long));
        schema.Add((DebeziumOptions.DeleteSignColumn, ColumnType.Int));
        Schema = new RowSchema(schema);
        _sequenceColumn = options.Sequence != null ? Schema.IndexOf(options.SequenceColumn) : -1;
        _deleteColumn = Schema.IndexOf(DebeziumOptions.DeleteSignColumn);
        _sequencePath = options.Sequence is null or "binlog" ? null : options.Sequence.Split('.');
        if (_sequencePath is ["source", var field]) _sequenceField = Encoding.UTF8.GetBytes(field);
        _rows = new RowBatch(Schema);
        _defaults = SelectTransform.BuildDefaults(Schema, _columns, _conversions);
        _seen = new bool[_columns.Length];
        _convert = ConvertCell;
        _pathOf = c => _columns[c].Path ?? _columns[c].Name;
        _extraColumns = _sequenceColumn >= 0 ? [_sequenceColumn, _deleteColumn] : [_deleteColumn];
        _defaultShape = options.Columns.Count > 0 ? Shape(options.Columns) : null;
        _tableShapes = options.Tables.ToDictionary(t => t.Key, t => Shape(t.Value));
        _rows.Routes = _routes;
    }

    /// <summary>A table's columns: the field tree that reads them, and their indexes in the union schema.</summary>
    private sealed record TableShape(FieldTree Tree, int[] Columns);

    private TableShape Shape(List<ColumnOptions> declared)
    {
        var tree = new FieldTree();
        var indexes = declared.Select(c => Array.FindIndex(_columns, u => u.Name == c.Name)).ToArray();
        foreach (var c in indexes)
        {
            if (_columns[c].Meta == MetadataField.None) tree.Add((_columns[c].Path ?? _columns[c].Name).Split('.')).Columns.Add(c);
        }
        return new TableShape(tree, indexes);
    }

    /// <summary>The route of a source table's rows, made on first sight: its columns plus sequence and delete sign.</summary>
    private int RouteOf(string table, TableShape shape)
    {
        if (_routeIndex.TryGetValue(table, out var index)) return index;
        _routes.Add(new RowRoute(table, [.. shape.Columns, .. _extraColumns]));
        return _routeIndex[table] = _routes.Count - 1;
    }

    public RowSchema Schema { get; }

    /// <summary>Tombstones seen (null values after deletes); they give no row.</summary>
    public long Tombstones => Interlocked.Read(ref _tombstones);

    public void Apply(RecordBatch batch, RecordErrorHandler errors)
    {
        _rows.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsDropped(i)) continue;
            var firstRow = _rows.Count;
            string? error;
            try
            {
                error = Decode(batch, i);
            }
            catch (JsonException e)
            {
                error = $"the value is not valid JSON: {e.Message}";
            }
            catch (FormatException e)
            {
                error = $"the message's schema cannot be read: {e.Message}";
            }
            if (error == null) continue;
            _rows.Truncate(firstRow);
            errors.Report(batch, i, error);
        }
        batch.Rows = _rows;
    }

    private string? Decode(RecordBatch batch, int index)
    {
        var value = batch.Value(index);
        if (value.IsEmpty || value.Trim(" \t\r\n"u8).SequenceEqual("null"u8))
        {
            Interlocked.Increment(ref _tombstones);
            return null;
        }
        Span<JsonSpan> root = stackalloc JsonSpan[RootNames.Length];
        if (!JsonObjectScan.Scan(value, RootNames, root)) return "the value is not a JSON object";
        var schemaSpan = root[0];
        var payload = root[1];
        ReadOnlySpan<byte> envelope;
        Span<JsonSpan> env = stackalloc JsonSpan[EnvelopeNames.Length];
        if (payload.Kind == JsonTokenType.StartObject)
        {
            envelope = payload.Of(value);
            JsonObjectScan.Scan(envelope, EnvelopeNames, env);
        }
        else if (payload.Found && payload.Kind == JsonTokenType.Null)
        {
            Interlocked.Increment(ref _tombstones);
            return null;
        }
        else
        {
            envelope = value;
            root[2..].CopyTo(env);
        }
        var (op, before, after, source, tsMs, flatOp, flatDeleted) = (env[0], env[1], env[2], env[3], env[4], env[5], env[6]);
        var isEnvelope = op.Found || before.Found || after.Found;

        ConnectFieldSchema? rowSchema = null;
        if (schemaSpan.Kind == JsonTokenType.StartObject)
        {
            var envelopeSchema = _schemas.Get(schemaSpan.Of(value));
            rowSchema = isEnvelope
                ? ConnectSchemaParser.FindField(envelopeSchema, "after") ?? ConnectSchemaParser.FindField(envelopeSchema, "before")
                : envelopeSchema;
        }

        char operation;
        JsonSpan image;
        if (isEnvelope)
        {
            operation = op.Kind == JsonTokenType.String
                ? JsonObjectScan.SingleChar(envelope, op)
                : after.HasValue ? 'u' : before.HasValue ? 'd' : '\0';
            image = operation == 'd' ? before : after;
        }
        else
        {
            var deleted = flatDeleted.Kind == JsonTokenType.True
                || (flatDeleted.Kind == JsonTokenType.String && flatDeleted.Of(envelope).SequenceEqual("\"true\""u8));
            operation = deleted ? 'd' : flatOp.Kind == JsonTokenType.String ? JsonObjectScan.SingleChar(envelope, flatOp) : 'u';
            image = new JsonSpan(0, envelope.Length, JsonTokenType.StartObject);
        }

        switch (operation)
        {
            case 'c' or 'r' or 'u':
                if (!image.HasValue) return $"a '{operation}' event without an after image";
                return AddRow(batch, index, envelope, image.Of(envelope), rowSchema, source, tsMs, delete: false);
            case 'd':
                if (!_options.Deletes) return null;
                if (image.HasValue) return AddRow(batch, index, envelope, image.Of(envelope), rowSchema, source, tsMs, delete: true);
                // No before image (PostgreSQL without REPLICA IDENTITY FULL sends only the key): the Kafka key holds it.
                var key = batch.Key(index);
                if (key.IsEmpty) return "a delete without a before image and without a key";
                return AddRow(batch, index, envelope, KeyImage(key, out var keySchema), keySchema ?? rowSchema, source, tsMs, delete: true);
            case 't':
                if (_options.Truncate == TruncatePolicy.Fail)
                    throw new RecordErrorException($"record {batch.Where(index)}: a truncate event (transforms: debezium truncate: fail); empty the Doris table by hand, then restart past this offset");
                LogTruncateIgnored(batch.Topic(index), batch.Partition(index), batch.Offset(index));
                return null;
            case '\0':
                Interlocked.Increment(ref _tombstones);
                return null;
            default:
                return $"unknown Debezium operation '{JsonObjectScan.Text(envelope, isEnvelope ? op : flatOp)}'";
        }
    }

    private ReadOnlySpan<byte> KeyImage(ReadOnlySpan<byte> key, out ConnectFieldSchema? schema)
    {
        schema = null;
        Span<JsonSpan> spans = stackalloc JsonSpan[KeyNames.Length];
        if (!JsonObjectScan.Scan(key, KeyNames, spans) || spans[1].Kind != JsonTokenType.StartObject) return key;
        if (spans[0].Kind == JsonTokenType.StartObject) schema = _schemas.Get(spans[0].Of(key));
        return spans[1].Of(key);
    }

    private string? AddRow(RecordBatch batch, int index, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> image, ConnectFieldSchema? rowSchema,
        JsonSpan source, JsonSpan tsMs, bool delete)
    {
        var shape = _defaultShape;
        var route = -1;
        if (_tableShapes.Count > 0)
        {
            var table = SourceTable(envelope, source, batch.Topic(index));
            if (!_tableShapes.TryGetValue(table, out var listed) && shape == null)
                return $"no columns are declared for source table '{table}' (add it under 'tables', or declare default 'columns')";
            shape = listed ?? shape;
            route = RouteOf(table, shape!);
        }
        var row = _rows.AddRow(index);
        if (route >= 0) _rows.SetRoute(row, route);
        Array.Clear(_seen);
        var reader = new Utf8JsonReader(image);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "the row image is not a JSON object";
        _row = row;
        _rowFieldSchemas = rowSchema == null ? null : FieldSchemas(rowSchema);
        var error = shape!.Tree.Walk(image, ref reader, _convert, _seen, _pathOf, null, out _, out _);
        if (error != null) return error;
        foreach (var c in shape.Columns)
        {
            var column = _columns[c];
            if (column.Meta != MetadataField.None)
            {
                MetadataColumns.Set(batch, index, _rows.Columns[c], row, column.Meta);
                continue;
            }
            if (_seen[c]) continue;
            if (column.Default != null) _rows.Columns[c].CopyFrom(_defaults.Columns[c], 0, row);
            // A delete needs only the key: the other columns of a key-only image are legitimately absent.
            else if (column.Required && !delete) return $"required field '{column.Path ?? column.Name}' is missing or null";
        }
        _rows.Columns[_deleteColumn].SetLong(row, delete ? 1 : 0);
        if (_sequenceColumn >= 0)
        {
            if (!TrySequence(envelope, source, tsMs, out var sequence))
                return $"no sequence value at '{_options.Sequence}' in the event";
            _rows.Columns[_sequenceColumn].SetLong(row, sequence);
        }
        return null;
    }

    /// <summary>The source table of an event: Debezium's <c>source.table</c>, else the topic's last part
    /// (<c>dbserver1.inventory.orders</c> gives <c>orders</c>), as flattened events carry no source.</summary>
    private string SourceTable(ReadOnlySpan<byte> envelope, JsonSpan source, string topic)
    {
        if (source.HasValue)
        {
            var sourceJson = source.Of(envelope);
            Span<JsonSpan> table = stackalloc JsonSpan[1];
            JsonObjectScan.Scan(sourceJson, TableName, table);
            if (table[0].Kind == JsonTokenType.String)
            {
                // Consecutive events mostly share a table: reuse its name rather than decode a string per event.
                var raw = table[0].Of(sourceJson);
                if (!raw.SequenceEqual(_lastTableJson))
                {
                    _lastTableJson = raw.ToArray();
                    _lastTable = JsonObjectScan.Text(sourceJson, table[0])!;
                }
                if (_lastTable.Length > 0) return _lastTable;
            }
        }
        if (!ReferenceEquals(topic, _lastTopic))
        {
            _lastTopic = topic;
            _lastTopicTable = topic[(topic.LastIndexOf('.') + 1)..];
        }
        return _lastTopicTable;
    }

    /// <summary>Each column's field schema in a row schema (null for nested paths), worked out once per schema.</summary>
    private ConnectFieldSchema?[] FieldSchemas(ConnectFieldSchema rowSchema)
    {
        if (_fieldSchemas.TryGetValue(rowSchema, out var found)) return found;
        if (_fieldSchemas.Count >= 256) _fieldSchemas.Clear();
        found = _columns.Select(c => (c.Path ?? c.Name) is var path && !path.Contains('.') ? ConnectSchemaParser.FindField(rowSchema, path) : null).ToArray();
        _fieldSchemas[rowSchema] = found;
        return found;
    }

    private bool ConvertCell(ReadOnlySpan<byte> image, ref Utf8JsonReader reader, int c, out string? error)
    {
        var column = _rows.Columns[c];
        var fieldSchema = _rowFieldSchemas?[c];
        // Scalars and named structs (VariableScaleDecimal) decode by their schema; plain nested structs are walked.
        return fieldSchema != null && (fieldSchema.Type != "struct" || fieldSchema.Name != null)
            ? DebeziumValueDecoder.TryWrite(image, ref reader, fieldSchema, column, _row, _zone, out error)
            : ValueConverter.TryWrite(image, ref reader, column, _row, _conversions[c], out error);
    }

    private bool TrySequence(ReadOnlySpan<byte> envelope, JsonSpan source, JsonSpan tsMs, out long sequence)
    {
        sequence = 0;
        if (_options.Sequence == "ts_ms") return JsonObjectScan.TryLong(envelope, tsMs, out sequence);
        if (!source.HasValue) return false;
        var sourceJson = source.Of(envelope);
        if (_options.Sequence == "binlog")
        {
            // MySQL: the binlog file's number then the position in it orders every change of the server.
            Span<JsonSpan> binlog = stackalloc JsonSpan[BinlogNames.Length];
            JsonObjectScan.Scan(sourceJson, BinlogNames, binlog);
            var file = JsonObjectScan.Text(sourceJson, binlog[0]);
            var dot = file?.LastIndexOf('.') ?? -1;
            if (dot < 0 || !long.TryParse(file.AsSpan(dot + 1), out var fileNumber)) return false;
            if (!JsonObjectScan.TryLong(sourceJson, binlog[1], out var pos)) return false;
            sequence = (fileNumber << 32) + pos;
            return true;
        }
        if (_sequenceField == null) return false;
        Span<JsonSpan> one = stackalloc JsonSpan[1];
        JsonObjectScan.Scan(sourceJson, [_sequenceField], one);
        return JsonObjectScan.TryLong(sourceJson, one[0], out sequence);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _defaults.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Ignored a Debezium truncate event at {Topic}[{Partition}]@{Offset} (truncate: ignore); the Doris table keeps its rows")]
    private partial void LogTruncateIgnored(string topic, int partition, long offset);
}
