using System.Net;
using System.Text;
using Kpipe.Engine;
using Kpipe.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Kpipe.Cli.Operations;

/// <summary>
/// <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c> and the status page (<c>/</c>, <c>/status</c>,
/// <c>/status.json</c>) on one address, without ASP.NET Core: OpenTelemetry's Prometheus exporter serves
/// <c>/metrics</c> from its own HttpListener, and a second HttpListener in this process serves the rest. .NET's
/// managed HttpListener shares one socket per address between the listeners of a process and routes each request
/// to the longest matching prefix, so both live on the same port, this one taking what is not /metrics
/// (docs/operations.md).
/// </summary>
internal sealed class OperationsServer : IDisposable
{
    private readonly HttpListener _health = new();
    private readonly MeterProvider _meters;
    private readonly PipelineHistory _history;
    private readonly bool _ownsHistory;
    private readonly RecentErrors _errors;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private OperationsServer(HttpAddress address, PipelineHistory? history, RecentErrors? errors)
    {
        _health.Prefixes.Add(address.Prefix("/"));
        // Started first and synchronously: a port in use fails here, with a message, rather than in the
        // exporter's background task.
        _health.Start();
        try
        {
            _meters = Sdk.CreateMeterProviderBuilder()
                .AddMeter(KpipeMeters.All)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = address.Host;
                    o.Port = address.Port;
                    o.ScrapeEndpointPath = "/metrics";
                })
                .Build();
        }
        catch
        {
            _health.Close();
            throw;
        }
        _ownsHistory = history == null;
        _history = history ?? new PipelineHistory();
        _errors = errors ?? new RecentErrors();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Starts serving; throws <see cref="HttpListenerException"/> when the address cannot be listened on.</summary>
    /// <param name="address">Where to listen.</param>
    /// <param name="history">The samples the status page draws; the server keeps its own when null.</param>
    /// <param name="errors">The recent warnings and errors the status page lists (those the log got).</param>
    public static OperationsServer Start(HttpAddress address, PipelineHistory? history = null, RecentErrors? errors = null) =>
        new(address, history, errors);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _health.GetContextAsync().WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                Answer(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away mid-answer: nothing to do.
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
        var (status, type, body) = path switch
        {
            "/healthz" => Text(HealthReport.Health(PipelineInstruments.Pipelines)),
            "/readyz" => Text(HealthReport.Readiness(PipelineInstruments.Pipelines)),
            "" or "/status" => (200, "text/html; charset=utf-8", StatusPage.Html),
            // Also under /status/ (the page asks for it relative to itself).
            _ when path.EndsWith("/status.json", StringComparison.Ordinal) => (200, "application/json", StatusJson.Write(PipelineInstruments.Pipelines, _history, _errors, DateTimeOffset.UtcNow)),
            _ => Text((404, "not found\n")),
        };
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = type;
        response.Headers["Cache-Control"] = "no-store";
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    private static (int, string, byte[]) Text((int Status, string Body) answer) =>
        (answer.Status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(answer.Body));

    public void Dispose()
    {
        _stop.Cancel();
        _health.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _meters.Dispose();
        if (_ownsHistory) _history.Dispose();
        _stop.Dispose();
    }
}
