using Kpipe.Config;
using Kpipe.Sinks.Kafka;

namespace Kpipe.Tests.Sinks.Kafka;

/// <summary><c>exactlyOnce</c> is refused where a Kafka transaction cannot cover what the pipeline writes.</summary>
public sealed class ExactlyOnceValidationTests
{
    private static string Pipeline(string sink, string extra = "") => $"""
        name: p
        source:
          bootstrapServers: a:9092,b:9092
          topics: [in]
        sinks:
          - type: kafka
            bootstrapServers: {sink}
            topic: out
            exactlyOnce: true
        {extra}
        """;

    private static string Reject(string yaml) =>
        string.Join("\n", Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "p.yaml", _ => null)).Errors);

    [Fact]
    public void A_lone_Kafka_sink_on_the_source_cluster_is_accepted_with_a_transactional_id_per_pipeline_and_host()
    {
        var options = PipelineLoader.Parse(Pipeline("b:9092, a:9092"), "p.yaml", _ => null);
        var sink = Assert.IsType<KafkaSinkOptions>(Assert.Single(options.Sinks));
        Assert.True(sink.ExactlyOnce);
        Assert.Equal($"kpipe-p-{Environment.MachineName}", KafkaSink.BuildConfig(sink, "p").TransactionalId);
        sink.TransactionalId = "p-0";
        Assert.Equal("p-0", KafkaSink.BuildConfig(sink, "p").TransactionalId);
        Assert.Null(KafkaSink.BuildConfig(new KafkaSinkOptions { BootstrapServers = "a:9092", Topic = "out" }, "p").TransactionalId);
    }

    [Fact]
    public void A_second_sink_is_refused()
    {
        var errors = Reject(Pipeline("a:9092,b:9092").Replace("    exactlyOnce: true\n", "    exactlyOnce: true\n  - type: console\n"));
        Assert.Contains("'sinks[0].exactlyOnce': needs the Kafka sink to be the pipeline's only sink", errors);
    }

    [Fact]
    public void The_dead_letter_policy_is_refused()
    {
        var errors = Reject(Pipeline("a:9092,b:9092", "errors:\n  policy: dead_letter\n  deadLetter:\n    topic: dlq\n"));
        Assert.Contains("'sinks[0].exactlyOnce': cannot be used with errors.policy dead_letter", errors);
    }

    [Fact]
    public void A_sink_on_another_cluster_is_refused_at_its_bootstrap_servers()
    {
        var errors = Reject(Pipeline("c:9092"));
        Assert.Contains("'sinks[0].bootstrapServers': with exactlyOnce the sink must write to the source's cluster", errors);
    }

    [Fact]
    public void A_transactional_id_in_the_properties_or_without_exactly_once_is_refused()
    {
        var errors = Reject(Pipeline("a:9092,b:9092").Replace("    exactlyOnce: true\n", "    transactionalId: x\n    properties:\n      transactional.id: y\n"));
        Assert.Contains("'sinks[0].transactionalId': is only used with exactlyOnce: true", errors);
        Assert.Contains("'sinks[0].properties': transactional.id is set by kpipe", errors);
    }
}
