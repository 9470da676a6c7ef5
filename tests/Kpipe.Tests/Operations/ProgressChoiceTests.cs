using Kpipe.Cli;
using Kpipe.Cli.Operations;

namespace Kpipe.Tests.Operations;

public sealed class ProgressChoiceTests
{
    [Theory]
    [InlineData("Auto", "Text", false, false, false)]
    [InlineData("Auto", "Json", true, false, false)]
    [InlineData("Auto", "Text", true, true, false)]
    [InlineData("Lines", "Text", true, false, false)]
    [InlineData("Live", "Text", false, true, true)]
    public void Auto_draws_the_live_view_only_for_text_logs_on_a_terminal_without_a_console_sink_on_it(
        string mode, string format, bool terminal, bool consoleSinkOnTerminal, bool live) =>
        Assert.Equal(live, ProgressChoice.Live(Enum.Parse<ProgressMode>(mode), Enum.Parse<LogFormat>(format), terminal, consoleSinkOnTerminal));
}
