using Kpipe.Config;

namespace Kpipe.Sinks.Console;

/// <summary>Prints records as JSON lines on standard output, as the seed's Spark jobs printed their rows.</summary>
[TypeName("console")]
public sealed class ConsoleSinkOptions : SinkOptions
{
    /// <summary>Fraction of records printed, between 0 and 1. Default 1 (every record).</summary>
    [ValidRange("0", "1")] public double Sample { get; set; } = 1.0;

    /// <summary>Print the Kafka metadata (topic, partition, offset, key) with each record. Default false.</summary>
    public bool Metadata { get; set; }
}
