using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Runtime faults of Doris at the pipeline level (docs/errors.md, "Faults"): each either recovers with every row
/// loaded once, or stops the pipeline with an error that names the trouble and commits nothing it did not load.
/// </summary>
public sealed class KafkaToDoris_DorisFaults
{
    private const int Records = 3_000;

    [Fact]
    public async Task Errors_dropped_connections_and_lost_answers_are_retried_and_every_row_lands_once()
    {
        using var kafka = EmbeddedKafka.Start();
        await using var doris = await StartDoris();
        // In load order: Doris answers 503 five times, drops two connections before loading, and twice loads and
        // commits but loses the answer (the retry meets its own label: Label Already Exists, not a second copy).
        doris.Faults.NextLoadsFailWithHttpStatus(5, 503);
        doris.Faults.NextLoadsDropConnection(2);
        doris.Faults.NextLoadsDropConnectionAfterCommit(2);
        await Produce(kafka);

        var run = PipelineHarness.Start(Pipeline(kafka, doris, "faults"));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-faults", "in", Records, TimeSpan.FromSeconds(90));
        var metrics = await run.StopAsync();

        Assert.Equal(0, doris.Faults.Pending);
        var ids = doris.Rows("shop", "items").Select(r => Convert.ToInt64(r["id"])).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), ids); // Duplicate Key table: a repeat would show
        Assert.Equal(Records, metrics.RecordsWritten);
    }

    [Fact]
    public async Task Loads_slower_than_the_request_timeout_are_retried_and_every_row_lands_once()
    {
        using var kafka = EmbeddedKafka.Start();
        await using var doris = await StartDoris();
        // requestTimeout is 1s here. Three loads hang before loading (the sink gives up on each, nothing was
        // loaded, the retry loads it), then three commit and hold the answer back (the retry meets its own label).
        doris.Faults.Inject(DorisFault.Stall(TimeSpan.FromSeconds(30)), 3);
        doris.Faults.Inject(DorisFault.Stall(TimeSpan.FromSeconds(30), afterCommit: true), 3);
        await Produce(kafka);

        var run = PipelineHarness.Start(Pipeline(kafka, doris, "slow", requestTimeout: "1s"));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-slow", "in", Records, TimeSpan.FromSeconds(90));
        var metrics = await run.StopAsync();

        Assert.Equal(0, doris.Faults.Pending);
        Assert.Equal(3, doris.Loads.Count(l => l.Fault is { Kind: DorisFaultKind.Stall, AfterCommit: false } && !l.ResponseSent));
        Assert.Contains(doris.Loads, l => l is { Status: "Label Already Exists", ExistingJobStatus: "FINISHED" });
        var ids = doris.Rows("shop", "items").Select(r => Convert.ToInt64(r["id"])).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), ids); // Duplicate Key table: a repeat would show
        Assert.Equal(Records, metrics.RecordsWritten);
    }

    [Fact]
    public async Task A_missing_table_stops_the_pipeline_with_its_name_and_commits_nothing()
    {
        using var kafka = EmbeddedKafka.Start();
        await using var doris = await StartDoris();
        await Produce(kafka);

        var run = PipelineHarness.Start(Pipeline(kafka, doris, "missing", table: "shop.nosuch"));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(90)));

        var text = Describe(failure);
        Assert.Contains("Doris has no table shop.nosuch", text, StringComparison.Ordinal);
        Assert.Contains("unknown table", text, StringComparison.Ordinal);
        Assert.DoesNotContain(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-missing", "in"), o => o.Value > 0);
    }

    [Fact]
    public async Task A_wrong_password_stops_the_pipeline_without_showing_the_password_and_commits_nothing()
    {
        using var kafka = EmbeddedKafka.Start();
        await using var doris = await StartDoris();
        await Produce(kafka);

        const string wrong = "not-the-password-9f3c";
        var run = PipelineHarness.Start(Pipeline(kafka, doris, "auth", password: wrong));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(90)));

        var text = Describe(failure);
        Assert.Contains("Doris refused user", text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        Assert.DoesNotContain(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-auth", "in"), o => o.Value > 0);
        Assert.Empty(doris.Rows("shop", "items"));
    }

    private static Task<DorisEmulator> StartDoris() => DorisEmulator.StartAsync(new DorisEmulatorOptions
    {
        Tables = ["CREATE TABLE shop.items (id BIGINT NOT NULL, name VARCHAR(64)) DUPLICATE KEY(id)"],
    });

    private static async Task Produce(EmbeddedKafka kafka)
    {
        kafka.CreateTopic("in", 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, Records).Select(i => new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"item {{i}}"}"""),
        }));
    }

    private static PipelineOptions Pipeline(EmbeddedKafka kafka, DorisEmulator doris, string name, string table = "shop.items", string? password = null,
        string requestTimeout = "5s") =>
        PipelineLoader.Parse($"""
            name: {name}
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
              maxRecordsPerBatch: 200
            sinks:
              - type: doris
                feNodes: [{doris.FeUrl}]
                table: {table}
                user: {doris.User}
                password: "{password ?? doris.Password}"
                maxRows: 500
                maxAge: 200ms
                retryBackoff: 50ms
                requestTimeout: {requestTimeout}
            engine:
              commitInterval: 100ms
              statsInterval: 0s
            """, $"{name}.yaml");

    /// <summary>The failure and its causes, as the one-line error the CLI prints is made of them.</summary>
    private static string Describe(Exception e)
    {
        var text = new StringBuilder();
        for (Exception? x = e; x != null; x = x.InnerException) text.Append(x.Message).Append(" | ");
        return text.ToString();
    }
}
