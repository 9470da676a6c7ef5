using Kpipe.Kafka;

namespace Kpipe.Tests.Kafka;

public sealed class StartupWatchTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void An_unreachable_cluster_is_summarized_once_then_given_up_after_the_timeout()
    {
        var clock = new ManualClock();
        var watch = new StartupWatch(clock, TimeSpan.FromMinutes(2));
        Assert.Equal(StartupVerdict.Wait, watch.Check(false));
        watch.Troubled("Connection refused");
        Assert.Equal(StartupVerdict.Summarize, watch.Check(false));
        clock.Now += TimeSpan.FromSeconds(119);
        Assert.Equal(StartupVerdict.Wait, watch.Check(false));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(StartupVerdict.GiveUp, watch.Check(false));
        Assert.Equal("Connection refused", watch.Trouble);
    }

    [Fact]
    public void A_cluster_reached_after_trouble_says_so_and_is_never_given_up()
    {
        var clock = new ManualClock();
        var watch = new StartupWatch(clock, TimeSpan.FromSeconds(10));
        watch.Troubled("Connection refused");
        Assert.Equal(StartupVerdict.Summarize, watch.Check(false));
        Assert.Equal(StartupVerdict.Recovered, watch.Check(true));
        clock.Now += TimeSpan.FromHours(1);
        watch.Troubled("Connection refused");
        Assert.Equal(StartupVerdict.Wait, watch.Check(false));
        Assert.True(watch.Reached);
    }

    [Fact]
    public void A_zero_timeout_waits_forever()
    {
        var clock = new ManualClock();
        var watch = new StartupWatch(clock, TimeSpan.Zero);
        watch.Troubled("Name or service not known");
        Assert.Equal(StartupVerdict.Summarize, watch.Check(false));
        clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(StartupVerdict.Wait, watch.Check(false));
    }
}
