using Kpipe.Config;

namespace Kpipe.Config.Seed;

/// <summary>
/// The settings files of the original Spark jobs (kafka_*_to_doris_setting.yaml), accepted unchanged.
/// Bound with the same binder as native files, so their errors carry lines and columns too.
/// </summary>
public sealed class SeedFileOptions
{
    [RequiredKey] public SeedSourceOptions Source { get; set; } = new();
    [RequiredKey] public SeedProcessOptions Process { get; set; } = new();
    [RequiredKey] public SeedSinkOptions Sink { get; set; } = new();
}

public sealed class SeedSourceOptions
{
    /// <summary>Kafka brokers, <c>host:port</c>.</summary>
    [RequiredKey] public string BootstrapServers { get; set; } = "";
    /// <summary>The topic read.</summary>
    [RequiredKey] public string Topic { get; set; } = "";
}

public sealed class SeedProcessOptions
{
    /// <summary>The Spark steps, in order.</summary>
    public List<SeedStepOptions> Steps { get; set; } = [];
    /// <summary>The schema of the parsed value, as a tree of fields.</summary>
    [RequiredKey] public List<SeedFieldOptions> Fields { get; set; } = [];
}

public sealed class SeedStepOptions : IValidatableOptions
{
    internal static readonly string[] Operations = ["select_expr", "from_json", "select_column", "explode_column", "select_columns"];

    /// <summary>select_expr, from_json, select_column, explode_column or select_columns.</summary>
    [RequiredKey] public string Operation { get; set; } = "";
    public string? Value { get; set; }
    [Key("from_value")] public string? FromValue { get; set; }
    [Key("to_value")] public string? ToValue { get; set; }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (!Operations.Contains(Operation))
            yield return ("operation", $"unknown operation '{Operation}'; valid operations: {string.Join(", ", Operations)}");
    }
}

public sealed class SeedFieldOptions
{
    /// <summary>Field name in the JSON.</summary>
    [RequiredKey] public string Name { get; set; } = "";
    /// <summary>Output column name; default the field name.</summary>
    public string? Alias { get; set; }
    /// <summary>Type in the JSON: string, double, timestamp, object, array...</summary>
    [Key("from_type")] public string? FromType { get; set; }
    /// <summary>Type of the output column.</summary>
    [Key("to_type")] public string? ToType { get; set; }
    /// <summary>Element fields of an array.</summary>
    public List<SeedFieldOptions> Items { get; set; } = [];
    /// <summary>Fields of an object.</summary>
    public List<SeedFieldOptions> Fields { get; set; } = [];
}

public sealed class SeedSinkOptions
{
    /// <summary>Doris FE, <c>host:8030</c>.</summary>
    [RequiredKey] public string FeNodes { get; set; } = "";
    /// <summary><c>database.table</c>.</summary>
    [RequiredKey] public string Table { get; set; } = "";
    [RequiredKey] public string User { get; set; } = "";
    [Secret] public string Password { get; set; } = "";
}
