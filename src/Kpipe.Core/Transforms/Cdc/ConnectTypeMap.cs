using System.Globalization;
using Kpipe.Rows;

namespace Kpipe.Transforms.Cdc;

/// <summary>
/// The column type <c>columns: auto</c> gives a field of an event's Connect schema: its logical type (Debezium's or
/// Kafka Connect's schema name) first, else its Connect type. docs/cdc.md ("Type map") shows it with the Doris type each
/// becomes; the Doris sink's <c>DorisColumnTypes</c> holds that second step.
/// </summary>
internal static class ConnectTypeMap
{
    public static ColumnType Of(ConnectFieldSchema field) => field.Name switch
    {
        "io.debezium.time.Date" or "org.apache.kafka.connect.data.Date" => ColumnType.Date,
        "io.debezium.time.Timestamp" or "io.debezium.time.MicroTimestamp" or "io.debezium.time.NanoTimestamp"
            or "org.apache.kafka.connect.data.Timestamp" or "io.debezium.time.ZonedTimestamp" => ColumnType.Timestamp,
        // Doris tables have no TIME type: a time of day is kept as its text (HH:mm:ss.ffffff).
        "io.debezium.time.Time" or "io.debezium.time.MicroTime" or "io.debezium.time.NanoTime"
            or "org.apache.kafka.connect.data.Time" or "io.debezium.time.ZonedTime" => ColumnType.String,
        "org.apache.kafka.connect.data.Decimal" => FixedDecimal(field),
        // Each value has its own scale, which no DECIMAL(p,s) column holds exactly: kept as exact text.
        "io.debezium.data.VariableScaleDecimal" => ColumnType.String,
        "io.debezium.data.Json" => ColumnType.Json,
        _ => field.Type switch
        {
            "int8" or "int16" or "int32" => ColumnType.Int,
            "int64" => ColumnType.Long,
            "float32" or "float64" => ColumnType.Double,
            "boolean" => ColumnType.Bool,
            "array" or "map" or "struct" => ColumnType.Json,
            // string (and Uuid, Enum, Xml... which are strings), bytes (base64 text), Bits.
            _ => ColumnType.String,
        },
    };

    /// <summary>Whether a column of type <paramref name="existing"/> holds every value of <paramref name="incoming"/>
    /// exactly, so a source column whose type changed that way keeps loading into it.</summary>
    public static bool Holds(ColumnType existing, ColumnType incoming)
    {
        if (existing == incoming) return true;
        return (existing.Kind, incoming.Kind) switch
        {
            (ColumnKind.Long, ColumnKind.Int) => true,
            (ColumnKind.Double, ColumnKind.Int) => true,
            (ColumnKind.Timestamp, ColumnKind.Date) => true,
            (ColumnKind.Decimal, ColumnKind.Int) => existing.Precision - existing.Scale >= 10,
            (ColumnKind.Decimal, ColumnKind.Long) => existing.Precision - existing.Scale >= 19,
            (ColumnKind.Decimal, ColumnKind.Decimal) => incoming.Scale <= existing.Scale
                && incoming.Precision - incoming.Scale <= existing.Precision - existing.Scale,
            _ => false,
        };
    }

    /// <summary>Whether a column of type <paramref name="existing"/> whose values now come as <paramref name="incoming"/>
    /// becomes a column of the incoming type: a widening that keeps every stored value exactly and that Doris applies to
    /// a value column with <c>ALTER TABLE ... MODIFY COLUMN</c> (INT to BIGINT or DOUBLE; Doris's ALTER-TABLE-COLUMN lists
    /// "larger numeric types"). BIGINT to DOUBLE is left out: a double does not hold every long.</summary>
    public static bool Widens(ColumnType existing, ColumnType incoming) =>
        existing.Kind == ColumnKind.Int && incoming.Kind is ColumnKind.Long or ColumnKind.Double;

    /// <summary>Debezium gives the column's precision in <c>connect.decimal.precision</c> (MySQL, PostgreSQL with a
    /// declared precision); without it the widest DECIMAL Doris has.</summary>
    private static ColumnType FixedDecimal(ConnectFieldSchema field)
    {
        var scale = field.Parameters.TryGetValue("scale", out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sv) ? sv : 0;
        var precision = field.Parameters.TryGetValue("connect.decimal.precision", out var p)
            && int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pv) ? pv : ColumnType.MaxDecimalPrecision;
        precision = Math.Clamp(Math.Max(precision, scale), 1, ColumnType.MaxDecimalPrecision);
        return new ColumnType(ColumnKind.Decimal, precision, Math.Clamp(scale, 0, precision));
    }
}
