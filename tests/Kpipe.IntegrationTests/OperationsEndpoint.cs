using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kpipe.Cli.Operations;
using Kpipe.Metrics;

namespace Kpipe.IntegrationTests;

/// <summary>kpipe's /metrics, /healthz and /readyz on a free loopback port, and a reader of what they answer.</summary>
internal sealed class OperationsEndpoint : IDisposable
{
    private readonly OperationsServer _server;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public OperationsEndpoint()
    {
        Address = new HttpAddress("127.0.0.1", FreePort());
        _server = OperationsServer.Start(Address);
    }

    /// <summary>HttpListener takes no port 0: borrow a free one from the system.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public HttpAddress Address { get; }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync($"http://{Address}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The samples of /metrics named <paramref name="name"/> whose labels include
    /// <c>kpipe_pipeline="pipeline"</c>, each with its labels.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> SamplesAsync(string name, string pipeline)
    {
        var (_, text) = await GetAsync("/metrics");
        var samples = new List<(Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal)) continue;
            var rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' ')) continue;
            var labels = new Dictionary<string, string>();
            if (rest[0] == '{')
            {
                var close = rest.IndexOf('}');
                foreach (var pair in rest[1..close].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
                rest = rest[(close + 1)..];
            }
            if (labels.GetValueOrDefault("kpipe_pipeline") != pipeline) continue;
            var value = rest.Trim().Split(' ')[0];
            samples.Add((labels, double.Parse(value, CultureInfo.InvariantCulture)));
        }
        return samples;
    }

    public async Task<double> SumAsync(string name, string pipeline) => (await SamplesAsync(name, pipeline)).Sum(s => s.Value);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(await what());
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }
}
