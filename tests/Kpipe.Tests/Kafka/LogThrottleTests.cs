using Kpipe.Kafka;

namespace Kpipe.Tests.Kafka;

public sealed class LogThrottleTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private const string Refused = "[thrd:localhost:1/bootstrap]: localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)";

    [Fact]
    public void A_complaint_is_logged_once_then_once_per_interval_with_the_repeats_held_back()
    {
        var clock = new ManualClock();
        var throttle = new LogThrottle(clock);
        Assert.True(throttle.ShouldLog(Refused, out var repeats));
        Assert.Equal(0, repeats);
        for (var i = 0; i < 100; i++)
        {
            clock.Now += TimeSpan.FromMilliseconds(100);
            Assert.False(throttle.ShouldLog(Refused.Replace("after 0ms", $"after {i}ms"), out _));
        }
        clock.Now += LogThrottle.Interval;
        Assert.True(throttle.ShouldLog(Refused, out repeats));
        Assert.Equal(100, repeats);
    }

    [Fact]
    public void The_log_line_and_the_error_event_of_one_failed_connection_count_as_one()
    {
        var throttle = new LogThrottle(new ManualClock());
        Assert.True(throttle.ShouldLog(Refused, out _));
        Assert.False(throttle.ShouldLog("localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 3ms in state CONNECT, 4 identical error(s) suppressed)", out _));
    }

    [Fact]
    public void Different_complaints_are_each_logged()
    {
        var throttle = new LogThrottle(new ManualClock());
        Assert.True(throttle.ShouldLog(Refused, out _));
        Assert.True(throttle.ShouldLog("1/1 brokers are down", out _));
        Assert.True(throttle.ShouldLog(Refused.Replace("localhost:1", "kafka-2:9092"), out _));
    }
}
