using System.Globalization;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// Reads the subset of Doris CREATE TABLE the emulator needs:
/// <code>
/// CREATE TABLE [IF NOT EXISTS] [db.]name (
///     col TYPE [NULL | NOT NULL] [AUTO_INCREMENT] [DEFAULT value] [COMMENT 'text'], ...
///     [INDEX ...]                                   -- ignored
/// ) [ENGINE = OLAP]
/// [UNIQUE KEY (cols) | DUPLICATE KEY (cols)]
/// [COMMENT 'text'] [PARTITION BY ...] [DISTRIBUTED BY HASH (cols) | RANDOM [BUCKETS n | AUTO]]
/// [PROPERTIES ("function_column.sequence_col" = "col", "function_column.sequence_type" = "bigint", ...)]
/// </code>
/// Partitioning, distribution, rollups and other properties are accepted and ignored: they do not change
/// what a Stream Load stores. AGGREGATE KEY tables and complex types (ARRAY, MAP, STRUCT, ...) are refused.
/// </summary>
internal static class DdlParser
{
    public static DorisTableDefinition ParseCreateTable(string ddl, string? defaultDatabase)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        var cur = new SqlCursor(SqlLexer.Tokenize(ddl));
        cur.ExpectWord("CREATE");
        cur.TryWord("EXTERNAL");
        cur.ExpectWord("TABLE");
        if (cur.TryWord("IF"))
        {
            cur.ExpectWord("NOT");
            cur.ExpectWord("EXISTS");
        }

        var first = cur.ExpectName();
        string database, table;
        if (cur.TrySymbol("."))
        {
            database = first;
            table = cur.ExpectName();
        }
        else
        {
            database = defaultDatabase
                ?? throw new FormatException($"CREATE TABLE {first}: no database given (write db.{first} or pass a default database)");
            table = first;
        }

        var columns = new List<DorisColumn>();
        cur.ExpectSymbol("(");
        while (true)
        {
            if (cur.Peek().IsWord("INDEX"))
            {
                SkipIndexDefinition(cur);
            }
            else
            {
                columns.Add(ParseColumn(cur));
            }

            if (cur.TrySymbol(","))
                continue;
            cur.ExpectSymbol(")");
            break;
        }

        var keysType = DorisKeysType.Duplicate;
        List<string>? keys = null;
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (!cur.AtEnd && !cur.TrySymbol(";"))
        {
            var t = cur.Peek();
            if (cur.TryWord("ENGINE"))
            {
                cur.ExpectSymbol("=");
                var engine = cur.ExpectName();
                if (!engine.Equals("OLAP", StringComparison.OrdinalIgnoreCase))
                    throw new NotSupportedException($"ENGINE={engine} is not supported by the emulator (only OLAP)");
            }
            else if (cur.TryWord("UNIQUE"))
            {
                cur.ExpectWord("KEY");
                keysType = DorisKeysType.Unique;
                keys = ParseNameList(cur);
            }
            else if (cur.TryWord("DUPLICATE"))
            {
                cur.ExpectWord("KEY");
                keysType = DorisKeysType.Duplicate;
                keys = ParseNameList(cur);
            }
            else if (t.IsWord("AGGREGATE") || t.IsWord("PRIMARY"))
            {
                throw new NotSupportedException($"{t.Text.ToUpperInvariant()} KEY tables are not supported by the emulator");
            }
            else if (cur.TryWord("COMMENT"))
            {
                cur.Next();
            }
            else if (cur.TryWord("PROPERTIES"))
            {
                ParseProperties(cur, properties);
            }
            else if (t.IsWord("PARTITION") || t.IsWord("AUTO") || t.IsWord("DISTRIBUTED") || t.IsWord("ROLLUP")
                     || t.IsWord("BUCKETS") || t.IsWord("BY") || t.IsWord("HASH") || t.IsWord("RANDOM")
                     || t.IsWord("RANGE") || t.IsWord("LIST") || t.Kind == SqlTokenKind.Number || t.IsSymbol("("))
            {
                // Layout clauses: they decide where rows live, not what a load stores.
                cur.SkipBalanced();
            }
            else
            {
                throw new FormatException($"Unexpected {t} at {t.Position} in CREATE TABLE {table}");
            }
        }

