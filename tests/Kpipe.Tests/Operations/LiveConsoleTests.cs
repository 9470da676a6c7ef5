using Kpipe.Cli.Operations;

namespace Kpipe.Tests.Operations;

public sealed class LiveConsoleTests
{
    private const string Up = "\u001b[";

    [Fact]
    public void The_view_is_redrawn_in_place_and_a_log_line_goes_above_it()
    {
        var terminal = new StringWriter();
        var console = new LiveConsole(terminal);

        console.Show("a\nb\n");
        console.Show("c\nd\n");
        console.Write("log line\n");

        // Each redraw moves up over the two lines drawn and erases to the end of the screen; the log line takes
        // the view's place and the view is drawn again under it.
        Assert.Equal($"a\nb\n{Up}2F{Up}Jc\nd\n{Up}2F{Up}Jlog line\nc\nd\n", terminal.ToString());
    }

    [Fact]
    public void A_log_line_written_in_pieces_is_not_split_by_a_redraw()
    {
        var terminal = new StringWriter();
        var console = new LiveConsole(terminal);
        console.Show("v\n");

        console.Write("first half, ");
        console.Show("w\n");
        console.Write("second half\n");

        Assert.Equal($"v\n{Up}1F{Up}Jfirst half, second half\nw\n", terminal.ToString());
    }
}
