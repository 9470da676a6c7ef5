using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.Sinks.Console;
using Kpipe.Sinks.Kafka;

namespace Kpipe.Tests.Config;

public sealed class PipelineLoaderTests
{
    private static ConfigException Reject(string yaml, Func<string, string?>? env = null) =>
        Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "p.yaml", env ?? (_ => null)));

    private const string Minimal = """
        name: copy
        source:
          bootstrapServers: b:9092
          topics: [in]
        sinks:
          - type: console
        """;

    [Fact]
    public void A_minimal_pipeline_gets_the_documented_defaults()
    {
        var p = PipelineLoader.Parse(Minimal, "p.yaml", _ => null);
        Assert.Equal("copy", p.Name);
        Assert.Equal(["in"], p.Source.Topics);
        Assert.Equal("earliest", p.Source.StartFrom);
        Assert.Equal(10_000, p.Source.MaxRecordsPerBatch);
        Assert.Equal(ErrorPolicy.Fail, p.Errors.Policy);
        Assert.Equal(64L << 20, p.Engine.MaxInFlightBytes.Bytes);
        Assert.Equal(TimeSpan.FromSeconds(1), p.Engine.CommitInterval);
        Assert.IsType<ConsoleSinkOptions>(Assert.Single(p.Sinks));
        Assert.Empty(p.Transforms);
    }

    [Fact]
    public void Every_kind_of_value_binds()
    {
        var p = PipelineLoader.Parse("""
            name: all
            source:
              bootstrapServers: b:9092
              topicPattern: "orders-.*"
              groupId: g1
              startFrom: 2024-07-19T10:00:00Z
              properties:
                security.protocol: SASL_SSL
                fetch.max.bytes: 1048576
            sinks:
              - type: kafka
                name: mirror
                bootstrapServers: c:9092
                topic: out
                keyField: after.id
                partitioning: preserve
                headers: false
            errors:
              policy: skip
            engine:
              maxInFlightBytes: 16MiB
              commitInterval: 250ms
              shutdownTimeout: 2m
            """, "p.yaml", _ => null);
        Assert.Equal("orders-.*", p.Source.TopicPattern);
        Assert.Equal(new DateTimeOffset(2024, 7, 19, 10, 0, 0, TimeSpan.Zero), p.Source.StartTimestamp);
        Assert.Equal("SASL_SSL", p.Source.Properties["security.protocol"]);
        Assert.Equal("1048576", p.Source.Properties["fetch.max.bytes"]);
        var sink = Assert.IsType<KafkaSinkOptions>(Assert.Single(p.Sinks));
        Assert.Equal(("mirror", "after.id", KafkaPartitioning.Preserve, false), (sink.Name, sink.KeyField, sink.Partitioning, sink.Headers));
        Assert.Equal(ErrorPolicy.Skip, p.Errors.Policy);
        Assert.Equal(16L << 20, p.Engine.MaxInFlightBytes.Bytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), p.Engine.CommitInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), p.Engine.ShutdownTimeout);
    }

    [Fact]
    public void Environment_variables_fill_values_with_defaults()
    {
        var env = new Dictionary<string, string> { ["BROKERS"] = "k1:9092,k2:9092" };
        var p = PipelineLoader.Parse("""
            name: env
            source:
              bootstrapServers: ${BROKERS}
              topics: [in]
              groupId: ${GROUP:-default-group}
            sinks:
              - type: console
                sample: ${SAMPLE:-0.5}
            """, "p.yaml", n => env.GetValueOrDefault(n));
        Assert.Equal("k1:9092,k2:9092", p.Source.BootstrapServers);
        Assert.Equal("default-group", p.Source.GroupId);
        Assert.Equal(0.5, ((ConsoleSinkOptions)p.Sinks[0]).Sample);
    }

    [Fact]
    public void An_unset_variable_without_default_is_an_error_at_its_line()
    {
        var e = Reject(Minimal.Replace("b:9092", "${KAFKA}"));
        Assert.Equal("p.yaml:3:21: 'source.bootstrapServers': environment variable KAFKA is not set (write ${KAFKA:-default} to give a default)",
            Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void An_unknown_top_level_key_lists_the_valid_ones()
    {
        var e = Reject(Minimal + "\nsink:\n  topic: x\n");
        Assert.Equal("p.yaml:7:1: unknown key 'sink' at the top level (did you mean 'sinks'?); valid keys: engine, errors, name, sinks, source, transforms",
            Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void A_wrong_type_names_the_key_the_expected_type_and_the_value()
    {
        var e = Reject(Minimal.Replace("topics: [in]", "topics: [in]\n  maxRecordsPerBatch: lots"));
        Assert.Equal("p.yaml:5:23: 'source.maxRecordsPerBatch' must be a whole number; got 'lots'", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void An_enum_value_lists_the_choices()
    {
        var e = Reject(Minimal + "\nerrors:\n  policy: ignore\n");
        Assert.Contains("'errors.policy' must be one of fail, skip, dead_letter; got 'ignore'", e.Message);
    }

    [Fact]
    public void Secrets_are_never_echoed_in_errors()
    {
        var e = Reject(Minimal.Replace("topics: [in]", "topics: [in]\n  properties:\n    sasl.password: [hunter2]"));
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void Cross_key_rules_point_at_the_key()
    {
        var e = Reject(Minimal.Replace("topics: [in]", "topics: [in]\n  topicPattern: in.*"));
        Assert.Equal("p.yaml:5:3: 'source.topicPattern': give either 'topics' or 'topicPattern', not both", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void The_kafka_sink_refuses_to_turn_off_idempotence()
    {
        var e = Reject(Minimal.Replace("- type: console", "- type: kafka\n    bootstrapServers: b\n    topic: t\n    properties:\n      enable.idempotence: \"false\""));
        Assert.Contains("enable.idempotence cannot be false", e.Message);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_position()
    {
        var e = Reject("name: x\nsource: [unclosed\n");
        Assert.StartsWith("p.yaml:", Assert.Single(e.Errors).ToString());
        Assert.Contains("not valid YAML", e.Message);
    }

    [Fact]
    public void A_missing_sinks_list_is_reported()
    {
        var e = Reject("name: x\nsource:\n  bootstrapServers: b\n  topics: [t]\n");
        Assert.Contains("the pipeline is missing the required key 'sinks'", e.Message);
    }
}
