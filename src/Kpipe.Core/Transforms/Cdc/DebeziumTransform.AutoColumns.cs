using System.Runtime.CompilerServices;
using System.Text.Json;
using Kpipe.Rows;
using Kpipe.Transforms.Select;

namespace Kpipe.Transforms.Cdc;

// columns: auto. Each (source table, row schema) pair gets a shape and a route once; a field no earlier event of its
// table had becomes a new column of the rows (appended to the schema), so the sink sees it and, under createTable,
// adds it to the Doris table before the rows carrying it load. A field widened at the source (int to long) moves the
// table to a column of the wider type, which the sink widens in Doris the same way.
public sealed partial class DebeziumTransform
{
    private readonly Dictionary<(string Table, ConnectFieldSchema Schema), (TableShape Shape, int Route)> _autoShapes = new(AutoKeyComparer.Instance);
    // Per source table: its field names and their columns. A column is shared by the tables whose field has the same
    // name and type (they write the same JSON key), so many tables do not each add their own.
    private readonly Dictionary<string, Dictionary<string, int>> _autoTableColumns = [];
    private readonly Dictionary<(string Name, ColumnType Type), int> _autoColumns = [];
    private (string Table, ConnectFieldSchema Schema, TableShape Shape, int Route)? _lastAuto;
    // Tombstones with schemaless keys, per table and key columns.
    private readonly Dictionary<(string Table, string Keys), (TableShape Shape, int Route)> _autoKeyShapes = [];

    /// <summary>The shape and route of a row of <paramref name="table"/> whose image has <paramref name="rowSchema"/>;
    /// null, or why the row cannot be taken (a column whose type changed in a way its column cannot hold).</summary>
    private string? AutoShape(string table, ConnectFieldSchema rowSchema, ReadOnlySpan<byte> key, out TableShape? shape, out int route)
    {
        if (_lastAuto is { } last && ReferenceEquals(last.Schema, rowSchema) && last.Table == table)
        {
            (shape, route) = (last.Shape, last.Route);
            return null;
        }
        if (!_autoShapes.TryGetValue((table, rowSchema), out var found))
        {
            var error = NewAutoShape(table, rowSchema, key, out found);
            if (error != null)
            {
                (shape, route) = (null, -1);
                return error;
            }
            _autoShapes[(table, rowSchema)] = found;
        }
        _lastAuto = (table, rowSchema, found.Shape, found.Route);
        (shape, route) = found;
        return null;
    }

    private string? NewAutoShape(string table, ConnectFieldSchema rowSchema, ReadOnlySpan<byte> key, out (TableShape Shape, int Route) found)
    {
        found = default;
        if (rowSchema.Type != "struct") return $"columns: auto needs a struct schema for the row, not {rowSchema.Type}";
        if (!_autoTableColumns.TryGetValue(table, out var known)) _autoTableColumns[table] = known = [];
        var columns = new List<int>(rowSchema.Fields.Count);
        foreach (var field in rowSchema.Fields)
        {
            // ExtractNewRecordState's added fields (__op, __deleted, __lsn, __source_ts_ms...) describe the change, not the
            // table: they are read as markers or sequence positions, never made columns.
            if (field.Field.StartsWith("__", StringComparison.Ordinal)) continue;
            var type = ConnectTypeMap.Of(field);
            if (known.TryGetValue(field.Field, out var c))
            {
                var existing = Schema.Types[c];
                // A type that the column cannot hold would lose or bend values; Doris cannot narrow a column either.
                if (!ConnectTypeMap.Holds(existing, type) && !(_options.WidenColumns && ConnectTypeMap.Widens(existing, type)))
                    return $"column '{field.Field}' of source table '{table}' changed type at the source, from {existing} to {type}; "
                        + (ConnectTypeMap.Widens(existing, type) ? "kpipe widens a column only for a Doris sink with createTable: true" : "kpipe widens a column only from int to long or double")
                        + ": alter the Doris column (and restart), or route the rows elsewhere";
                if (!ConnectTypeMap.Holds(existing, type))
                {
                    // Widened: the table's rows from now on use the wider column (the sink widens the Doris column before
                    // they load); rows of the older schema keep their route, and their values fit the wider column.
                    if (!_autoColumns.TryGetValue((field.Field, type), out c)) _autoColumns[(field.Field, type)] = c = AddAutoColumn(field.Field, type);
                    known[field.Field] = c;
                }
            }
            else
            {
                if (!_autoColumns.TryGetValue((field.Field, type), out c)) _autoColumns[(field.Field, type)] = c = AddAutoColumn(field.Field, type);
                known[field.Field] = c;
            }
            columns.Add(c);
        }
        var tree = new FieldTree();
        foreach (var c in columns) tree.Add([_columns[c].Name]).Columns.Add(c);
        var shape = new TableShape(tree, [.. columns]);
        _routes.Add(new RowRoute(table, [.. columns], Keys: KeyColumns(key, known)));
        found = (shape, _routes.Count - 1);
        return null;
    }

