using Kpipe.Cli;
using Kpipe.Cli.Operations;
using Microsoft.Extensions.Logging;

namespace Kpipe.Tests.Operations;

public sealed class RecentErrorsTests
{
    [Fact]
    public void Warnings_go_to_the_pipeline_their_field_or_scope_names_and_only_the_last_ones_are_kept()
    {
        var recent = new RecentErrors();
        using (var loggers = LoggerFactory.Create(b => b.AddProvider(recent)))
        {
            var logger = loggers.CreateLogger("kpipe.test");
            for (var i = 0; i < RecentErrors.Capacity; i++) logger.LogWarning("Pipeline {Pipeline}: burst {I}", "burst", i);
            logger.LogWarning("Pipeline {Pipeline}: a field", "orders");
            using (logger.BeginScope("Pipeline {Pipeline}", "devices"))
                logger.LogError("a sink's line in the pipeline's scope");
            logger.LogWarning("a line of the process");
            logger.LogInformation("not an error");
        }

        Assert.Equal(["Pipeline orders: a field"], recent.Of("orders").Select(e => e.Message));
        Assert.Equal(["a sink's line in the pipeline's scope"], recent.Of("devices").Select(e => e.Message));
        Assert.Equal(LogLevel.Error, recent.Of("devices")[0].Level);
        Assert.Equal(RecentErrors.Capacity - 3, recent.Of("burst").Count);
        Assert.Equal("Pipeline burst: burst 49", recent.Of("burst", 1)[0].Message);
        Assert.Equal(["a line of the process"], recent.Of("").Select(e => e.Message));
    }

    [Fact]
    public void Json_logging_and_the_recent_errors_are_fed_from_one_factory()
    {
        var recent = new RecentErrors();
        using (var loggers = Logging.Create(LogLevel.Warning, LogFormat.Json, recent))
            loggers.CreateLogger("kpipe.x").LogWarning("Pipeline {Pipeline}: x", "p");
        Assert.Single(recent.Of("p"));
    }
}