        if (!cur.AtEnd)
            throw new FormatException($"Unexpected {cur.Peek()} after the CREATE TABLE statement; pass one statement at a time");

        // Without a key clause Doris creates a Duplicate Key table keyed on its leading column(s)
        // (fe: CreateTableStmt.analyze picks up to three leading columns within 36 bytes); the emulator takes
        // the first column, which only matters for ordering.
        keys ??= [columns[0].Name];

        properties.TryGetValue("function_column.sequence_col", out var sequenceCol);
        DorisType? sequenceType = properties.TryGetValue("function_column.sequence_type", out var seqTypeText)
            ? ParseType(seqTypeText)
            : null;
        return new DorisTableDefinition(database, table, columns, keysType, keys, sequenceCol, sequenceType, properties);
    }

    public static DorisType ParseType(string text)
    {
        var cur = new SqlCursor(SqlLexer.Tokenize(text));
        var type = ParseType(cur);
        if (!cur.AtEnd)
            throw new FormatException($"Unexpected {cur.Peek()} after type in '{text}'");
        return type;
    }

    internal static DorisColumn ParseColumn(SqlCursor cur)
    {
        var name = cur.ExpectName();
        var type = ParseType(cur);
        var nullable = true;
        string? defaultValue = null;
        while (true)
        {
            var t = cur.Peek();
            if (t.IsSymbol(",") || t.IsSymbol(")") || t.Kind == SqlTokenKind.End)
                break;
            if (cur.TryWord("NOT"))
            {
                cur.ExpectWord("NULL");
                nullable = false;
            }
            else if (cur.TryWord("NULL"))
            {
                nullable = true;
            }
            else if (cur.TryWord("DEFAULT"))
            {
                defaultValue = ParseDefault(cur);
            }
            else if (cur.TryWord("COMMENT"))
            {
                cur.Next();
            }
            else if (cur.TryWord("AUTO_INCREMENT"))
            {
                throw new NotSupportedException($"AUTO_INCREMENT column {name} is not supported by the emulator");
            }
            else if (cur.TryWord("ON"))
            {
                // ON UPDATE CURRENT_TIMESTAMP: only affects partial updates; accepted and ignored.
                cur.ExpectWord("UPDATE");
                cur.Next();
                if (cur.Peek().IsSymbol("("))
                    cur.SkipBalanced();
            }
            else if (t.IsWord("KEY"))
            {
                cur.Next();
            }
            else if (t.IsWord("REPLACE") || t.IsWord("SUM") || t.IsWord("MIN") || t.IsWord("MAX")
                     || t.IsWord("REPLACE_IF_NOT_NULL") || t.IsWord("BITMAP_UNION") || t.IsWord("HLL_UNION"))
            {
                throw new NotSupportedException($"Aggregate column {name} ({t.Text}) is not supported by the emulator");
            }
            else
            {
                throw new FormatException($"Unexpected {t} at {t.Position} in the definition of column {name}");
            }
        }

        return new DorisColumn(name, type, nullable, defaultValue);
    }

    private static string ParseDefault(SqlCursor cur)
    {
        var t = cur.Next();
        switch (t.Kind)
        {
            case SqlTokenKind.String:
                return t.Text;
            case SqlTokenKind.Number:
                return t.Text;
            case SqlTokenKind.Symbol when t.Text == "-" && cur.Peek().Kind == SqlTokenKind.Number:
                return "-" + cur.Next().Text;
            case SqlTokenKind.Identifier:
                var word = t.Text.ToUpperInvariant();
                if (word is "CURRENT_TIMESTAMP" or "NOW" or "CURRENT_DATE")
                {
                    if (cur.Peek().IsSymbol("("))
                    {
                        cur.Next();
                        while (!cur.TrySymbol(")"))
                            cur.Next();
                    }

                    return word == "NOW" ? "CURRENT_TIMESTAMP" : word;
                }

                if (word == "NULL")
                    return "NULL";
                break;
        }

        throw new FormatException($"Unsupported DEFAULT value {t} at {t.Position}");
    }

    private static DorisType ParseType(SqlCursor cur)
    {
        var nameToken = cur.Next();
        if (nameToken.Kind != SqlTokenKind.Identifier)
            throw new FormatException($"Expected a type but found {nameToken} at {nameToken.Position}");
        var name = nameToken.Text.ToUpperInvariant();
        var args = new List<int>();
        if (cur.TrySymbol("("))
        {
            do
            {
                var n = cur.Next();
                if (n.Kind != SqlTokenKind.Number || !int.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    throw new FormatException($"Expected a number in type {name} but found {n}");
                args.Add(v);
            } while (cur.TrySymbol(","));

            cur.ExpectSymbol(")");
        }

        int Arg(int i, int fallback) => args.Count > i ? args[i] : fallback;

        return name switch
        {
            "BOOLEAN" or "BOOL" => DorisType.Boolean,
            "TINYINT" => DorisType.TinyInt,
            "SMALLINT" => DorisType.SmallInt,
            "INT" or "INTEGER" => DorisType.Int,
            "BIGINT" => DorisType.BigInt,
            "LARGEINT" => DorisType.LargeInt,
            "FLOAT" => DorisType.Float,
            "DOUBLE" => DorisType.Double,
            // DECIMAL without arguments is DECIMAL(9, 0) in Doris (ScalarType.DEFAULT_PRECISION / DEFAULT_SCALE).
            "DECIMAL" or "DECIMALV3" or "DECIMALV2" or "NUMERIC" => DorisType.Decimal(Arg(0, 9), Arg(1, 0)),
            "DATE" or "DATEV2" => DorisType.Date,
            "DATETIME" or "DATETIMEV2" or "TIMESTAMP" => DorisType.DateTime(Arg(0, 0)),
            "CHAR" or "CHARACTER" => DorisType.Char(Arg(0, 1)),
            "VARCHAR" => DorisType.Varchar(Arg(0, DorisType.MaxVarcharLength)),
            "STRING" or "TEXT" => DorisType.String,
            "JSON" or "JSONB" => DorisType.Json,
            _ => throw new NotSupportedException($"Column type {name} is not supported by the emulator"),
        };
    }

    private static List<string> ParseNameList(SqlCursor cur)
    {
        var names = new List<string>();
        cur.ExpectSymbol("(");
        do
        {
            names.Add(cur.ExpectName());
        } while (cur.TrySymbol(","));

        cur.ExpectSymbol(")");
        return names;
    }

    private static void ParseProperties(SqlCursor cur, Dictionary<string, string> properties)
    {
        cur.ExpectSymbol("(");
        if (cur.TrySymbol(")"))
            return;
        do
        {
            var key = cur.Next();
            cur.ExpectSymbol("=");
            var value = cur.Next();
            if (key.Kind != SqlTokenKind.String || value.Kind is SqlTokenKind.End or SqlTokenKind.Symbol)
                throw new FormatException($"Malformed property at {key.Position}");
            properties[key.Text] = value.Text;
        } while (cur.TrySymbol(","));

        cur.ExpectSymbol(")");
    }

    private static void SkipIndexDefinition(SqlCursor cur)
    {
        // INDEX name (cols) [USING INVERTED] [PROPERTIES(...)] [COMMENT '...']
        while (true)
        {
            var t = cur.Peek();
            if (t.IsSymbol(",") || t.IsSymbol(")") || t.Kind == SqlTokenKind.End)
                return;
            cur.SkipBalanced();
        }
    }
}
