using System.Net;
using System.Text;
using Kpipe.Engine;
using Kpipe.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Kpipe.Cli.Operations;

/// <summary>
/// <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> on one address, without ASP.NET Core: OpenTelemetry's
/// Prometheus exporter serves <c>/metrics</c> from its own HttpListener, and a second HttpListener in this
/// process serves the health checks. .NET's managed HttpListener shares one socket per address between the
/// listeners of a process and routes by path prefix, so both live on the same port (docs/operations.md).
/// </summary>
internal sealed class OperationsServer : IDisposable
{
    private readonly HttpListener _health = new();
    private readonly MeterProvider _meters;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private OperationsServer(HttpAddress address)
    {
        _health.Prefixes.Add(address.Prefix("/healthz/"));
        _health.Prefixes.Add(address.Prefix("/readyz/"));
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
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Starts serving; throws <see cref="HttpListenerException"/> when the address cannot be listened on.</summary>
    public static OperationsServer Start(HttpAddress address) => new(address);

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

    private static void Answer(HttpListenerContext context)
    {
        var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
        var (status, body) = path switch
        {
            "/healthz" => HealthReport.Health(PipelineInstruments.Pipelines),
            "/readyz" => HealthReport.Readiness(PipelineInstruments.Pipelines),
            _ => (404, "not found\n"),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

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
        _stop.Dispose();
    }
}
