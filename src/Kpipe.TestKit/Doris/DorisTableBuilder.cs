namespace Kpipe.TestKit.Doris;

/// <summary>
/// Declares an emulated table in code, as an alternative to DDL:
/// <code>
/// var orders = new DorisTableBuilder("shop", "orders")
///     .Column("id", "VARCHAR(32)", nullable: false)
///     .Column("amount", "DECIMAL(10, 2)")
///     .Column("updated_at", "DATETIME(6)")
///     .UniqueKey("id")
///     .SequenceColumn("updated_at")
///     .Build();
/// </code>
/// </summary>
public sealed class DorisTableBuilder(string database, string table)
{
    private readonly List<DorisColumn> _columns = [];
    private readonly Dictionary<string, string> _properties = new(StringComparer.OrdinalIgnoreCase);
    private DorisKeysType _keysType = DorisKeysType.Duplicate;
    private List<string>? _keys;
    private string? _sequenceColumn;
    private DorisType? _sequenceType;

    public DorisTableBuilder Column(string name, string type, bool nullable = true, string? defaultValue = null) =>
        Column(name, DorisType.Parse(type), nullable, defaultValue);

    public DorisTableBuilder Column(string name, DorisType type, bool nullable = true, string? defaultValue = null)
    {
        _columns.Add(new DorisColumn(name, type, nullable, defaultValue));
        return this;
    }

    /// <summary>UNIQUE KEY(columns): the key columns must be the leading columns, in order.</summary>
    public DorisTableBuilder UniqueKey(params string[] columns)
    {
        _keysType = DorisKeysType.Unique;
        _keys = [.. columns];
        return this;
    }

    /// <summary>DUPLICATE KEY(columns) (the default model, keyed on the first column).</summary>
    public DorisTableBuilder DuplicateKey(params string[] columns)
    {
        _keysType = DorisKeysType.Duplicate;
        _keys = [.. columns];
        return this;
    }

    /// <summary>Like PROPERTIES("function_column.sequence_col" = column).</summary>
    public DorisTableBuilder SequenceColumn(string column)
    {
        _sequenceColumn = column;
        _properties["function_column.sequence_col"] = column;
        return this;
    }

    /// <summary>Like PROPERTIES("function_column.sequence_type" = type): loads then name the source with the
    /// `function_column.sequence_col` header.</summary>
    public DorisTableBuilder SequenceType(string type)
    {
        _sequenceType = DorisType.Parse(type);
        _properties["function_column.sequence_type"] = type;
        return this;
    }

    public DorisTableBuilder Property(string key, string value)
    {
        _properties[key] = value;
        return this;
    }

    public DorisTableDefinition Build()
    {
        if (_columns.Count == 0)
            throw new InvalidOperationException($"Table {database}.{table} has no columns");
        return new DorisTableDefinition(
            database, table, _columns, _keysType, _keys ?? [_columns[0].Name], _sequenceColumn, _sequenceType,
            new Dictionary<string, string>(_properties, StringComparer.OrdinalIgnoreCase));
    }
}
