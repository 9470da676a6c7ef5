using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.Engine.DeadLetters;

namespace Kpipe.Tests.Engine.DeadLetters;

public sealed class DeadLetterReplayTests
{
    private static PipelineOptions Pipeline(string errors) => PipelineLoader.Parse($"""
        name: orders
        source:
          bootstrapServers: b:9092
          topics: [orders]
          properties:
            security.protocol: SSL
        sinks:
          - type: console
        {errors}
        """, "p.yaml", _ => null);

    [Fact]
    public void The_replay_reads_the_dead_letter_topic_from_the_start_under_its_own_group_and_dead_letters_elsewhere()
    {
        var replay = DeadLetterReplay.For(Pipeline("errors:\n  policy: dead_letter\n  deadLetter:\n    topic: orders.dlq"));

        Assert.Equal("orders-replay", replay.Name);
        Assert.Equal(["orders.dlq"], replay.Source.Topics);
        Assert.Equal("kpipe-orders-replay", replay.Source.GroupId);
        Assert.Equal("earliest", replay.Source.StartFrom);
        Assert.Equal(("b:9092", "SSL"), (replay.Source.BootstrapServers, replay.Source.Properties["security.protocol"]));
        Assert.Equal(ErrorPolicy.DeadLetter, replay.Errors.Policy);
        Assert.Equal("orders.dlq.replay", replay.Errors.DeadLetter!.Topic);
        Assert.Single(replay.Sinks);
    }

    [Fact]
    public void A_pipeline_without_a_dead_letter_topic_has_nothing_to_replay()
    {
        var e = Assert.Throws<ArgumentException>(() => DeadLetterReplay.For(Pipeline("errors:\n  policy: skip")));

        Assert.Contains("pipeline orders has no dead-letter topic", e.Message);
    }
}
