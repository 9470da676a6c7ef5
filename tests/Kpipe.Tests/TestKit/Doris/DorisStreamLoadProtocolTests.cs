using System.Net;
using System.Text;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisStreamLoadProtocolTests : IAsyncLifetime
{
    private const string Ddl = "CREATE TABLE shop.orders (id VARCHAR(32) NOT NULL, amount DECIMAL(10, 2), note STRING) UNIQUE KEY(id)";
    private static readonly (string, string)[] Json = [("format", "json"), ("read_json_by_line", "true")];

    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { User = "loader", Password = "s3cret:pw" });
        _doris.CreateTable(Ddl);
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private static (string, string)[] With(params (string, string)[] more) => [.. Json, .. more];

    [Fact]
    public void Urls_point_at_loopback_with_distinct_dynamic_ports()
    {
        Assert.StartsWith("http://127.0.0.1:", _doris.FeUrl, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", _doris.BeUrl, StringComparison.Ordinal);
        Assert.NotEqual(_doris.FePort, _doris.BePort);
        Assert.True(_doris.FePort > 0 && _doris.BePort > 0);
        Assert.Equal("loader", _doris.User);
        Assert.Equal("s3cret:pw", _doris.Password);
    }

    [Fact]
    public async Task Fe_redirects_with_credentials_in_location_and_the_load_succeeds_when_auth_is_resent()
    {
        var fe = await _client.SendAsync(HttpMethod.Put, _doris.StreamLoadUrl("shop", "orders"), "{\"id\":\"a\"}", With(("label", "l1")));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, fe.StatusCode);
        var location = fe.Headers.Location!;
        Assert.Equal("loader:s3cret%3Apw", location.UserInfo);
        Assert.Equal(_doris.BePort, location.Port);
        Assert.Equal("/api/shop/orders/_stream_load", location.AbsolutePath);
        Assert.EndsWith("?", location.OriginalString, StringComparison.Ordinal);
        Assert.Empty(_doris.Loads); // the FE never loads

        var answer = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\",\"amount\":\"12.5\"}\n{\"id\":\"b\",\"amount\":3}", With(("label", "l2")));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal("OK", answer.Str("Message"));
        Assert.Equal("l2", answer.Str("Label"));
        Assert.True(answer.Long("TxnId") > 0);
        Assert.Equal(2, answer.Long("NumberTotalRows"));
        Assert.Equal(2, answer.Long("NumberLoadedRows"));
        Assert.Equal("false", answer.Str("TwoPhaseCommit"));
        Assert.True(answer.Long("LoadBytes") > 0);
        foreach (var field in new[] { "Comment", "NumberFilteredRows", "NumberUnselectedRows", "LoadTimeMs", "BeginTxnTimeMs",
                     "StreamLoadPutTimeMs", "ReadDataTimeMs", "WriteDataTimeMs", "CommitAndPublishTimeMs" })
            Assert.True(answer.Json.TryGetProperty(field, out _), field);
        Assert.False(answer.Json.TryGetProperty("ErrorURL", out _));

        var rows = _doris.Rows("shop", "orders");
        Assert.Equal(["a", "b"], rows.Select(r => (string)r["id"]!));
        Assert.Equal(12.50m, rows[0]["amount"]);
        Assert.Equal("12.50", ((decimal)rows[0]["AMOUNT"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(rows[1]["note"]);
    }

    [Fact]
    public async Task A_client_that_follows_the_redirect_automatically_loses_auth_and_the_load_fails()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
        using var request = new HttpRequestMessage(HttpMethod.Put, _doris.StreamLoadUrl("shop", "orders"));
        request.Headers.Authorization = StreamLoadTestClient.Basic("loader", "s3cret:pw");
        request.Headers.ExpectContinue = true;
        request.Headers.Add("format", "json");
        request.Headers.Add("label", "auto-redirect");
        request.Content = new StringContent("{\"id\":\"a\"}", Encoding.UTF8);

        using var response = await http.SendAsync(request);
        var body = new HttpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);

        Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        Assert.Equal("Fail", body.Str("Status"));
        Assert.Contains("no valid Basic authorization", body.Str("Message"), StringComparison.Ordinal);
        Assert.Empty(_doris.Rows("shop", "orders"));
        Assert.Null(_doris.LabelStatus("shop", "auto-redirect"));
    }

    [Fact]
    public async Task Fe_refuses_a_load_without_expect_header()
    {
        var answer = await _client.SendAsync(HttpMethod.Put, _doris.StreamLoadUrl("shop", "orders"), "{}", Json, expect: false);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("FAILED", answer.Str("status"));
        Assert.Equal("There is no 100-continue header", answer.Str("msg"));
    }

    [Fact]
    public async Task Fe_answers_wrong_or_missing_credentials_with_http_200_and_code_401()
    {
        using var wrong = new StreamLoadTestClient(_doris) { Password = "nope" };
        var answer = await wrong.SendAsync(HttpMethod.Put, _doris.StreamLoadUrl("shop", "orders"), "{}", Json);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Unauthorized", answer.Str("msg"));
        Assert.Equal(401, answer.Long("code"));

        var missing = await _client.SendAsync(HttpMethod.Put, _doris.StreamLoadUrl("shop", "orders"), "{}", Json, auth: false);
        Assert.Equal(HttpStatusCode.OK, missing.StatusCode);
        Assert.Equal(401, missing.Long("code"));
        Assert.Equal("Need auth information.", missing.Str("data"));
    }

    [Fact]
    public async Task Be_checks_credentials_too_and_accepts_direct_loads()
    {
        using var wrong = new StreamLoadTestClient(_doris) { Password = "nope" };
        var refused = await wrong.LoadToBeAsync("shop", "orders", "{\"id\":\"x\"}", With(("label", "direct-1")));
        Assert.Equal("Fail", refused.Str("Status"));
        Assert.Contains("Access denied", refused.Str("Message"), StringComparison.Ordinal);

        var ok = await _client.LoadToBeAsync("shop", "orders", "{\"id\":\"x\"}", With(("label", "direct-1")));
        Assert.Equal("Success", ok.Str("Status"));
        Assert.Single(_doris.Rows("shop", "orders"));
    }

    [Fact]
    public async Task Reusing_the_label_of_a_finished_load_answers_label_already_exists_finished()
    {
        var first = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\",\"amount\":1}", With(("label", "batch-7")));
        Assert.Equal("Success", first.Str("Status"));

        var second = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\",\"amount\":2}", With(("label", "batch-7")));

        Assert.Equal("Label Already Exists", second.Str("Status"));
        Assert.Equal("FINISHED", second.Str("ExistingJobStatus"));
        Assert.Equal(-1, second.Long("TxnId"));
        Assert.Contains($"Label [batch-7] has already been used, relate to txn [{first.Long("TxnId")}]", second.Str("Message"), StringComparison.Ordinal);
        Assert.Equal(1.00m, _doris.Rows("shop", "orders").Single()["amount"]);
        Assert.Equal(DorisTxnStatus.Visible, _doris.LabelStatus("shop", "batch-7"));
    }

    [Fact]
    public async Task A_failed_load_frees_its_label()
    {
        var failed = await _client.LoadAsync("shop", "orders", "{\"id\":null}", With(("label", "retry-me")));
        Assert.Equal("Fail", failed.Str("Status"));
        Assert.Equal(DorisTxnStatus.Aborted, _doris.LabelStatus("shop", "retry-me"));

        var retried = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", "retry-me")));
        Assert.Equal("Success", retried.Str("Status"));
    }

    [Fact]
    public async Task A_label_in_use_by_a_running_load_answers_running()
    {
        var release = new TaskCompletionSource();
        using var http = new HttpClient();
        using var slowRequest = new HttpRequestMessage(HttpMethod.Put, $"{_doris.BeUrl}/api/shop/orders/_stream_load");
        slowRequest.Headers.Authorization = StreamLoadTestClient.Basic("loader", "s3cret:pw");
        slowRequest.Headers.Add("format", "json");
        slowRequest.Headers.Add("read_json_by_line", "true");
        slowRequest.Headers.Add("label", "busy");
        slowRequest.Content = new GatedContent("{\"id\":\"slow\"}\n"u8.ToArray(), release.Task);
        var slow = http.SendAsync(slowRequest);

        await WaitUntilAsync(() => _doris.LabelStatus("shop", "busy") == DorisTxnStatus.Prepare);
        var second = await _client.LoadAsync("shop", "orders", "{\"id\":\"other\"}", With(("label", "busy")));

        Assert.Equal("Label Already Exists", second.Str("Status"));
        Assert.Equal("RUNNING", second.Str("ExistingJobStatus"));

        release.SetResult();
        using var done = await slow;
        Assert.Contains("\"Success\"", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["slow"], _doris.Rows("shop", "orders").Select(r => (string)r["id"]!));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public async Task Invalid_labels_are_refused(string label)
    {
        var answer = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", label)));
        Assert.Equal("Fail", answer.Str("Status"));
        Assert.Contains("Label format error", answer.Str("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_of_128_allowed_characters_load_and_129_do_not()
    {
        var ok = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", "a-b_c:" + new string('x', 122))));
        Assert.Equal("Success", ok.Str("Status"));
        var tooLong = await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", new string('y', 129))));
        Assert.Equal("Fail", tooLong.Str("Status"));
    }

    [Fact]
    public async Task Empty_body_is_a_valid_load_and_unknown_table_fails()
    {
        var empty = await _client.LoadAsync("shop", "orders", "", With(("label", "empty")));
        Assert.Equal("Success", empty.Str("Status"));
        Assert.Equal(0, empty.Long("NumberTotalRows"));

        var unknown = await _client.LoadAsync("shop", "nope", "{\"id\":\"a\"}", Json);
        Assert.Equal("Fail", unknown.Str("Status"));
        Assert.Contains("unknown table", unknown.Str("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_log_records_every_be_request()
    {
        await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", "log-1")));
        await _client.LoadAsync("shop", "orders", "{\"id\":\"a\"}", With(("label", "log-1")));

        var loads = _doris.Loads;
        Assert.Equal(2, loads.Count);
        Assert.Equal(("log-1", "Success", 1L, true), (loads[0].Label, loads[0].Status, loads[0].NumberLoadedRows, loads[0].Committed));
        Assert.Equal(("Label Already Exists", "FINISHED", false), (loads[1].Status, loads[1].ExistingJobStatus, loads[1].Committed));
    }

    [Fact]
    public async Task Parallel_loads_into_one_table_all_land()
    {
        var tasks = Enumerable.Range(0, 16).Select(i =>
        {
            var body = string.Join("\n", Enumerable.Range(0, 100).Select(j => $"{{\"id\":\"{i}-{j}\",\"amount\":{j}}}"));
            return _client.LoadAsync("shop", "orders", body, With(("label", $"par-{i}")));
        });
        var answers = await Task.WhenAll(tasks);

        Assert.All(answers, a => Assert.Equal("Success", a.Str("Status")));
        Assert.Equal(1600, _doris.Rows("shop", "orders").Count);
    }

    [Fact]
    public async Task Large_line_delimited_body_is_streamed_and_loaded()
    {
        var dup = new DorisTableBuilder("shop", "events").Column("id", "BIGINT", nullable: false).Column("payload", "STRING").Build();
        _doris.CreateTable(dup);
        const int count = 200_000;
        var payload = new string('p', 90);
        var sb = new StringBuilder(count * 120);
        for (var i = 0; i < count; i++)
            sb.Append("{\"id\":").Append(i).Append(",\"payload\":\"").Append(payload).Append("\"}\n");

        var answer = await _client.LoadAsync("shop", "events", sb.ToString(), With(("label", "big")));

        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal(count, answer.Long("NumberLoadedRows"));
        Assert.True(answer.Long("LoadBytes") > 20_000_000);
        var rows = _doris.Rows("shop", "events");
        Assert.Equal(count, rows.Count);
        Assert.Equal(count - 1, (long)rows[^1]["id"]!);
    }

    [Fact]
    public async Task FormatTable_prints_a_mysql_style_table()
    {
        await _client.LoadAsync("shop", "orders", "{\"id\":\"a\",\"amount\":1.5,\"note\":\"hi\"}\n{\"id\":\"b\"}", Json);

        var text = _doris.FormatTable("shop", "orders");

        Assert.Contains("| id | amount | note |", text, StringComparison.Ordinal);
        Assert.Contains("| a  |   1.50 | hi   |", text, StringComparison.Ordinal);
        Assert.Contains("| b  |   NULL | NULL |", text, StringComparison.Ordinal);
        Assert.Contains("2 rows in set", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Synchronous_start_and_dispose_work()
    {
        using var doris = DorisEmulator.Start(new DorisEmulatorOptions { Tables = ["CREATE TABLE a.b (x INT)"] });
        Assert.NotEqual(0, doris.FePort);
        Assert.Empty(doris.Rows("a", "b"));
    }

    [Fact]
    public async Task Fe_lists_the_backend_and_be_serves_health_and_unknown_error_logs_as_404()
    {
        var backends = await _client.SendAsync(HttpMethod.Get, $"{_doris.FeUrl}/api/backends", null, []);
        Assert.Equal(_doris.BePort, backends.Json.GetProperty("data").GetProperty("backends")[0].GetProperty("http_port").GetInt32());

        using var http = new HttpClient();
        using var missing = await http.GetAsync($"{_doris.BeUrl}/api/_load_error_log?file=__shard_0/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
            await Task.Delay(10, timeout.Token);
    }

    /// <summary>A body that sends its bytes only once the gate opens, to keep a load running.</summary>
    private sealed class GatedContent(byte[] bytes, Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.FlushAsync();
            await gate;
            await stream.WriteAsync(bytes);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
