using Kpipe.Config;
using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>The Doris sink's <c>exactlyOnce</c>: one such sink per pipeline (one commit's metadata records one sink's
/// transactions); other sinks may run beside it.</summary>
public sealed class DorisExactlyOnceValidationTests
{
    private static string Pipeline(params string[] tables) => $"""
        name: p
        source:
          bootstrapServers: a:9092
          topics: [in]
        sinks:
        {string.Concat(tables.Select(t => $"""
          - type: doris
            name: {t}
            feNodes: [fe:8030]
            table: shop.{t}
            user: root
            exactlyOnce: true

        """))}  - type: console
        """;

    [Fact]
    public void One_exactly_once_Doris_sink_beside_another_sink_is_accepted()
    {
        var options = PipelineLoader.Parse(Pipeline("orders"), "p.yaml", _ => null);
        Assert.True(Assert.IsType<DorisSinkOptions>(options.Sinks[0]).ExactlyOnce);
    }

    [Fact]
    public void A_second_exactly_once_Doris_sink_is_refused()
    {
        var error = Assert.Throws<ConfigException>(() => PipelineLoader.Parse(Pipeline("orders", "items"), "p.yaml", _ => null));
        Assert.Contains(error.Errors, e => e.ToString().Contains("'sinks[1].exactlyOnce': only one Doris sink of a pipeline can be exactly once", StringComparison.Ordinal));
    }
}
