using System.Globalization;
using System.Text.RegularExpressions;

namespace Kpipe.Rows;

public enum ColumnKind { String, Bool, Int, Long, Double, Decimal, Date, Timestamp, Json }

/// <summary>
/// The type of an output column. Storage per kind: Bool/Int/Long in the long lane; Date as days since
/// 1970-01-01 and Timestamp as microseconds since the Unix epoch (UTC) in the long lane; Double in the
/// double lane; String, Json (JSON text) and Decimal (exact plain digits, no exponent) as UTF-8 bytes.
/// </summary>
public readonly partial record struct ColumnType(ColumnKind Kind, int Precision = 0, int Scale = 0)
{
    public static readonly ColumnType String = new(ColumnKind.String);
    public static readonly ColumnType Bool = new(ColumnKind.Bool);
    public static readonly ColumnType Int = new(ColumnKind.Int);
    public static readonly ColumnType Long = new(ColumnKind.Long);
    public static readonly ColumnType Double = new(ColumnKind.Double);
    public static readonly ColumnType Date = new(ColumnKind.Date);
    public static readonly ColumnType Timestamp = new(ColumnKind.Timestamp);
    public static readonly ColumnType Json = new(ColumnKind.Json);

    /// <summary>Doris's largest DECIMAL precision (DECIMALV3).</summary>
    public const int MaxDecimalPrecision = 38;

    public const string Names = "string, bool, int, long, double, decimal(p,s), date, timestamp, json";

    public bool IsBytes => Kind is ColumnKind.String or ColumnKind.Json or ColumnKind.Decimal;

    public bool IsDouble => Kind == ColumnKind.Double;

    /// <summary>Parses a type name. Also accepts the aliases the seed's files and Spark use
    /// (<c>integer</c>, <c>bigint</c>, <c>float</c>, <c>boolean</c>, <c>object</c>...).</summary>
    public static bool TryParse(string text, out ColumnType type)
    {
        var t = text.Trim().ToLowerInvariant();
        type = t switch
        {
            "string" or "str" or "text" or "varchar" => String,
            "bool" or "boolean" => Bool,
            "int" or "integer" or "int32" => Int,
            "long" or "bigint" or "int64" => Long,
            "double" or "float" or "float64" => Double,
            "date" => Date,
            "timestamp" or "datetime" => Timestamp,
            "json" or "object" or "array" => Json,
            _ => default,
        };
        if (type != default || t == "string") return true;
        var m = DecimalPattern().Match(t);
        if (!m.Success) return false;
        var p = m.Groups[1].Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 38;
        var s = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        if (p < 1 || p > MaxDecimalPrecision || s > p) return false;
        type = new ColumnType(ColumnKind.Decimal, p, s);
        return true;
    }

    public override string ToString() => Kind == ColumnKind.Decimal
        ? $"decimal({Precision},{Scale})"
        : Kind.ToString().ToLowerInvariant();

    [GeneratedRegex(@"^decimal\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")]
    private static partial Regex DecimalPattern();
}
