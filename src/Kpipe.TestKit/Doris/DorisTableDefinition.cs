namespace Kpipe.TestKit.Doris;

/// <summary>The data models the emulator supports (Doris also has AGGREGATE KEY, which it does not).</summary>
public enum DorisKeysType
{
    /// <summary>DUPLICATE KEY: every loaded row is appended.</summary>
    Duplicate,

    /// <summary>UNIQUE KEY (merge-on-write): a row replaces the stored row with the same key.</summary>
    Unique,
}

/// <summary>Schema of an emulated Doris table: columns, key model and the optional sequence column.</summary>
public sealed class DorisTableDefinition
{
    /// <summary>Hidden column of Unique Key tables: 1 marks the row as a delete.</summary>
    public const string DeleteSignColumn = "__DORIS_DELETE_SIGN__";

    /// <summary>Hidden column holding the sequence value of tables created with function_column.sequence_type.</summary>
    public const string SequenceHiddenColumn = "__DORIS_SEQUENCE_COL__";

    private readonly Dictionary<string, int> _indexByName = new(StringComparer.OrdinalIgnoreCase);

    public DorisTableDefinition(
        string database,
        string name,
        IEnumerable<DorisColumn> columns,
        DorisKeysType keysType,
        IEnumerable<string> keyColumns,
        string? sequenceColumn = null,
        DorisType? sequenceType = null,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Database = database;
        Name = name;
        KeysType = keysType;
        Properties = properties ?? new Dictionary<string, string>();

        var keys = keyColumns.ToList();
        var cols = columns.ToList();
        if (cols.Count == 0)
            throw new ArgumentException($"Table {name} has no columns", nameof(columns));
        if (keys.Count == 0)
            throw new ArgumentException($"Table {name} has no key columns", nameof(keyColumns));

        for (var i = 0; i < cols.Count; i++)
        {
            if (!_indexByName.TryAdd(cols[i].Name, i))
                throw new ArgumentException($"Duplicate column name '{cols[i].Name}'", nameof(columns));
        }

        // Doris requires the key columns to be the first columns, in the same order
        // (fe: CreateTableStmt / KeysDesc.analyze, "Key columns should be a ordered prefix of the schema.").
        for (var i = 0; i < keys.Count; i++)
        {
            if (i >= cols.Count || !string.Equals(cols[i].Name, keys[i], StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException(
                    $"Key columns should be a ordered prefix of the schema. key: ({string.Join(", ", keys)})", nameof(keyColumns));
            var kind = cols[i].Type.Kind;
            // Doris refuses FLOAT/DOUBLE, STRING and JSON key columns (fe: ColumnDef.analyze).
            if (kind is DorisTypeKind.Float or DorisTypeKind.Double or DorisTypeKind.String or DorisTypeKind.Json)
                throw new ArgumentException($"{cols[i].Type} column can not be used as a key: {cols[i].Name}", nameof(keyColumns));
            cols[i] = cols[i] with { IsKey = true };
        }

        Columns = cols;
        KeyColumns = cols.Take(keys.Count).Select(c => c.Name).ToList();

        if (sequenceColumn is not null || sequenceType is not null)
        {
            // fe: PropertyAnalyzer.analyzeSequenceMapCol / analyzeSequenceType:
            // "sequence column only support UNIQUE_KEYS".
            if (keysType != DorisKeysType.Unique)
                throw new ArgumentException("sequence column only support UNIQUE_KEYS");
            if (sequenceColumn is not null)
            {
                var seq = FindColumn(sequenceColumn)
                    ?? throw new ArgumentException($"The specified sequence column[{sequenceColumn}] not exists");
                sequenceColumn = seq.Name;
                sequenceType = seq.Type;
            }

            if (!IsValidSequenceType(sequenceType!))
                throw new ArgumentException($"sequence type only support integer types and date types, got {sequenceType}");
        }

        SequenceColumn = sequenceColumn;
        SequenceType = sequenceType;
    }

    public string Database { get; }

    public string Name { get; }

    public IReadOnlyList<DorisColumn> Columns { get; }

    public DorisKeysType KeysType { get; }

    public IReadOnlyList<string> KeyColumns { get; }

    /// <summary>The table column named by "function_column.sequence_col", if any.</summary>
    public string? SequenceColumn { get; }

    /// <summary>The sequence type ("function_column.sequence_type", or the type of SequenceColumn); null without a sequence.</summary>
    public DorisType? SequenceType { get; }

    /// <summary>Whether rows with the same key are ordered by a sequence value.</summary>
    public bool HasSequence => SequenceType is not null;

    /// <summary>Whether the sequence lives in the hidden __DORIS_SEQUENCE_COL__ column (sequence_type without sequence_col).</summary>
    public bool HasHiddenSequence => SequenceType is not null && SequenceColumn is null;

    public IReadOnlyDictionary<string, string> Properties { get; }

    public string FullName => $"{Database}.{Name}";

    /// <summary>Parses one CREATE TABLE statement (see DdlParser for the subset understood).</summary>
    public static DorisTableDefinition Parse(string ddl, string? defaultDatabase = null) => DdlParser.ParseCreateTable(ddl, defaultDatabase);

    /// <summary>This table with <paramref name="column"/> appended (ALTER TABLE ... ADD COLUMN).</summary>
    public DorisTableDefinition WithColumn(DorisColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        // fe: SchemaChangeHandler.addColumnInternal, "Can not add column which already exists in base table".
        if (FindColumn(column.Name) is not null)
            throw new ArgumentException($"Can not add column which already exists in base table: {column.Name}");
        return new DorisTableDefinition(Database, Name, [.. Columns.Select(c => c with { IsKey = false }), column], KeysType, KeyColumns,
            SequenceColumn, SequenceColumn is null ? SequenceType : null, Properties);
    }

    /// <summary>This table with the column of <paramref name="column"/>'s name changed to its type and nullability
    /// (ALTER TABLE ... MODIFY COLUMN); the column keeps its place and, being a value column, stays one.</summary>
    public DorisTableDefinition WithModifiedColumn(DorisColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var index = IndexOf(column.Name);
        // fe: SchemaChangeHandler.modifyColumnInternal, "Column[x] does not exists".
        if (index < 0) throw new ArgumentException($"Column[{column.Name}] does not exists");
        var columns = Columns.ToList();
        columns[index] = column with { Name = Columns[index].Name };
        return new DorisTableDefinition(Database, Name, columns.Select(c => c with { IsKey = false }), KeysType, KeyColumns,
            SequenceColumn, SequenceColumn is null ? SequenceType : null, Properties);
    }

    public DorisColumn? FindColumn(string name) => _indexByName.TryGetValue(name, out var i) ? Columns[i] : null;

    public int IndexOf(string name) => _indexByName.TryGetValue(name, out var i) ? i : -1;

    private static bool IsValidSequenceType(DorisType type) =>
        type.IsInteger || type.Kind is DorisTypeKind.Date or DorisTypeKind.DateTime;
}
