using System.CommandLine;
using Kpipe.Cli.Operations;
using Kpipe.Engine;
using Kpipe.Metrics;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli.Commands;

internal static class RunCommand
{
    public static Command Create(TextWriter error, Option<LogLevel> logLevel)
    {
        var files = new Argument<string[]>("pipeline") { Arity = ArgumentArity.OneOrMore, Description = "Pipeline YAML files; several run side by side in this process" };
        var http = new Option<string?>("--http")
        {
            Description = "Serve /metrics (Prometheus), /healthz and /readyz on HOST:PORT, :PORT or PORT (host 127.0.0.1 unless given)",
        };
        var logFormat = new Option<LogFormat>("--log-format")
        {
            Description = "Text (one line per entry) or Json (one JSON object per line; a record's line carries Pipeline, Topic, Partition and Offset under State)",
            DefaultValueFactory = _ => LogFormat.Text,
        };
        var progress = new Option<ProgressMode>("--progress")
        {
            Description = "Auto (a live view redrawn in place when stderr is a terminal and logs are text, else the periodic log line), Live or Lines",
            DefaultValueFactory = _ => ProgressMode.Auto,
        };
        var command = new Command("run", "Run pipelines until SIGINT/SIGTERM (drain, commit, exit 0) or an error (exit 1).")
        {
            files,
            http,
            logFormat,
            progress,
        };
        command.SetAction(async (parse, _) =>
        {
            HttpAddress? address = null;
            if (parse.GetValue(http) is { } text && !HttpAddress.TryParse(text, out address, out var problem))
            {
                error.WriteLine($"error: {problem}");
                return ExitCodes.InvalidConfig;
            }
            var pipelines = PipelineFiles.LoadAll(parse.GetValue(files)!, error);
            if (pipelines == null) return ExitCodes.InvalidConfig;
            if (address == null && !TryFileAddress(pipelines, error, out address)) return ExitCodes.InvalidConfig;
            var format = parse.GetValue(logFormat);
            var live = ProgressChoice.Live(parse.GetValue(progress), format, !Console.IsErrorRedirected,
                !Console.IsOutputRedirected && pipelines.Any(p => p.Sinks.Any(s => s is Sinks.Console.ConsoleSinkOptions)));
            var recent = new RecentErrors();
            using var history = address != null || live ? new PipelineHistory() : null;
            using var server = address == null ? null : StartServer(address, history, recent, error);
            if (address != null && server == null) return ExitCodes.PipelineFailed;
            if (!live)
            {
                using var signals = new ShutdownSignals(error);
                using var loggers = Logging.Create(parse.GetValue(logLevel), format, recent);
                return await RunAllAsync(pipelines, loggers, error, signals.Token);
            }
            return await RunLiveAsync(pipelines, parse.GetValue(logLevel), format, history!, recent);
        });
        return command;
    }

    /// <summary>Runs with the live view on stderr: the periodic line is off (the view shows the same, every
    /// second), and every line written to stderr meanwhile (logs, signals, errors) goes above the view.</summary>
    private static async Task<int> RunLiveAsync(IReadOnlyList<Config.PipelineOptions> pipelines, LogLevel level, LogFormat format,
        PipelineHistory history, RecentErrors recent)
    {
        foreach (var p in pipelines) p.Engine.StatsInterval = TimeSpan.Zero;
        var terminal = Console.Error;
        var console = new LiveConsole(terminal);
        // Before the logger starts: the console logger takes Console.Error when it is created.
        Console.SetError(console);
        try
        {
            using var signals = new ShutdownSignals(console);
            using var loggers = Logging.Create(level, format, recent);
            void Redraw()
            {
                var running = Metrics.PipelineInstruments.Pipelines;
                // Once they have stopped (unpublished), the last view drawn stays, under their stop lines.
                if (running.Count == 0) return;
                var width = Math.Max(40, TerminalWidth());
                console.Show(LiveView.Render(running, history, recent, DateTimeOffset.UtcNow, width));
            }
            using var timer = new Timer(_ => Redraw(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            return await RunAllAsync(pipelines, loggers, console, signals.Token);
        }
        finally
        {
            Console.SetError(terminal);
        }
    }

    /// <summary>The terminal's columns; 200 when there is none to ask (stderr a file under --progress live).</summary>
    private static int TerminalWidth()
    {
        if (Console.IsErrorRedirected) return 200;
        try
        {
            // Asked of the terminal behind stdout; with stdout redirected .NET may not know it.
            return Console.WindowWidth is > 0 and var w ? w : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }

    /// <summary>The files' <c>engine.http</c> (already checked to be an address by validation); the pipelines of
    /// one process share one server, so two files naming different addresses is an error.</summary>
    private static bool TryFileAddress(IReadOnlyList<Config.PipelineOptions> pipelines, TextWriter error, out HttpAddress? address)
    {
        address = null;
        var named = pipelines.Select(p => p.Engine.Http).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (named.Count > 1)
        {
            error.WriteLine($"error: the pipelines name different engine.http addresses ({string.Join(", ", named)}); one process serves one: give the same, or --http");
            return false;
        }
        if (named.Count == 0) return true;
        if (HttpAddress.TryParse(named[0], out address, out var problem, "engine.http")) return true;
        error.WriteLine($"error: {problem}");
        return false;
    }

    /// <summary>Null (and an error line) when the address cannot be listened on: nothing runs then, since a
    /// pipeline nobody can watch was not what was asked for.</summary>
    private static OperationsServer? StartServer(HttpAddress address, PipelineHistory? history, RecentErrors recent, TextWriter error)
    {
        try
        {
            return OperationsServer.Start(address, history, recent);
        }
        catch (System.Net.HttpListenerException e)
        {
            error.WriteLine($"error: cannot serve --http on {address}: {e.Message}");
            return null;
        }
    }

    /// <summary>Runs pipelines side by side; when one fails the others are stopped cleanly too.</summary>
    public static async Task<int> RunAllAsync(IReadOnlyList<Config.PipelineOptions> pipelines, ILoggerFactory loggers, TextWriter error, CancellationToken stop)
    {
        using var all = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var stdout = Console.OpenStandardOutput();
        var runs = pipelines.Select(async p =>
        {
            try
            {
                await PipelineHost.RunAsync(p, loggers, stdout, all.Token);
                return true;
            }
            // Failures while running arrive as PipelineFailedException (after draining and committing); anything
            // else failed while building the pipeline (a sink, the dead-letter producer), before any record was read.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error.WriteLine($"error: {e.Message}");
                await all.CancelAsync();
                return false;
            }
        }).ToList();
        var results = await Task.WhenAll(runs);
        return results.All(ok => ok) ? ExitCodes.Ok : ExitCodes.PipelineFailed;
    }
}
