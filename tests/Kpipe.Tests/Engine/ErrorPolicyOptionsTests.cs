using Kpipe.Config;
using Kpipe.Engine;

namespace Kpipe.Tests.Engine;

public sealed class ErrorPolicyOptionsTests
{
    private const string Minimal = """
        name: copy
        source:
          bootstrapServers: b:9092
          topics: [in]
        sinks:
          - type: console
        """;

    private static ConfigException Reject(string yaml) =>
        Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "p.yaml", _ => null));

    [Fact]
    public void Dead_letter_reads_its_topic_and_defaults_to_the_source_cluster()
    {
        var p = PipelineLoader.Parse(Minimal + "\nerrors:\n  policy: dead_letter\n  deadLetter:\n    topic: in.dlq\n", "p.yaml", _ => null);

        Assert.Equal(ErrorPolicy.DeadLetter, p.Errors.Policy);
        Assert.Equal("in.dlq", p.Errors.DeadLetter!.Topic);
        Assert.Null(p.Errors.DeadLetter.BootstrapServers);
    }

    [Fact]
    public void Dead_letter_without_a_topic_and_a_topic_without_dead_letter_are_refused()
    {
        Assert.Contains("policy 'dead_letter' needs deadLetter.topic", Reject(Minimal + "\nerrors:\n  policy: dead_letter\n").Message);
        Assert.Contains("only used with policy 'dead_letter'", Reject(Minimal + "\nerrors:\n  policy: skip\n  deadLetter:\n    topic: x\n").Message);
    }
}
