using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kpipe.Sinks.Doris;

/// <summary>The answer to one SQL statement: done, with the rows of a query, or refused with Doris's reason.</summary>
/// <param name="Ok">Doris ran the statement (<c>code</c> 0).</param>
/// <param name="Rows">A query's rows, each column as text (null for SQL NULL); empty for other statements.</param>
/// <param name="Error">Why it was not run: Doris's message, or the transport failure.</param>
/// <param name="Transient">Nothing was answered (connection refused, timeout, 5xx): asking again may work.</param>
/// <param name="Columns">A query's column names (<c>data.meta[].name</c>), in row order; empty when not given.</param>
internal sealed record DorisSqlResult(bool Ok, IReadOnlyList<string?[]> Rows, string? Error, bool Transient = false, IReadOnlyList<string>? Columns = null)
{
    /// <summary>The value of the column named <paramref name="name"/> in <paramref name="row"/>, or at
    /// <paramref name="position"/> when the answer names no columns.</summary>
    public string? Value(string?[] row, string name, int position)
    {
        var index = Columns is { Count: > 0 } names ? names.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) : position;
        return index >= 0 && index < row.Length ? row[index] : null;
    }
}

/// <summary>
/// Runs SQL statements through the FE's HTTP endpoint <c>POST /api/query/default_cluster/{db}</c> with the JSON body
/// <c>{"stmt": "..."}</c> and Basic authentication, as the Flink Doris connector's schema change does
/// (SchemaChangeManager.execute, which takes <c>code</c> 0 in the JSON answer for success and anything else for a
/// failure). A query's rows are read from <c>data.data</c> (arrays, one per row) and a failure's reason from <c>data</c>
/// when it is text, else <c>msg</c>: the shape of fe's StmtExecutionAction answers as we understand them, not confirmed
/// against Doris's source; any other answer still reads as a failure with its text. FEs are tried in turn when one cannot be reached. The password is never part of an error.
/// </summary>
internal sealed class DorisSqlClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri[] _frontends;
    private readonly AuthenticationHeaderValue _authorization;
    private int _frontend;

    public DorisSqlClient(DorisSinkOptions options)
    {
        _frontends = [.. options.FeNodes.Select(StreamLoadClient.Address)];
        _authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout : TimeSpan.FromSeconds(60),
        };
    }

    public async Task<DorisSqlResult> ExecuteAsync(string database, string stmt, CancellationToken cancel)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["stmt"] = stmt });
        string? lastError = null;
        for (var i = 0; i < _frontends.Length; i++)
        {
            var fe = _frontends[(_frontend + i) % _frontends.Length];
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fe, $"/api/query/default_cluster/{Uri.EscapeDataString(database)}"))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Authorization = _authorization;
            try
            {
                using var response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
                _frontend = (_frontend + i) % _frontends.Length;
                if ((int)response.StatusCode >= 500)
                    return new DorisSqlResult(false, [], $"HTTP {(int)response.StatusCode} from the FE", Transient: true);
                return Read(text, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
            {
                // Nothing answered: the next FE may.
                lastError = e is TaskCanceledException ? $"no answer from {fe.Authority} within the request timeout" : $"{fe.Authority}: {e.Message}";
            }
        }
        return new DorisSqlResult(false, [], lastError, Transient: true);
    }

    private static DorisSqlResult Read(string text, int status)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.ToString() : "-1";
            var data = root.TryGetProperty("data", out var d) ? d : default;
            if (code != "0")
            {
                // The reason is in data (okWithCommonError) or msg (Unauthorized and other refusals).
                var reason = data.ValueKind == JsonValueKind.String ? data.GetString()
                    : root.TryGetProperty("msg", out var m) ? m.ToString() : text;
                return new DorisSqlResult(false, [], $"Doris refused the statement: {reason} (code {code})");
            }
            var rows = new List<string?[]>();
            var columns = new List<string>();
            if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("data", out var table) && table.ValueKind == JsonValueKind.Array)
            {
                foreach (var row in table.EnumerateArray())
                    rows.Add([.. row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())]);
                if (data.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Array)
                    columns.AddRange(meta.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("name", out var n) ? n.ToString() : ""));
            }
            return new DorisSqlResult(true, rows, null, Columns: columns);
        }
        catch (JsonException)
        {
            return new DorisSqlResult(false, [], $"the FE's answer (HTTP {status}) is not JSON", Transient: true);
        }
    }

    public void Dispose() => _http.Dispose();
}