    /// <summary>The shape and route of a tombstone whose key has no schema (the key converter without schemas): the key's
    /// fields are the table's key columns, typed as the table's earlier events with schemas typed them; a table no such
    /// event came from in this run cannot be typed, and the tombstone is a record error rather than a delete guessed.</summary>
    private string? AutoKeyShape(string table, ReadOnlySpan<byte> key, out TableShape? shape, out int route)
    {
        (shape, route) = (null, -1);
        if (!_autoTableColumns.TryGetValue(table, out var known))
            return $"a tombstone of source table '{table}' has a key without a schema, and no event of the table with a schema came before it in this run, so its key columns are not known (give the key converter schemas.enable=true, or send deletes as rows: ExtractNewRecordState delete.tombstone.handling.mode=rewrite)";
        if (KeyColumns(key, known) is not { } keys)
            return $"the tombstone's key names fields that are not columns of source table '{table}'";
        if (!_autoKeyShapes.TryGetValue((table, string.Join(',', keys)), out var found))
        {
            var tree = new FieldTree();
            foreach (var c in keys) tree.Add([_columns[c].Name]).Columns.Add(c);
            _routes.Add(new RowRoute(table, [.. keys], Keys: keys));
            _autoKeyShapes[(table, string.Join(',', keys))] = found = (new TableShape(tree, keys), _routes.Count - 1);
        }
        (shape, route) = found;
        return null;
    }

    /// <summary>The columns of the Kafka key's fields (Debezium keys a table's events by its primary key): from the key's
    /// schema, or the names of a schemaless key object. Null when there is no key or a field is not a column.</summary>
    private int[]? KeyColumns(ReadOnlySpan<byte> key, Dictionary<string, int> columns)
    {
        if (key.IsEmpty) return null;
        var image = KeyImage(key, out var keySchema);
        var names = new List<string>();
        if (keySchema is { Type: "struct" })
        {
            names.AddRange(keySchema.Fields.Select(f => f.Field));
        }
        else
        {
            var reader = new Utf8JsonReader(image);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                names.Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
            }
        }
        var keys = new int[names.Count];
        for (var i = 0; i < names.Count; i++)
            if (!columns.TryGetValue(names[i], out keys[i])) return null;
        return keys.Length > 0 ? keys : null;
    }

    /// <summary>Appends a column to the rows and to every per-column array (indexes stay those of the schema).</summary>
    private int AddAutoColumn(string name, ColumnType type)
    {
        var c = _rows.AddColumn(name, type);
        _columns = [.. _columns, new ColumnOptions { Name = name, Type = type.ToString() }];
        _conversions = [.. _conversions, new ConversionOptions { ZonelessTimeZone = _zone }];
        _hints = [.. _hints, null];
        Array.Resize(ref _seen, _columns.Length);
        Array.Resize(ref _missing, _columns.Length);
        // Field schemas were worked out per row schema for the old column count.
        _fieldSchemas.Clear();
        return c;
    }

    /// <summary>Source table by value, row schema by reference (the schema cache returns one object per distinct schema).</summary>
    private sealed class AutoKeyComparer : IEqualityComparer<(string Table, ConnectFieldSchema Schema)>
    {
        public static readonly AutoKeyComparer Instance = new();

        public bool Equals((string Table, ConnectFieldSchema Schema) x, (string Table, ConnectFieldSchema Schema) y) =>
            ReferenceEquals(x.Schema, y.Schema) && x.Table == y.Table;

        public int GetHashCode((string Table, ConnectFieldSchema Schema) obj) =>
            HashCode.Combine(obj.Table, RuntimeHelpers.GetHashCode(obj.Schema));
    }
}
