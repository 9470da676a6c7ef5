using Kpipe.Config;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>Record metadata that a column can hold instead of a field of the value.</summary>
public enum MetadataField { None, Topic, Partition, Offset, Timestamp, Key }

/// <summary>One output column of a <c>select</c> transform.</summary>
public sealed class ColumnOptions : IValidatableOptions
{
    /// <summary>Name of the output column (the Doris column, the JSON key written to Kafka).</summary>
    [RequiredKey] public string Name { get; set; } = "";

    /// <summary>Dotted path of the field in the value (<c>after.device_id</c>); default: the column name.
    /// Relative to the array element when the transform explodes an array; <c>$.</c> reads from the root.</summary>
    public string? Path { get; set; }

    /// <summary>Type of the column: string, bool, int, long, double, decimal(p,s), date, timestamp or json.
    /// Values are cast as docs/types.md describes (e.g. the string "12.5" into double 12.5). Default string.</summary>
    public string Type { get; set; } = "string";

    /// <summary>A missing or null field is a record error instead of a null. Default false.</summary>
    public bool Required { get; set; }

    /// <summary>Value used when the field is missing or null, written as text and cast to the column's type.</summary>
    public string? Default { get; set; }

    /// <summary>Unit of epoch numbers for a timestamp column: auto (default, by magnitude), seconds,
    /// milliseconds, microseconds or nanoseconds.</summary>
    public EpochUnit Unit { get; set; } = EpochUnit.Auto;

    /// <summary>Take the value from the record's metadata instead of its value: topic, partition, offset,
    /// timestamp (the Kafka timestamp) or key (as text).</summary>
    public MetadataField Meta { get; set; } = MetadataField.None;

    /// <summary>Debezium transform only: the Debezium or Kafka Connect schema name the value would carry
    /// (<c>io.debezium.time.Date</c>, <c>io.debezium.data.VariableScaleDecimal</c>,
    /// <c>org.apache.kafka.connect.data.Decimal(2)</c> with its scale...), for events written without schemas:
    /// the value is decoded as if its schema said so (docs/cdc-types.md). A schema in the message wins.</summary>
    public string? Semantic { get; set; }

    internal ColumnType ParsedType => ColumnType.TryParse(Type, out var t) ? t : ColumnType.String;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Meta != MetadataField.None && Path != null)
            yield return ("meta", "give either 'path' or 'meta', not both");
        if (Path is { Length: 0 } || Path?.Split('.').Any(s => s.Length == 0) == true)
            yield return ("path", $"'{Path}' is not a dotted path such as after.id");
        if (!ColumnType.TryParse(Type, out var type))
            yield return ("type", $"unknown type '{Type}'; valid types: {ColumnType.Names}");
        else if (Default != null && DefaultError(type) is { } error)
            yield return ("default", error);
    }

    /// <summary>Why the default does not cast to the column's type, as the transform would find when built.</summary>
    private string? DefaultError(ColumnType type)
    {
        try
        {
            SelectTransform.BuildDefaults(new RowSchema([(Name, type)]), [this], [new ConversionOptions { EpochUnit = Unit }]).Dispose();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
