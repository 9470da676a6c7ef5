using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisTwoPhaseCommitTests : IAsyncLifetime
{
    private static readonly (string, string)[] TwoPhase = [("format", "json"), ("read_json_by_line", "true"), ("two_phase_commit", "true")];

    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Password = "pw" });
        _doris.CreateTable("CREATE TABLE db.t (id INT NOT NULL, v VARCHAR(10)) DUPLICATE KEY(id)");
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private async Task<long> PrecommitAsync(string label, string body = "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}")
    {
        var answer = await _client.LoadAsync("db", "t", body, [.. TwoPhase, ("label", label)]);
        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal("true", answer.Str("TwoPhaseCommit"));
        return answer.Long("TxnId");
    }

    [Fact]
    public async Task Precommitted_rows_are_invisible_until_commit()
    {
        var txnId = await PrecommitAsync("tx-1");

        Assert.Empty(_doris.Rows("db", "t"));
        Assert.Equal(DorisTxnStatus.Precommitted, _doris.TransactionStatus("db", txnId));

        var commit = await _client.TwoPhaseAsync("db", "commit", txnId);

        Assert.Equal("Success", commit.Str("status"));
        Assert.Equal($"transaction [{txnId}] commit successfully.", commit.Str("msg"));
        Assert.Equal(2, _doris.Rows("db", "t").Count);
        Assert.Equal(DorisTxnStatus.Visible, _doris.TransactionStatus("db", txnId));
    }

    [Fact]
    public async Task Reusing_the_label_of_an_open_transaction_answers_precommitted()
    {
        var txnId = await PrecommitAsync("tx-open");

        var again = await _client.LoadAsync("db", "t", "{\"id\":9}", [.. TwoPhase, ("label", "tx-open")]);

        Assert.Equal("Label Already Exists", again.Str("Status"));
        Assert.Equal("PRECOMMITTED", again.Str("ExistingJobStatus"));
        Assert.Contains($"relate to txn [{txnId}]", again.Str("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abort_discards_the_rows_and_frees_the_label()
    {
        var txnId = await PrecommitAsync("tx-abort");

        var abort = await _client.TwoPhaseAsync("db", "abort", txnId);
        Assert.Equal("Success", abort.Str("status"));
        Assert.Equal(DorisTxnStatus.Aborted, _doris.TransactionStatus("db", txnId));

        var commitAfterAbort = await _client.TwoPhaseAsync("db", "commit", txnId);
        Assert.Equal("ANALYSIS_ERROR", commitAfterAbort.Str("status"));
        Assert.Contains("is already aborted. abort reason: User Abort", commitAfterAbort.Str("msg"), StringComparison.Ordinal);

        await PrecommitAsync("tx-abort", "{\"id\":5}");
        Assert.Empty(_doris.Rows("db", "t"));
    }

    [Fact]
    public async Task Committing_twice_reports_already_visible_and_commit_by_label_works()
    {
        await PrecommitAsync("tx-label");
        var byLabel = await _client.TwoPhaseAsync("db", "commit", label: "tx-label");
        Assert.Equal("Success", byLabel.Str("status"));

        var again = await _client.TwoPhaseAsync("db", "commit", label: "tx-label");
        Assert.Equal("ANALYSIS_ERROR", again.Str("status"));
        Assert.Contains("is already visible, not pre-committed.", again.Str("msg"), StringComparison.Ordinal);
        Assert.Equal(2, _doris.Rows("db", "t").Count);
    }

    [Fact]
    public async Task Two_phase_requests_are_checked()
    {
        var unknown = await _client.TwoPhaseAsync("db", "commit", 424242);
        Assert.Contains("transaction [424242] not found", unknown.Str("msg"), StringComparison.Ordinal);

        var badOp = await _client.TwoPhaseAsync("db", "COMMIT", 1);
        Assert.Equal("transaction operation should be 'commit' or 'abort'", badOp.Str("msg"));

        var fe = await _client.SendAsync(HttpMethod.Put, $"{_doris.FeUrl}/api/db/_stream_load_2pc", null, [("txn_operation", "commit")]);
        Assert.Equal("FAILED", fe.Str("status"));
        Assert.Equal("No transaction id or label selected.", fe.Str("msg"));
    }

    [Fact]
    public async Task Precommitted_transactions_time_out_into_aborted()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { TimeProvider = clock, PrecommittedTimeout = TimeSpan.FromMinutes(5) });
        doris.CreateTable("CREATE TABLE db.t (id INT) DUPLICATE KEY(id)");
        using var client = new StreamLoadTestClient(doris);
        var answer = await client.LoadAsync("db", "t", "{\"id\":1}", [.. TwoPhase, ("label", "forgotten")]);
        var txnId = answer.Long("TxnId");

        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(DorisTxnStatus.Aborted, doris.TransactionStatus("db", txnId));
        var commit = await client.TwoPhaseAsync("db", "commit", txnId);
        Assert.Contains("abort reason: timeout by txn manager", commit.Str("msg"), StringComparison.Ordinal);

        // Finished labels are forgotten after the keep time too.
        Assert.Equal("Success", (await client.LoadAsync("db", "t", "{\"id\":2}", [("format", "json"), ("label", "kept")])).Str("Status"));
        Assert.Equal("Label Already Exists", (await client.LoadAsync("db", "t", "{\"id\":2}", [("format", "json"), ("label", "kept")])).Str("Status"));
        clock.Advance(TimeSpan.FromHours(13));
        Assert.Equal("Success", (await client.LoadAsync("db", "t", "{\"id\":2}", [("format", "json"), ("label", "kept")])).Str("Status"));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
