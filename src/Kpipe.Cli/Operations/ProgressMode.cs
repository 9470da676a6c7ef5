namespace Kpipe.Cli.Operations;

/// <summary><c>kpipe run --progress</c>: how progress is shown.</summary>
internal enum ProgressMode
{
    /// <summary>The live view on a terminal, else the periodic log line.</summary>
    Auto,

    /// <summary>The live view, redrawn in place on stderr.</summary>
    Live,

    /// <summary>The periodic log line (engine.statsInterval), as when stderr is not a terminal.</summary>
    Lines,
}

internal static class ProgressChoice
{
    /// <summary>
    /// Whether <c>auto</c> draws the live view: only for a person at a terminal reading text logs. JSON logs are
    /// for a collector, which a redrawn view would garble; and a console sink printing its rows to the same
    /// terminal would scroll the view away.
    /// </summary>
    public static bool Live(ProgressMode mode, Cli.LogFormat format, bool stderrIsTerminal, bool consoleSinkOnTerminal) => mode switch
    {
        ProgressMode.Live => true,
        ProgressMode.Lines => false,
        _ => stderrIsTerminal && format == Cli.LogFormat.Text && !consoleSinkOnTerminal
            && Environment.GetEnvironmentVariable("TERM") is not ("dumb" or null or ""),
    };
}
