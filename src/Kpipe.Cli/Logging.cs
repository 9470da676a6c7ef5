using System.Text.Encodings.Web;
using System.Text.Json;
using Kpipe.Cli.Operations;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli;

/// <summary>How log lines are written: one readable line, or one JSON object per line for a log collector.</summary>
internal enum LogFormat
{
    Text,
    Json,
}

internal static class Logging
{
    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>Logs go to stderr so that stdout carries only data (the console sink's JSON lines).</summary>
    /// <param name="level">The least severe level written.</param>
    /// <param name="format">Text lines, or the console logger's JSON formatter: the message's fields (pipeline,
    /// topic, partition, offset of a record's line) land under <c>State</c> (docs/operations.md).</param>
    /// <param name="recent">Also keeps the last warnings and errors for the status page and the live view.</param>
    public static ILoggerFactory Create(LogLevel level, LogFormat format = LogFormat.Text, RecentErrors? recent = null) =>
        LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(level).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            if (format == LogFormat.Json)
            {
                b.AddJsonConsole(o =>
                {
                    o.TimestampFormat = Timestamp;
                    o.UseUtcTimestamp = true;
                    // Relaxed escaping: quotes and apostrophes in messages stay readable (the default escapes them
                    // for HTML, which a log line never is); the output is still valid JSON.
                    o.JsonWriterOptions = new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                    // The host's "Pipeline" scope names the pipeline of lines that have no field for it.
                    o.IncludeScopes = true;
                });
            }
            else
            {
                b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = Timestamp + " ";
                    o.UseUtcTimestamp = true;
                });
            }
            if (recent != null) b.AddProvider(recent);
        });
}
