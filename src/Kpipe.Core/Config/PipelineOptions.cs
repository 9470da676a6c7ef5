using Kpipe.Engine;
using Kpipe.Sinks;
using Kpipe.Sources.Kafka;
using Kpipe.Transforms;

namespace Kpipe.Config;

/// <summary>One pipeline: a Kafka source, transforms applied in order, and the sinks every record goes to.</summary>
public sealed class PipelineOptions : IValidatableOptions
{
    /// <summary>Name of the pipeline: appears in logs and metrics, and is the default consumer group suffix.
    /// Letters, digits, '-', '_' and '.'.</summary>
    [RequiredKey] public string Name { get; set; } = "";

    /// <summary>Where records come from.</summary>
    [RequiredKey] public KafkaSourceOptions Source { get; set; } = new();

    /// <summary>Transforms applied in order to every record (may be empty).</summary>
    public List<TransformOptions> Transforms { get; set; } = [];

    /// <summary>Where records go. Every sink receives every record; an offset is committed only when all
    /// sinks have acknowledged it.</summary>
    [RequiredKey] public List<SinkOptions> Sinks { get; set; } = [];

    /// <summary>What happens to a record that cannot be processed.</summary>
    public ErrorPolicyOptions Errors { get; set; } = new();

    /// <summary>Flow control, commits and shutdown.</summary>
    public EngineOptions Engine { get; set; } = new();

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (!Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            yield return ("name", "use only letters, digits, '-', '_' and '.'");
        if (Sinks.Count == 0)
            yield return ("sinks", "at least one sink is required");
    }
}
