using Kpipe.Config;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>
/// Parses each record's value as JSON and makes typed rows with the declared columns, reading only the
/// declared fields straight from the message bytes. With <c>explode</c>, each element of an array gives a row.
/// </summary>
[TypeName("select")]
public sealed class SelectOptions : TransformOptions, IValidatableOptions
{
    /// <summary>Dotted path of an array in the value (<c>payload</c>, <c>data.items</c>); each element gives a
    /// row, and column paths are relative to the element (prefix a path with <c>$.</c> to read from the
    /// value's root instead). An empty, null or missing array gives no rows; a value that is not an array is
    /// a record error.</summary>
    public string? Explode { get; set; }

    /// <summary>The output columns, in order.</summary>
    [RequiredKey] public List<ColumnOptions> Columns { get; set; } = [];

    /// <summary>Zone of timestamps written without one (<c>2024-07-19 10:00:00</c>): an IANA name such as
    /// <c>Asia/Shanghai</c>, or <c>UTC</c> (default).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The debezium transform validates its columns through this class and reads their <c>semantic</c>.</summary>
    internal bool AcceptsSemantic { get; init; }

    internal TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Columns.Count == 0) yield return ("columns", "declare at least one column");
        var duplicate = Columns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) yield return ("columns", $"column '{duplicate.Key}' is declared twice");
        string? zoneError = null;
        try { _ = Zone; }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { zoneError = e.Message; }
        if (zoneError != null) yield return ("timeZone", $"unknown time zone '{TimeZone}'; use an IANA name such as Europe/Berlin or UTC");
        // Column types and defaults are checked by ColumnOptions.Validate; 'semantic' belongs to debezium only.
        foreach (var c in Columns)
        {
            if (c.Semantic != null && !AcceptsSemantic)
                yield return ("columns", $"column '{c.Name}': 'semantic' is read by the debezium transform only");
        }
    }
}
