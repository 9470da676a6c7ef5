using System.Text;
using System.Text.Json;
using Kpipe.Engine;
using Kpipe.Json;
using Kpipe.Rows;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// Turns Debezium change events into upsert and delete rows for a Doris Unique Key table: the envelope (with or
/// without the JSON converter's schema), the seed's form, and ExtractNewRecordState's flattened rows, as the
/// <c>format</c> option says (docs/cdc.md). Messages that are no row change (tombstones, truncates, logical
/// messages, schema changes, transaction markers, heartbeats) give no row and no error, and are counted by kind;
/// under <c>tombstones: delete</c> a tombstone deletes the row its key names. How each kind is recognised is in
/// DebeziumTransform.Messages.cs.
/// </summary>
public sealed partial class DebeziumTransform : ITransform, IDisposable
{
    // The top-level names the decoder looks at, in the order of the index constants below.
    private static readonly byte[][] Names = [.. new[]
    {
        "schema", "payload", "op", "before", "after", "source", "ts_ms", "__op", "__deleted", "message", "tableChanges",
        "ddl", "databaseName", "schemaName", "status", "id", "event_count", "data_collections", "transaction", "ts_us", "ts_ns",
    }.Select(Encoding.UTF8.GetBytes)];
    private const int WrapperSchema = 0, Payload = 1, Op = 2, Before = 3, After = 4, Source = 5, TsMs = 6, FlatOp = 7, FlatDeleted = 8,
        TableChanges = 10, Ddl = 11, Status = 14, Id = 15, EventCount = 16, DataCollections = 17;
    private static readonly byte[][] TableName = [Encoding.UTF8.GetBytes("table")];
    private static readonly byte[][] BinlogNames = [.. new[] { "file", "pos" }.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] KeyNames = [.. new[] { "schema", "payload" }.Select(Encoding.UTF8.GetBytes)];

    private readonly DebeziumOptions _options;
    // Grow under columns: auto (DebeziumTransform.AutoColumns.cs); otherwise fixed at construction.
    private ColumnOptions[] _columns;
    private ConversionOptions[] _conversions;
    private readonly TimeZoneInfo _zone;
    private readonly TableShape? _defaultShape;
    private readonly Dictionary<string, TableShape> _tableShapes;
    private readonly List<RowRoute> _routes = [];
    private readonly Dictionary<string, int> _routeIndex = [];
    private byte[] _lastTableJson = [];
    private string _lastTable = "";
    private string? _lastTopic;
    private string _lastTopicTable = "";
    private readonly RowBatch _rows;
    private readonly RowBatch _defaults;
    private bool[] _seen;
    private readonly byte[][]? _sequencePath;
    private readonly bool _binlogSequence;
    private readonly bool _deleteTombstones;
    private readonly long[] _counts = new long[Enum.GetValues<MessageKind>().Length];
    private ConnectFieldSchema?[] _hints;
    // Debezium's placeholder for a value it could not read (an unchanged TOASTed column), as text and as base64 (the
    // form it takes in a bytes column); such a column is left out of the row, which becomes a partial update.
    private readonly byte[]? _unavailable;
    private readonly byte[]? _unavailableBase64;
    private bool[] _missing;
    private bool _anyMissing;
    private readonly List<int> _missingList = [];
    private readonly List<(string Table, TableShape Shape, int[] Missing, int Route)> _partialRoutes = [];
    private readonly SchemaCache _schemas = new();
    private readonly Dictionary<ConnectFieldSchema, ConnectFieldSchema?[]> _fieldSchemas = new(ReferenceEqualityComparer.Instance);
    private readonly CellConverter _convert;
    private readonly Func<int, string> _pathOf;
    // The row being filled and its field schemas, for the walker's conversions.
    private int _row;
    private ConnectFieldSchema?[]? _rowFieldSchemas;
    private readonly ILogger _logger;

