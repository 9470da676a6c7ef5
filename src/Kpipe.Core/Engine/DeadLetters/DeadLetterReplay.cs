using Kpipe.Config;
using Kpipe.Sources.Kafka;

namespace Kpipe.Engine.DeadLetters;

/// <summary>
/// The pipeline that replays a pipeline's dead letters (<c>kpipe dlq replay</c>; docs/errors.md, "Replaying dead
/// letters"): the same transforms and sinks (fixed by the user), reading the dead-letter topic from its start
/// under a group of its own, and dead-lettering what still fails to another topic, so a replay never reads its
/// own output.
/// </summary>
public static class DeadLetterReplay
{
    /// <param name="fixedPipeline">The pipeline, as fixed, with its <c>errors.deadLetter</c>.</param>
    /// <param name="deadLetterTopic">Where records that fail again go; default the dead-letter topic plus <c>.replay</c>.</param>
    public static PipelineOptions For(PipelineOptions fixedPipeline, string? deadLetterTopic = null)
    {
        var dead = fixedPipeline.Errors.DeadLetter
            ?? throw new ArgumentException($"pipeline {fixedPipeline.Name} has no dead-letter topic (errors.policy: dead_letter, errors.deadLetter.topic)");
        var source = fixedPipeline.Source;
        var name = fixedPipeline.Name + "-replay";
        return new PipelineOptions
        {
            Name = name,
            Source = new KafkaSourceOptions
            {
                BootstrapServers = dead.BootstrapServers ?? source.BootstrapServers,
                Topics = [dead.Topic],
                GroupId = $"kpipe-{name}",
                StartFrom = "earliest",
                MaxRecordsPerBatch = source.MaxRecordsPerBatch,
                // The source's security settings hold for the dead-letter cluster when it is the source's.
                Properties = dead.BootstrapServers == null ? new Dictionary<string, string>(source.Properties) : new Dictionary<string, string>(dead.Properties),
            },
            Transforms = fixedPipeline.Transforms,
            Sinks = fixedPipeline.Sinks,
            Engine = fixedPipeline.Engine,
            Errors = new ErrorPolicyOptions
            {
                Policy = ErrorPolicy.DeadLetter,
                LogSample = fixedPipeline.Errors.LogSample,
                LogInterval = fixedPipeline.Errors.LogInterval,
                DeadLetter = new DeadLetterOptions
                {
                    Topic = deadLetterTopic ?? dead.Topic + ".replay",
                    BootstrapServers = dead.BootstrapServers,
                    Properties = dead.Properties,
                },
            },
        };
    }
}
