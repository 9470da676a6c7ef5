using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

/// <summary>The raw result of one Stream Load attempt: an HTTP answer, or why there was none.</summary>
internal sealed record StreamLoadAttempt(int HttpStatus, string Body, string? TransportError)
{
    public static StreamLoadAttempt Failed(string error) => new(0, "", error);
}

/// <summary>
/// Sends Stream Load requests. Through an FE: <c>PUT {fe}/api/{db}/{table}/_stream_load</c> with
/// <c>Expect: 100-continue</c>, so the FE answers 307 before the body is sent; the client then sends the same
/// request, body and <c>Authorization</c> included, to the BE named by <c>Location</c>, with the user info
/// that Location embeds removed (it holds the password, so Location is never logged either). Automatic
/// redirects are off because HttpClient drops Authorization on them. FEs are tried in turn when one cannot
/// be connected to; with BE addresses configured, loads go straight to a BE (round robin, same failover).
/// </summary>
internal sealed partial class StreamLoadClient : IDisposable
{
    /// <summary>Headers the sink sets itself, or whose use would break it (no label with group commit, a
    /// two-phase load would never be committed, the body is neither compressed nor an array).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "label", "format", "read_json_by_line", "strip_outer_array", "two_phase_commit", "compress_type",
        "expect", "authorization", "content-length", "content-type", "host", "transfer-encoding",
    };

    private const int MaxRedirects = 3;

    private readonly HttpClient _http;
    private readonly Uri[] _frontends;
    private readonly Uri[] _backends;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly bool _userColumns;
    private readonly TimeSpan _requestTimeout;
    private readonly bool _twoPhase;
    private readonly string _sink;
    private readonly ILogger _logger;
    private int _frontend;
    private int _backend = -1;

    public StreamLoadClient(DorisSinkOptions options, string sinkName, ILogger logger)
    {
        _sink = sinkName;
        _logger = logger;
        _requestTimeout = options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout : TimeSpan.FromSeconds(60);
        _twoPhase = options.ExactlyOnce;
        _frontends = [.. options.FeNodes.Select(Address)];
        _backends = [.. options.BeNodes.Select(Address)];
        if (_frontends.Length == 0 && _backends.Length == 0)
            throw new ArgumentException("the Doris sink needs at least one FE address (feNodes) or BE address (beNodes)");
        _authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["format"] = "json",
            ["read_json_by_line"] = "true",
            ["timezone"] = options.TimeZone,
            ["max_filter_ratio"] = options.MaxFilterRatio.ToString("R", CultureInfo.InvariantCulture),
            ["strict_mode"] = options.StrictMode ? "true" : "false",
            // Doris's own load timeout (600 s by default) aligned with ours: a load we gave up on is aborted by
            // Doris about when we retry it, instead of holding its label RUNNING for ten minutes.
            ["timeout"] = Math.Max(1, (int)Math.Ceiling(_requestTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in options.Headers)
        {
            if (RefusedHeader(name, value) is { } reason) throw new ArgumentException(reason);
            headers[name] = value;
        }
        _userColumns = headers.ContainsKey("columns");
        _headers.AddRange(headers);

        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = _requestTimeout < TimeSpan.FromSeconds(10) ? _requestTimeout : TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // The FE answers before the body: wait a little for "100 Continue" rather than send 64 MiB for nothing.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(2),
            UseProxy = false,
            // Column names (the columns header) may be non-ASCII in Doris 2.0+ (enable_unicode_name_support).
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 1 << 20,
        };
    }

    /// <summary>Why the sink refuses a Stream Load header given in <c>headers</c>, or null when it takes it.</summary>
    internal static string? RefusedHeader(string name, string value)
    {
        var refused = Reserved.Contains(name)
            || (name.Equals("group_commit", StringComparison.OrdinalIgnoreCase) && !value.Trim().Equals("off_mode", StringComparison.OrdinalIgnoreCase));
        return refused
            ? $"the Doris sink sets or cannot work with the Stream Load header '{name}'; remove it from 'headers' (group_commit is accepted only as off_mode; see docs/doris.md)"
            : null;
    }

    /// <summary>Why <paramref name="text"/> is not a Doris HTTP address, or null when it is one.</summary>
    internal static string? InvalidAddress(string text)
    {
        try
        {
            Address(text);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>A configured address as a base URI: <c>http://</c> unless it says <c>https://</c>; any user
    /// info or path in it is dropped.</summary>
    internal static Uri Address(string text)
    {
        var trimmed = text.Trim().TrimEnd('/');
        if (!trimmed.Contains("://", StringComparison.Ordinal)) trimmed = "http://" + trimmed;
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{WithoutUserInfo(text)}' is not a Doris HTTP address (host:port or https://host:port)");
        return new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri;
    }

    private static string WithoutUserInfo(string text)
    {
        var at = text.LastIndexOf('@');
        return at < 0 ? text : text[(at + 1)..];
    }

    /// <summary>Sends one load (the FE request, its redirect and the BE request) within the request timeout.</summary>
    public async Task<StreamLoadAttempt> SendAsync(PartitionLoad load, CancellationToken shutdown)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        timeout.CancelAfter(_requestTimeout);
        HttpResponseMessage? response = null;
        try
        {
            var (nodes, start, direct) = _backends.Length > 0
                ? (_backends, Interlocked.Increment(ref _backend), true)
                : (_frontends, Volatile.Read(ref _frontend), false);
            string? unreachable = null;
            Uri? target = null;
            for (var i = 0; i < nodes.Length && response == null; i++)
            {
                var index = (int)((uint)(start + i) % (uint)nodes.Length);
                target = new Uri(nodes[index], load.Table.Path);
                try
                {
                    response = await PutAsync(target, load, timeout.Token).ConfigureAwait(false);
                    if (!direct) Volatile.Write(ref _frontend, index);
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
                {
                    // Nothing was sent: trying the next node is safe.
                    unreachable = Describe(e);
                    if (i + 1 < nodes.Length)
                        LogFailover(_sink, direct ? "BE" : "FE", nodes[index].Authority, unreachable, nodes[(index + 1) % nodes.Length].Authority);
                }
            }
            if (response == null)
                return StreamLoadAttempt.Failed($"no {(direct ? "BE" : "FE")} reachable ({string.Join(", ", nodes.Select(n => n.Authority))}): {unreachable}");

            for (var hop = 0; response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect; hop++)
            {
                var location = response.Headers.Location;
                if (hop == MaxRedirects || location == null)
                    return StreamLoadAttempt.Failed(location == null ? "redirect without a Location" : "too many redirects");
                // Location embeds user:password@; it is used without them and never logged.
                var next = new UriBuilder(new Uri(target!, location)) { UserName = "", Password = "" }.Uri;
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    return StreamLoadAttempt.Failed($"redirect to a {next.Scheme} address");
                response.Dispose();
                response = null;
                target = next;
                response = await PutAsync(target, load, timeout.Token).ConfigureAwait(false);
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new StreamLoadAttempt((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            return StreamLoadAttempt.Failed($"no answer within {_requestTimeout.TotalSeconds:0.###}s (requestTimeout)");
        }
        catch (HttpRequestException e)
        {
            return StreamLoadAttempt.Failed(Describe(e));
        }
        catch (IOException e)
        {
            return StreamLoadAttempt.Failed(e.Message);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> PutAsync(Uri uri, PartitionLoad load, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = load.Body.CreateContent() };
        request.Headers.Authorization = _authorization;
        request.Headers.ExpectContinue = true;
        request.Headers.TryAddWithoutValidation("label", load.Label);
        // exactlyOnce: the load stays PRECOMMITTED (invisible) until the offsets past it are committed.
        if (_twoPhase) request.Headers.TryAddWithoutValidation("two_phase_commit", "true");
        if (load.Columns != null && !_userColumns)
        {
            request.Headers.TryAddWithoutValidation("columns", load.Columns);
            // Rows carrying Doris's delete sign (CDC deletes) need it declared as a loadable hidden column,
            // as the Flink and Kafka connectors do.
            if (load.Columns.Contains("`__DORIS_DELETE_SIGN__`", StringComparison.Ordinal) && !_headers.Any(h => h.Key == "hidden_columns"))
                request.Headers.TryAddWithoutValidation("hidden_columns", "__DORIS_DELETE_SIGN__");
            // Rows missing some columns (Debezium's unavailable values) keep the stored ones: Doris's partial column
            // update, Unique Key merge-on-write tables only (doris-website data-operate/update/update-of-unique-model).
            if (load.Partial && !_headers.Any(h => h.Key == "partial_columns"))
                request.Headers.TryAddWithoutValidation("partial_columns", "true");
        }
        foreach (var (name, value) in _headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits or aborts a precommitted load: <c>PUT {fe}/api/{db}/_stream_load_2pc</c> with <c>txn_operation</c> and
    /// <c>txn_id</c> (or <c>label</c>, accepted by Doris 2.0+, when the id is not known). The FE checks the headers
    /// and redirects to a BE like a load (fe: LoadAction.executeStreamLoad2PC; be: StreamLoad2PCAction); the answer
    /// is <c>{"status": "Success", "msg": ...}</c> or an error status with the FE's message.
    /// </summary>
    public async Task<StreamLoadAttempt> FinishTransactionAsync(string database, long? txnId, string? label, string operation, CancellationToken shutdown)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        timeout.CancelAfter(_requestTimeout);
        var path = $"/api/{Uri.EscapeDataString(database)}/_stream_load_2pc";
        var (nodes, direct) = _backends.Length > 0 ? (_backends, true) : (_frontends, false);
        var start = direct ? Interlocked.Increment(ref _backend) : Volatile.Read(ref _frontend);
        HttpResponseMessage? response = null;
        try
        {
            string? unreachable = null;
            Uri? target = null;
            for (var i = 0; i < nodes.Length && response == null; i++)
            {
                target = new Uri(nodes[(int)((uint)(start + i) % (uint)nodes.Length)], path);
                try
                {
                    response = await SendTwoPhaseAsync(target, txnId, label, operation, timeout.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
                {
                    unreachable = Describe(e);
                }
            }
            if (response == null)
                return StreamLoadAttempt.Failed($"no {(direct ? "BE" : "FE")} reachable: {unreachable}");
            for (var hop = 0; response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect; hop++)
            {
                var location = response.Headers.Location;
                if (hop == MaxRedirects || location == null)
                    return StreamLoadAttempt.Failed(location == null ? "redirect without a Location" : "too many redirects");
                // As for loads: Location embeds user:password@, used without them and never logged.
                target = new UriBuilder(new Uri(target!, location)) { UserName = "", Password = "" }.Uri;
                response.Dispose();
                response = null;
                response = await SendTwoPhaseAsync(target, txnId, label, operation, timeout.Token).ConfigureAwait(false);
            }
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new StreamLoadAttempt((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            return StreamLoadAttempt.Failed($"no answer within {_requestTimeout.TotalSeconds:0.###}s (requestTimeout)");
        }
        catch (HttpRequestException e)
        {
            return StreamLoadAttempt.Failed(Describe(e));
        }
        catch (IOException e)
        {
            return StreamLoadAttempt.Failed(e.Message);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendTwoPhaseAsync(Uri uri, long? txnId, string? label, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent([]) };
        request.Headers.Authorization = _authorization;
        if (txnId is { } id) request.Headers.TryAddWithoutValidation("txn_id", id.ToString(CultureInfo.InvariantCulture));
        else request.Headers.TryAddWithoutValidation("label", label);
        request.Headers.TryAddWithoutValidation("txn_operation", operation);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads up to <paramref name="max"/> lines of the rejected-row report behind an ErrorURL (be:
    /// LoadErrorLogAction; no credentials are sent to it), within a short timeout. Returns the lines, or an
    /// explanation when it cannot be read.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReadErrorLogAsync(string errorUrl, int max, CancellationToken shutdown, int maxLineLength = 500)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        timeout.CancelAfter(_requestTimeout < TimeSpan.FromSeconds(10) ? _requestTimeout : TimeSpan.FromSeconds(10));
        try
        {
            if (!Uri.TryCreate(errorUrl, UriKind.Absolute, out var uri))
                return [$"(the ErrorURL '{errorUrl}' is not a URL)"];
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return [$"(the error log answered HTTP {(int)response.StatusCode})"];
            // The report may list thousands of rows: read only the first lines.
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), Encoding.UTF8);
            var lines = new List<string>(max);
            while (lines.Count < max && await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                line = line.Trim();
                if (line.Length > 0) lines.Add(line.Length <= maxLineLength ? line : line[..maxLineLength] + "...");
            }
            return lines;
        }
        catch (IOException e)
        {
            return [$"(the error log could not be read: {e.Message})"];
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            return ["(the error log did not answer in time)"];
        }
        catch (HttpRequestException e)
        {
            return [$"(the error log could not be read: {Describe(e)})"];
        }
    }

    private static string Describe(HttpRequestException e)
    {
        var inner = e.InnerException?.Message;
        return inner == null || e.Message.Contains(inner, StringComparison.Ordinal) ? e.Message : $"{e.Message} ({inner})";
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: {Kind} {Node} unreachable ({Reason}); trying {Next}")]
    private partial void LogFailover(string sink, string kind, string node, string reason, string next);
}