    public DebeziumTransform(DebeziumOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        // One schema for every table: the union of the declared columns (same name, same declaration).
        _columns = [.. options.Columns.Concat(options.Tables.Values.SelectMany(t => t)).DistinctBy(c => c.Name)];
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        _conversions = [.. _columns.Select(c => new ConversionOptions { ZonelessTimeZone = _zone, EpochUnit = c.Unit })];
        var rowSchema = new RowSchema([.. _columns.Select(c => (c.Name, c.ParsedType))]);
        _binlogSequence = options.Sequence == "binlog";
        _sequencePath = options.Sequence is null or "binlog" ? null : [.. options.Sequence.Split('.').Select(Encoding.UTF8.GetBytes)];
        _deleteTombstones = options.TombstonesDelete;
        if (!string.IsNullOrEmpty(options.UnavailableValue))
        {
            _unavailable = Encoding.UTF8.GetBytes(options.UnavailableValue);
            _unavailableBase64 = Encoding.UTF8.GetBytes(Convert.ToBase64String(_unavailable));
        }
        _missing = new bool[_columns.Length];
        _hints = [.. _columns.Select(c => c.Semantic != null && SemanticHint.TryParse(c.Semantic, out var hint, out _) ? hint : null)];
        _rows = new RowBatch(rowSchema);
        // The operation and the sequence travel with each row, not as columns: each sink writes them its own way
        // (the Doris sink as its delete sign and sequence column; see RowMetadata).
        _rows.CarryChanges(options.Sequence != null ? options.SequenceColumn : null,
            options.SequenceType == SequenceType.Largeint ? ColumnType.String : ColumnType.Long);
        _defaults = SelectTransform.BuildDefaults(rowSchema, _columns, _conversions);
        _seen = new bool[_columns.Length];
        _convert = ConvertCell;
        _pathOf = c => _columns[c].Path ?? _columns[c].Name;
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

    /// <summary>The route of a source table's rows, made on first sight: its columns.</summary>
    private int RouteOf(string table, TableShape shape)
    {
        if (_routeIndex.TryGetValue(table, out var index)) return index;
        _routes.Add(new RowRoute(table, [.. shape.Columns]));
        return _routeIndex[table] = _routes.Count - 1;
    }

    /// <summary>The rows' columns; under <c>columns: auto</c> it grows as events bring new columns.</summary>
    public RowSchema Schema => _rows.Schema;

    /// <summary>Tombstones that gave no row (null values after deletes, or any under <c>tombstones: ignore</c>).</summary>
    public long Tombstones => Count(MessageKind.Tombstone);

    /// <summary>Messages of a kind that gave no row (every kind but <see cref="MessageKind.Row"/>); 0 for rows.</summary>
    public long Count(MessageKind kind) => Interlocked.Read(ref _counts[(int)kind]);

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

    private ReadOnlySpan<byte> KeyImage(ReadOnlySpan<byte> key, out ConnectFieldSchema? schema)
    {
        schema = null;
        Span<JsonSpan> spans = stackalloc JsonSpan[KeyNames.Length];
        if (!JsonObjectScan.Scan(key, KeyNames, spans) || spans[1].Kind != JsonTokenType.StartObject) return key;
        if (spans[0].Kind == JsonTokenType.StartObject) schema = _schemas.Get(spans[0].Of(key));
        return spans[1].Of(key);
    }

    private string? AddRow(RecordBatch batch, int index, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> image, ConnectFieldSchema? rowSchema,
        JsonSpan source, char operation, bool delete, bool tombstone = false)
    {
        var shape = _defaultShape;
        var route = -1;
        if (_options.AutoColumns)
        {
            var table = SourceTable(envelope, source, batch.Topic(index));
            // A tombstone's key without a schema names the row by fields whose columns earlier events of the table gave.
            var failure = rowSchema == null && tombstone ? AutoKeyShape(table, batch.Key(index), out shape, out route)
                : rowSchema == null ? "columns: auto reads the columns from the event's schema, and this event has none (Kafka Connect's JSON converter with schemas.enable=true)"
                : AutoShape(table, rowSchema, batch.Key(index), out shape, out route);
            if (failure != null) return failure;
        }
        else if (_tableShapes.Count > 0)
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
        if (_anyMissing)
        {
            Array.Clear(_missing);
            _anyMissing = false;
        }
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
        _rows.SetOperation(row, delete ? RowOperation.Delete : RowMetadata.OfDebezium(operation));
        // A delete needs only the key, so a placeholder in its before image changes nothing.
        if (_anyMissing && !delete) _rows.SetRoute(row, PartialRoute(SourceTable(envelope, source, batch.Topic(index)), shape, route >= 0 ? _routes[route].Keys : null));
        if (_rows.Sequence is { } sequenceColumn)
        {
            if (!TrySequence(envelope, image, source, out var sequence))
            {
                // SQL Server's snapshot reads carry no change_lsn; they precede every streamed change, so they sort first.
                if (operation != 'r') return $"no sequence value at '{_options.Sequence}' in the event";
                sequence = 0;
            }
            if (sequenceColumn.Type.Kind == ColumnKind.Long)
            {
                if (sequence > long.MaxValue || sequence < long.MinValue)
                    return $"the sequence value {sequence} at '{_options.Sequence}' does not fit a BIGINT; set sequenceType: largeint (and make the Doris column LARGEINT)";
                sequenceColumn.SetLong(row, (long)sequence);
            }
            else
            {
                // LARGEINT as decimal text: a JSON string of digits loads into any Doris integer column.
                Span<byte> digits = stackalloc byte[40];
                sequence.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                sequenceColumn.SetBytes(row, digits[..written]);
            }
        }
        return null;
    }

    /// <summary>The route of rows of <paramref name="table"/> that lack the columns marked in <c>_missing</c>: only
    /// the present columns, as a partial column update. Made on first sight of each set of missing columns, so
    /// rows with different missing columns go to different loads.</summary>
    private int PartialRoute(string table, TableShape shape, int[]? keys)
    {
        _missingList.Clear();
        foreach (var c in shape.Columns)
            if (_missing[c]) _missingList.Add(c);
        foreach (var (t, s, missing, route) in _partialRoutes)
            if (t == table && ReferenceEquals(s, shape) && missing.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_missingList))) return route;
        _routes.Add(new RowRoute(table, [.. shape.Columns.Where(c => !_missing[c])], Partial: true, keys));
        _partialRoutes.Add((table, shape, [.. _missingList], _routes.Count - 1));
        return _routes.Count - 1;
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
        if (_unavailable != null && reader.TokenType == JsonTokenType.String
            && (reader.ValueTextEquals(_unavailable) || reader.ValueTextEquals(_unavailableBase64)))
        {
            _missing[c] = _anyMissing = true;
            error = null;
            return true;
        }
        var column = _rows.Columns[c];
        // The message's schema wins; a column's semantic hint stands in for it when the message has none.
        var fieldSchema = _rowFieldSchemas?[c] ?? _hints[c];
        // Scalars and named structs (VariableScaleDecimal) decode by their schema; plain nested structs are walked.
        return fieldSchema != null && (fieldSchema.Type != "struct" || fieldSchema.Name != null)
            ? DebeziumValueDecoder.TryWrite(image, ref reader, fieldSchema, column, _row, _zone, out error)
            : ValueConverter.TryWrite(image, ref reader, column, _row, _conversions[c], out error);
    }

    /// <summary>The event's position: <c>binlog</c> from MySQL's source block, else the path in the envelope,
    /// else in the row image (a flattened row's <c>__lsn</c>, or a column).</summary>
    private bool TrySequence(ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> image, JsonSpan source, out Int128 sequence)
    {
        sequence = 0;
        if (_binlogSequence)
        {
            if (!source.HasValue) return false;
            var sourceJson = source.Of(envelope);
            Span<JsonSpan> binlog = stackalloc JsonSpan[BinlogNames.Length];
            JsonObjectScan.Scan(sourceJson, BinlogNames, binlog);
            return SourcePosition.TryReadBinlog(sourceJson, binlog[0], binlog[1], out sequence);
        }
        if (JsonObjectScan.TryFind(envelope, _sequencePath, out var found) && found.HasValue)
            return SourcePosition.TryRead(envelope, found, out sequence);
        return JsonObjectScan.TryFind(image, _sequencePath, out found) && SourcePosition.TryRead(image, found, out sequence);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _defaults.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Ignored a Debezium truncate event at {Topic}[{Partition}]@{Offset} (truncate: ignore); the Doris table keeps its rows")]
    private partial void LogTruncateIgnored(string topic, int partition, long offset);
}
