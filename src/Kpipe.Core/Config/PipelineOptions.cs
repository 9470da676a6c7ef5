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
        for (var i = 0; i < Sinks.Count; i++)
            if (Sinks[i] is Kpipe.Sinks.Kafka.KafkaSinkOptions { ExactlyOnce: true } kafka)
                foreach (var problem in ExactlyOnceProblems(kafka, i)) yield return problem;
        var twoPhase = Sinks.Select((s, i) => (Sink: s, Index: i)).Where(s => s.Sink is Kpipe.Sinks.Doris.DorisSinkOptions { ExactlyOnce: true }).ToList();
        // One commit's metadata holds one sink's transactions.
        foreach (var (_, index) in twoPhase.Skip(1))
            yield return ($"sinks[{index}].exactlyOnce", "only one Doris sink of a pipeline can be exactly once: the offsets' commit records the transactions of one sink; use one pipeline per table, or one sink with a {table} template");
    }

    /// <summary>What a Kafka transaction cannot cover (docs/guarantees.md).</summary>
    private IEnumerable<(string Key, string Message)> ExactlyOnceProblems(Kpipe.Sinks.Kafka.KafkaSinkOptions kafka, int index)
    {
        var key = $"sinks[{index}].exactlyOnce";
        if (Sinks.Count > 1)
            yield return (key, "needs the Kafka sink to be the pipeline's only sink: another sink's writes (a Doris load, a second topic) are not part of the Kafka transaction, so they would be repeated after an abort or a crash; use one pipeline per sink");
        if (Errors.Policy == ErrorPolicy.DeadLetter)
            yield return (key, "cannot be used with errors.policy dead_letter: dead letters are written by a producer of their own, outside the transaction, so an aborted transaction would dead-letter its records again; use fail or skip");
        if (!SameServers(Source.BootstrapServers, kafka.BootstrapServers))
            yield return ($"sinks[{index}].bootstrapServers", "with exactlyOnce the sink must write to the source's cluster, given by the same bootstrapServers: the transaction commits the consumed offsets through the sink cluster's group coordinator");
    }

    private static bool SameServers(string a, string b) =>
        Servers(a).SetEquals(Servers(b));

    private static HashSet<string> Servers(string list) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToHashSet();
}
