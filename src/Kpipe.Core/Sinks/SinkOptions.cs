namespace Kpipe.Sinks;

/// <summary>Base of every sink's options; the <c>type</c> key selects the sink.</summary>
public abstract class SinkOptions
{
    /// <summary>Name of this sink in logs and metrics. Default: its type and position, e.g. <c>kafka-0</c>.</summary>
    public string? Name { get; set; }
}
