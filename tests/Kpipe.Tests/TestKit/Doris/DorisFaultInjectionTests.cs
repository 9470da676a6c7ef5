using System.Net;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisFaultInjectionTests : IAsyncLifetime
{
    private static readonly (string, string)[] Json = [("format", "json"), ("read_json_by_line", "true")];

    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync();
        _doris.CreateTable("CREATE TABLE db.t (id INT NOT NULL) UNIQUE KEY(id)");
        _doris.CreateTable("CREATE TABLE db.other (id INT NOT NULL) UNIQUE KEY(id)");
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private Task<HttpAnswer> Load(string label, string table = "t") =>
        _client.LoadAsync("db", table, "{\"id\":1}\n{\"id\":2}", [.. Json, ("label", label)]);

    [Fact]
    public async Task Http_errors_fail_the_next_loads_and_leave_the_label_free()
    {
        _doris.Faults.NextLoadsFailWithHttpStatus(2, 503);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Load("h")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Load("h")).StatusCode);
        var third = await Load("h");

        Assert.Equal("Success", third.Str("Status"));
        Assert.Equal(0, _doris.Faults.Pending);
        Assert.Equal([false, false, true], _doris.Loads.Select(l => l.ResponseSent));
        Assert.Equal(DorisFaultKind.HttpError, _doris.Loads[0].Fault!.Kind);
    }

    [Fact]
    public async Task Dropped_connection_before_the_load_stores_nothing()
    {
        _doris.Faults.NextLoadsDropConnection(1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Load("drop"));

        Assert.Empty(_doris.Rows("db", "t"));
        Assert.Null(_doris.LabelStatus("db", "drop"));
        Assert.Equal("Success", (await Load("drop")).Str("Status"));
    }

    [Fact]
    public async Task Dropped_connection_after_commit_is_the_lost_response()
    {
        _doris.Faults.NextLoadsDropConnectionAfterCommit(1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Load("lost"));

        Assert.Equal(2, _doris.Rows("db", "t").Count);
        var record = Assert.Single(_doris.Loads);
        Assert.True(record.Committed);
        Assert.False(record.ResponseSent);

        // The retry with the same label is how a client learns the first attempt landed.
        var retry = await Load("lost");
        Assert.Equal("Label Already Exists", retry.Str("Status"));
        Assert.Equal("FINISHED", retry.Str("ExistingJobStatus"));
    }

    [Fact]
    public async Task Publish_timeout_is_committed()
    {
        _doris.Faults.NextLoadsPublishTimeout(1);

        var answer = await Load("pt");

        Assert.Equal("Publish Timeout", answer.Str("Status"));
        Assert.Equal(2, answer.Long("NumberLoadedRows"));
        Assert.Equal(2, _doris.Rows("db", "t").Count);
        Assert.Equal("Label Already Exists", (await Load("pt")).Str("Status"));
    }

    [Fact]
    public async Task Fail_with_a_message_loads_nothing_and_frees_the_label()
    {
        _doris.Faults.NextLoadsFail(1, "[E-235]too many versions, tablet_id=10086");

        var answer = await Load("versions");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Fail", answer.Str("Status"));
        Assert.Equal("[E-235]too many versions, tablet_id=10086", answer.Str("Message"));
        Assert.Empty(_doris.Rows("db", "t"));
        Assert.Equal("Success", (await Load("versions")).Str("Status"));
    }

    [Fact]
    public async Task Stall_delays_the_load_which_then_succeeds()
    {
        _doris.Faults.NextLoadsStall(1, TimeSpan.FromMilliseconds(200));

        var answer = await Load("slow");

        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal(DorisFaultKind.Stall, _doris.Loads.Single().Fault!.Kind);
    }

    [Fact]
    public async Task A_client_that_gives_up_during_a_stall_leaves_nothing_behind()
    {
        _doris.Faults.NextLoadsStall(1, TimeSpan.FromMinutes(10));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{_doris.BeUrl}/api/db/t/_stream_load");
        request.Headers.Authorization = StreamLoadTestClient.Basic(_doris.User, _doris.Password);
        request.Headers.Add("format", "json");
        request.Headers.Add("label", "gave-up");
        request.Content = new StringContent("{\"id\":1}");

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.SendAsync(request));
        await DorisStreamLoadProtocolTests.WaitUntilAsync(() => _doris.Loads.Count == 1);

        Assert.False(_doris.Loads[0].ResponseSent);
        Assert.Null(_doris.LabelStatus("db", "gave-up"));
        Assert.Empty(_doris.Rows("db", "t"));
    }

    [Fact]
    public async Task Faults_can_target_one_table()
    {
        _doris.Faults.Inject(DorisFault.Fail("[TIMEOUT]load timeout"), database: "db", table: "other");

        Assert.Equal("Success", (await Load("a", "t")).Str("Status"));
        Assert.Equal(1, _doris.Faults.Pending);
        Assert.Equal("Fail", (await Load("b", "other")).Str("Status"));
        Assert.Equal(0, _doris.Faults.Pending);
    }
}
