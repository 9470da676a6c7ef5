using System.Diagnostics.Metrics;

namespace Kpipe.Metrics;

/// <summary>
/// One <see cref="Meter"/> per component, shared by every pipeline of the process (a pipeline is a label,
/// <see cref="MetricNames.Pipeline"/>): an exporter subscribes to <c>Kpipe.*</c> once, whatever runs.
/// </summary>
public static class KpipeMeters
{
    /// <summary>What an exporter subscribes to (OpenTelemetry's <c>AddMeter</c> accepts the wildcard).</summary>
    public const string All = "Kpipe.*";

    public static readonly Meter Engine = new("Kpipe.Engine");
    public static readonly Meter Source = new("Kpipe.Sources.Kafka");
    public static readonly Meter Select = new("Kpipe.Transforms.Select");
    public static readonly Meter Filter = new("Kpipe.Transforms.Filter");
    public static readonly Meter Debezium = new("Kpipe.Transforms.Debezium");
    public static readonly Meter KafkaSink = new("Kpipe.Sinks.Kafka");
    public static readonly Meter DorisSink = new("Kpipe.Sinks.Doris");
    public static readonly Meter ConsoleSink = new("Kpipe.Sinks.Console");

    /// <summary>The meter of a transform kind (its <c>type</c> in the pipeline file); the engine's for others.</summary>
    public static Meter Transform(string kind) => kind switch
    {
        "select" => Select,
        "filter" => Filter,
        "debezium" => Debezium,
        _ => Engine,
    };
}
