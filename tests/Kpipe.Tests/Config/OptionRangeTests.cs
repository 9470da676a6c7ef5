using Kpipe.Config;

namespace Kpipe.Tests.Config;

/// <summary>Numbers, durations and sizes outside the range declared next to their option are refused with that range.</summary>
public sealed class OptionRangeTests
{
    private const string Doris = """
        name: p
        source:
          bootstrapServers: b:9092
          topics: [in]
        sinks:
          - type: doris
            feNodes: [fe:8030]
            table: db.t
            user: root
            OPTION
        """;

    [Theory]
    [InlineData("maxRetries: -1", "p.yaml:10:17: 'sinks[0].maxRetries' must be at least 0; got -1")]
    [InlineData("maxBytes: 0", "p.yaml:10:15: 'sinks[0].maxBytes' must be 1KiB to 10GiB; got 0 bytes")]
    [InlineData("maxBytes: 11GiB", "p.yaml:10:15: 'sinks[0].maxBytes' must be 1KiB to 10GiB; got 11811160064 bytes")]
    [InlineData("maxAge: 0s", "p.yaml:10:13: 'sinks[0].maxAge' must be at least 1ms; got 0ms")]
    [InlineData("maxRows: 0", "p.yaml:10:14: 'sinks[0].maxRows' must be at least 1; got 0")]
    [InlineData("maxFilterRatio: 1.5", "p.yaml:10:21: 'sinks[0].maxFilterRatio' must be 0 to 1; got 1.5")]
    [InlineData("retryBackoff: 2m", "p.yaml:10:19: 'sinks[0].retryBackoff' must be 1ms to 60s; got 120s")]
    [InlineData("requestTimeout: 500ms", "p.yaml:10:21: 'sinks[0].requestTimeout' must be at least 1s; got 500ms")]
    public void A_doris_option_out_of_range_is_refused_with_the_range(string option, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Parse(Doris.Replace("OPTION", option), "p.yaml", _ => null));
        Assert.Equal(expected, Assert.Single(e.Errors).ToString());
    }

    [Theory]
    [InlineData("engine:\n  commitInterval: 0s", "'engine.commitInterval' must be at least 1ms; got 0ms")]
    [InlineData("engine:\n  maxInFlightBytes: 512KiB", "'engine.maxInFlightBytes' must be at least 1MiB; got 524288 bytes")]
    [InlineData("engine:\n  shutdownTimeout: 0ms", "'engine.shutdownTimeout' must be at least 1ms; got 0ms")]
    public void An_engine_option_out_of_range_is_refused(string section, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Parse(Doris.Replace("OPTION", "") + "\n" + section, "p.yaml", _ => null));
        Assert.EndsWith(expected, Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void The_bounds_themselves_are_valid()
    {
        var p = PipelineLoader.Parse(Doris.Replace("OPTION", "maxRetries: 0\n    maxBytes: 1KiB\n    maxAge: 1ms\n    maxFilterRatio: 1")
            + "\nengine:\n  statsInterval: 0s\n  maxInFlightBytes: 1MiB", "p.yaml", _ => null);
        var doris = Assert.IsType<Kpipe.Sinks.Doris.DorisSinkOptions>(Assert.Single(p.Sinks));
        Assert.Equal((0, 1024L, TimeSpan.FromMilliseconds(1), 1.0), (doris.MaxRetries, doris.MaxBytes.Bytes, doris.MaxAge, doris.MaxFilterRatio));
        Assert.Equal(TimeSpan.Zero, p.Engine.StatsInterval);
    }

    [Fact]
    public void A_range_includes_its_bounds_whatever_the_number_type()
    {
        var attribute = new ValidRangeAttribute("1", "2");
        Assert.False(attribute.Contains(3));
        Assert.True(attribute.Contains(2L));
        Assert.Equal("1 to 2", attribute.Describe());
    }
}
