using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine.DeadLetters;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>Issue #11's "done when": 1% bad records of every kind, run to the end under dead_letter.</summary>
public sealed class DeadLetter_MixedBadRecordsToDoris
{
    private const int Count = 3_000;

    /// <summary>Every 100th record is bad, cycling through the kinds; the rest are good.</summary>
    private static (byte[]? Value, string? Kind) Value(int i)
    {
        var good = Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"n{{i}}"}""");
        if (i % 100 != 42) return (good, null);
        return ((i / 100) % 8) switch
        {
            0 => (Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"longer than sixteen bytes"}"""), "doris-varchar"),
            1 => (Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"""), "broken-json"),
            2 => (null, "tombstone"),
            3 => (Encoding.UTF8.GetBytes($$"""{"id":"x{{i}}","name":"n"}"""), "failed-cast"),
            4 => ([.. Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"a"""), 0xFF, .. "\"}"u8], "invalid-utf8"),
            5 => (Encoding.UTF8.GetBytes("[1,2,3]"), "not-an-object"),
            6 => (Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"n"} xyz"""), "trailing-content"),
            _ => (Encoding.UTF8.GetBytes($$"""{"id":{{i}},"id":{{i + 1}},"name":"n"}"""), "duplicate-key"),
        };
    }

    [Fact]
    public async Task Good_rows_all_reach_doris_every_bad_record_is_dead_lettered_once_and_the_sums_match()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("dlq", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = ["CREATE TABLE shop.items (id BIGINT NOT NULL, name VARCHAR(16)) DUPLICATE KEY(id)"],
        });
        var pipeline = PipelineLoader.Parse($"""
            name: mixed
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
              maxRecordsPerBatch: 700
            transforms:
              - type: select
                columns:
                  - name: id
                    type: long
                  - name: name
            sinks:
              - type: doris
                feNodes: [{doris.FeUrl}]
                table: shop.items
                user: {doris.User}
                password: "{doris.Password}"
                maxRows: 500
                maxAge: 200ms
                retryBackoff: 10ms
            errors:
              policy: dead_letter
              deadLetter:
                topic: dlq
            engine:
              statsInterval: 0s
              commitInterval: 200ms
            """, "mixed.yaml");
        var records = Enumerable.Range(0, Count).Select(i => (I: i, V: Value(i))).ToList();
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", records.Select(r => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"k{r.I}"),
            Value = r.V.Value,
            Headers = new Headers { { "seq", Encoding.UTF8.GetBytes(r.I.ToString()) } },
        }));

        var run = PipelineHarness.Start(pipeline);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-mixed", "in", Count, TimeSpan.FromSeconds(90));
        var metrics = await run.StopAsync();

        var bad = records.Where(r => r.V.Kind != null).ToDictionary(r => $"k{r.I}", r => r.V.Kind!);
        var goodIds = records.Where(r => r.V.Kind == null).Select(r => (long)r.I).ToList();
        Assert.Equal(goodIds, doris.Rows("shop", "items").Select(r => Convert.ToInt64(r["id"])).Order());

        var dead = KafkaTestClient.ReadAll(kafka.BootstrapServers, "dlq", TimeSpan.FromSeconds(30), bad.Count);
        var deadKeys = dead.Select(r => PipelineHarness.Text(r.Message.Key)).ToList();
        Assert.Equal(bad.Keys.Order(), deadKeys.Order());
        foreach (var letter in dead)
        {
            var key = PipelineHarness.Text(letter.Message.Key);
            var i = int.Parse(key[1..]);
            Assert.Equal(Value(i).Value, letter.Message.Value);
            Assert.Equal(i.ToString(), Header(letter, "seq"));
            Assert.Equal("in", Header(letter, DeadLetterHeaders.Topic));
            Assert.Equal("mixed", Header(letter, DeadLetterHeaders.Pipeline));
            Assert.NotEqual("<none>", Header(letter, DeadLetterHeaders.ExceptionMessage));
            var stage = Header(letter, DeadLetterHeaders.KpipeStage);
            Assert.True(bad[key] == "doris-varchar" ? stage == "sinks.doris-0" : stage.StartsWith("transforms[0]."), $"{bad[key]}: {stage}");
        }
        var varchar = dead.First(r => bad[PipelineHarness.Text(r.Message.Key)] == "doris-varchar");
        Assert.Equal("name", Header(varchar, DeadLetterHeaders.Field));

        Assert.Equal(Count, metrics.RecordsIn);
        Assert.Equal((long)goodIds.Count, metrics.RecordsWritten);
        Assert.Equal(bad.Count, metrics.RecordsDeadLettered);
        Assert.Equal(0, metrics.RecordsSkipped + metrics.RecordsFiltered);
        foreach (var (tp, counts) in metrics.Partitions) Assert.True(counts.Pending == 0, $"{tp}: {counts}");
    }

    private static string Header(ConsumeResult<byte[]?, byte[]?> r, string name) =>
        r.Message.Headers.TryGetLastBytes(name, out var v) ? Encoding.UTF8.GetString(v) : "<none>";
}
