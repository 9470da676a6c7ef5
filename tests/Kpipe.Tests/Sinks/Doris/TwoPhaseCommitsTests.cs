using Confluent.Kafka;
using Kpipe.Sinks.Doris;
using Kpipe.Tests.TestKit.Doris;
using Kpipe.TestKit.Doris;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>The Doris side of exactlyOnce against the emulator: a partition's next owner commits what its last owner
/// recorded, stops when Doris lost it, and clears a label left precommitted by a crash.</summary>
public sealed class TwoPhaseCommitsTests : IAsyncLifetime
{
    private static readonly TopicPartition P0 = new("in", 0);
    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;
    private StreamLoadClient _loads = null!;
    private TwoPhaseCommits _commits = null!;
    private readonly CancellationTokenSource _shutdown = new();

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync();
        _doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL) DUPLICATE KEY(id)");
        _client = new StreamLoadTestClient(_doris);
        var options = new DorisSinkOptions
        {
            FeNodes = [_doris.FeUrl], Table = "shop.t", User = _doris.User, Password = _doris.Password,
            ExactlyOnce = true, MaxRetries = 1, RetryBackoff = TimeSpan.FromMilliseconds(10),
        };
        _loads = new StreamLoadClient(options, "doris", NullLogger.Instance);
        _commits = new TwoPhaseCommits(_loads, options, "shop", "doris", NullLogger.Instance, _ => { }, _shutdown.Token);
    }

    public async Task DisposeAsync()
    {
        await _commits.DisposeAsync();
        _loads.Dispose();
        _client.Dispose();
        _shutdown.Dispose();
        await _doris.DisposeAsync();
    }

    private async Task<long> PrecommitAsync(string label, int id)
    {
        var answer = await _client.LoadAsync("shop", "t", $"{{\"id\":{id}}}",
            ("format", "json"), ("read_json_by_line", "true"), ("two_phase_commit", "true"), ("label", label));
        return answer.Long("TxnId");
    }

    [Fact]
    public async Task Resume_commits_the_recorded_transactions_and_takes_visible_ones_as_done()
    {
        var open = await PrecommitAsync("a", 1);
        var done = await PrecommitAsync("b", 2);
        await _client.TwoPhaseAsync("shop", "commit", done);

        _commits.Resume([P0], [TwoPhaseLedger.Metadata("shop", [new(P0, done, 0, 0), new(P0, open, 1, 1)])]);

        Assert.Equal([1, 2], _doris.Rows("shop", "t").Select(r => Convert.ToInt32(r["id"])).Order());
        Assert.Equal(DorisTxnStatus.Visible, _doris.TransactionStatus("shop", open));
    }

    [Fact]
    public async Task Resume_stops_with_the_offsets_to_replay_when_Doris_aborted_a_recorded_transaction()
    {
        var aborted = await PrecommitAsync("a", 1);
        await _client.TwoPhaseAsync("shop", "abort", aborted);

        var error = Assert.Throws<DorisLoadException>(() => _commits.Resume([P0], [TwoPhaseLedger.Metadata("shop", [new(P0, aborted, 40, 79)])]));

        Assert.Contains($"transaction {aborted} holding in [[0]] offsets 40-79 was aborted", error.Message, StringComparison.Ordinal);
        Assert.Contains("Reset the group's offset of in [[0]] to 40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_left_precommitted_by_a_crash_is_aborted_so_the_load_can_go_under_it()
    {
        var leftover = await PrecommitAsync("kpipe_p_shop_t_in_0_0_99", 1);

        Assert.True(await _commits.AbortLeftoverAsync(leftover, "kpipe_p_shop_t_in_0_0_99", CancellationToken.None));

        Assert.Equal(DorisTxnStatus.Aborted, _doris.TransactionStatus("shop", leftover));
        await PrecommitAsync("kpipe_p_shop_t_in_0_0_99", 1);
        Assert.Equal(DorisTxnStatus.Precommitted, _doris.LabelStatus("shop", "kpipe_p_shop_t_in_0_0_99"));
    }
}
