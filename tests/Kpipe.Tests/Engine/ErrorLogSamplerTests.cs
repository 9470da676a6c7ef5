using Kpipe.Engine;

namespace Kpipe.Tests.Engine;

public sealed class ErrorLogSamplerTests
{
    [Fact]
    public void The_first_records_of_an_interval_are_logged_and_the_rest_summed_up_in_one_line()
    {
        var summaries = new List<long>();
        var sampler = new ErrorLogSampler(3, TimeSpan.FromHours(1), (count, _) => summaries.Add(count));

        var logged = Enumerable.Range(0, 1_000).Count(_ => sampler.TryLog());
        sampler.Tick();
        Assert.Empty(summaries); // the interval is not over
        sampler.Tick(force: true);

        Assert.Equal(3, logged);
        Assert.Equal([997L], summaries);
        Assert.True(sampler.TryLog(), "a new interval logs again");
    }

    [Fact]
    public void No_summary_line_is_written_when_nothing_was_held_back()
    {
        var summaries = new List<long>();
        var sampler = new ErrorLogSampler(1, TimeSpan.Zero, (count, _) => summaries.Add(count));

        Assert.True(sampler.TryLog());
        sampler.Tick(force: true);

        Assert.Empty(summaries); // nothing was held back
    }
}
