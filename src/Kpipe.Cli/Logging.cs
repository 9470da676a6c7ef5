using Microsoft.Extensions.Logging;

namespace Kpipe.Cli;

internal static class Logging
{
    /// <summary>Logs go to stderr so that stdout carries only data (the console sink's JSON lines).</summary>
    public static ILoggerFactory Create(LogLevel level) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            }));
}
