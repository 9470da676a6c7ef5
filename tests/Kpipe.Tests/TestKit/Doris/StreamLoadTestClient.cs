using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

/// <summary>The answer to one HTTP request, with its body parsed as JSON when it is JSON.</summary>
internal sealed record HttpAnswer(HttpStatusCode StatusCode, string Body, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Str(string name) => Json.TryGetProperty(name, out var v) ? v.ToString() : null;

    public long Long(string name) => Json.GetProperty(name).GetInt64();
}

/// <summary>
/// A Stream Load client done right, as the kpipe sink must be: PUT to the FE with Expect: 100-continue and
/// Basic auth, no automatic redirect, then the same PUT (body and Authorization) to the BE named by Location.
/// </summary>
internal sealed class StreamLoadTestClient(DorisEmulator doris) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    public string User { get; init; } = doris.User;

    public string Password { get; init; } = doris.Password;

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Loads through the FE: follows the 307 by hand, keeping the Authorization header.</summary>
    public async Task<HttpAnswer> LoadAsync(string db, string table, string body, params (string Name, string Value)[] headers)
    {
        var fe = await SendAsync(HttpMethod.Put, doris.StreamLoadUrl(db, table), body, headers).ConfigureAwait(false);
        if (fe.StatusCode != HttpStatusCode.TemporaryRedirect)
            return fe;
        return await SendAsync(HttpMethod.Put, WithoutUserInfo(fe.Headers.Location!), body, headers).ConfigureAwait(false);
    }

    /// <summary>Loads straight into the BE, as clients that know the BE address do.</summary>
    public Task<HttpAnswer> LoadToBeAsync(string db, string table, string body, params (string Name, string Value)[] headers) =>
        SendAsync(HttpMethod.Put, $"{doris.BeUrl}/api/{db}/{table}/_stream_load", body, headers);

    /// <summary>Commits or aborts a two-phase load through the FE (which redirects to the BE).</summary>
    public async Task<HttpAnswer> TwoPhaseAsync(string db, string operation, long? txnId = null, string? label = null)
    {
        var headers = new List<(string, string)> { ("txn_operation", operation) };
        if (txnId is not null)
            headers.Add(("txn_id", txnId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (label is not null)
            headers.Add(("label", label));
        var fe = await SendAsync(HttpMethod.Put, $"{doris.FeUrl}/api/{db}/_stream_load_2pc", null, [.. headers]).ConfigureAwait(false);
        if (fe.StatusCode != HttpStatusCode.TemporaryRedirect)
            return fe;
        return await SendAsync(HttpMethod.Put, WithoutUserInfo(fe.Headers.Location!), null, [.. headers]).ConfigureAwait(false);
    }

    public async Task<string> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    public Task<HttpAnswer> SendAsync(HttpMethod method, string url, string? body, (string Name, string Value)[] headers,
        bool auth = true, bool expect = true) =>
        SendBytesAsync(method, url, body is null ? null : Encoding.UTF8.GetBytes(body), headers, auth, expect);

    /// <summary>Loads raw bytes (e.g. a gzip body) through the FE, following the redirect by hand.</summary>
    public async Task<HttpAnswer> LoadBytesAsync(string db, string table, byte[] body, params (string Name, string Value)[] headers)
    {
        var fe = await SendBytesAsync(HttpMethod.Put, doris.StreamLoadUrl(db, table), body, headers).ConfigureAwait(false);
        if (fe.StatusCode != HttpStatusCode.TemporaryRedirect)
            return fe;
        return await SendBytesAsync(HttpMethod.Put, WithoutUserInfo(fe.Headers.Location!), body, headers).ConfigureAwait(false);
    }

    public async Task<HttpAnswer> SendBytesAsync(HttpMethod method, string url, byte[]? body, (string Name, string Value)[] headers,
        bool auth = true, bool expect = true)
    {
        using var request = new HttpRequestMessage(method, url);
        if (auth)
            request.Headers.Authorization = Basic(User, Password);
        if (expect && body is not null)
            request.Headers.ExpectContinue = true;
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        request.Content = new ByteArrayContent(body ?? []);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return new HttpAnswer(response.StatusCode, text, response.Headers);
    }

    public static string WithoutUserInfo(Uri location) =>
        new UriBuilder(location) { UserName = "", Password = "" }.Uri.ToString();

    public void Dispose() => _http.Dispose();
}
