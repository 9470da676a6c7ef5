using Kpipe.Rows;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The Doris column type a created table (or an added column) gets for a kpipe column type; docs/cdc.md ("Type map")
/// shows it composed with the Debezium types. The choices follow what the sink writes: DATETIME(6) because timestamps
/// are written with microseconds, STRING for text since a source's lengths are not known.
/// </summary>
internal static class DorisColumnTypes
{
    /// <summary>Key columns cannot be STRING in Doris (fe: ColumnDef.analyze, as the emulator models it): a string key
    /// becomes VARCHAR(65533), the longest VARCHAR, since the source's length is not known.</summary>
    public const string StringKey = "VARCHAR(65533)";

    /// <param name="type">The column's type in the rows.</param>
    /// <param name="key">Whether the column is a key column.</param>
    /// <param name="sequence">Whether the column is the sequence column (its text form holds a LARGEINT).</param>
    public static string Of(ColumnType type, bool key, bool sequence) => type.Kind switch
    {
        // A sequence is text only under sequenceType: largeint (SQL Server's 80-bit LSN).
        ColumnKind.String when sequence => "LARGEINT",
        ColumnKind.String => key ? StringKey : "STRING",
        ColumnKind.Bool => "BOOLEAN",
        ColumnKind.Int => "INT",
        ColumnKind.Long => "BIGINT",
        ColumnKind.Double => "DOUBLE",
        ColumnKind.Decimal => $"DECIMAL({type.Precision},{type.Scale})",
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "DATETIME(6)",
        ColumnKind.Json => "JSON",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no Doris type for this column type"),
    };

    /// <summary>
    /// The Doris type a column of <paramref name="dorisType"/> (as DESC prints it: <c>int</c>, <c>INT</c>, <c>int(11)</c>)
    /// must be widened to so it holds values of <paramref name="incoming"/>; null when it holds them already or kpipe
    /// does not widen it. Only integer columns are widened, to BIGINT or DOUBLE: Doris converts "TINYINT/SMALLINT/INT/
    /// BIGINT/LARGEINT/FLOAT/DOUBLE types to larger numeric types" (ALTER-TABLE-COLUMN), and those keep every value.
    /// </summary>
    public static string? Widened(string dorisType, ColumnType incoming)
    {
        var text = dorisType.Trim().ToLowerInvariant();
        var paren = text.IndexOf('(', StringComparison.Ordinal);
        var rank = (paren >= 0 ? text[..paren] : text) switch
        {
            "tinyint" => 1,
            "smallint" => 2,
            "int" or "integer" => 3,
            _ => 0,
        };
        if (rank == 0) return null;
        return incoming.Kind switch
        {
            ColumnKind.Int when rank < 3 => "INT",
            ColumnKind.Long => "BIGINT",
            ColumnKind.Double => "DOUBLE",
            _ => null,
        };
    }

    /// <summary>Doris refuses FLOAT/DOUBLE, STRING and JSON key columns.</summary>
    public static bool CanBeKey(ColumnType type) => type.Kind is not (ColumnKind.Double or ColumnKind.Json);
}
