using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// <c>exactlyOnce</c> on the embedded Kafka. The mock runs transactions on the produce side but neither hides aborted
/// records from read_committed consumers nor stores the offsets of TxnOffsetCommit (rdkafka_mock_handlers.c; it does
/// write the transaction markers, which take offsets in the sink topic), so
/// these tests check what it can show: the protocol sequence (request tracking), that the source never commits
/// by itself, and that the offsets each transaction committed (the pipeline's debug log) are exactly what the sink
/// topic holds. Hiding aborted records and resuming from transactional offsets need a real Kafka
/// (<see cref="KafkaToKafka_ExactlyOnceRealKafka"/>).
/// </summary>
public sealed partial class KafkaToKafka_ExactlyOnce
{
    [Fact]
    public async Task A_clean_run_commits_records_and_offsets_in_transactions_and_the_offsets_match_the_sink()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("out", 2);
        const int count = 20_000;
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(count));
        kafka.StartRequestTracking();
        var logs = new CapturedLogs();

        var run = PipelineHarness.Start(Options(kafka, "eos-clean"), logs.Factory);
        await WaitUntil(() => Committed(logs).Values.Sum() == count, run);
        await run.StopAsync();

        var requests = kafka.Requests();
        Assert.DoesNotContain(requests, r => r.ApiKey == KafkaApiKey.OffsetCommit);
        // One producer id, then transactions: partitions added as records go to them, the group's offsets added,
        // sent to the group coordinator, and the transaction ended.
        Assert.Matches("^I(P+OTE)+$", Sequence(requests));
        // The offsets committed with the transactions are those of the records the sink holds, partition for
        // partition (preserve partitioning; the source offsets start at 0, and the sink's offsets also count the
        // transaction markers, so records are counted, not offsets).
        var source = PipelineHarness.ValuesByPartition(KafkaTestClient.ReadAll(kafka.BootstrapServers, "in", TimeSpan.FromSeconds(30)));
        var copied = PipelineHarness.ValuesByPartition(KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30)));
        Assert.Equal(copied.ToDictionary(p => p.Key, p => (long)p.Value.Count), Committed(logs));
        Assert.Equal(source, copied);
    }

    [Fact]
    public async Task A_transaction_the_group_fences_is_aborted_and_the_pipeline_stops_with_only_committed_offsets_behind()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 2);
        kafka.CreateTopic("out", 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(5_000));
        var logs = new CapturedLogs();
        var run = PipelineHarness.Start(Options(kafka, "eos-abort"), logs.Factory);
        await WaitUntil(() => Committed(logs).Values.Sum() == 5_000, run);

        // The group coordinator refuses the next transaction's offsets as a zombie's (KIP-447: another
        // generation owns the partitions).
        kafka.StartRequestTracking();
        kafka.PushRequestErrors(KafkaApiKey.TxnOffsetCommit, ErrorCode.IllegalGeneration);
        // Not idempotent: its own InitProducerId would be tracked too.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(5_000, start: 5_000), c => c.EnableIdempotence = false);

        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("transaction could not be committed", failure.Message);
        Assert.Contains(logs.Messages, m => m.Contains("transaction aborted", StringComparison.Ordinal));
        var requests = kafka.Requests();
        Assert.DoesNotContain(requests, r => r.ApiKey == KafkaApiKey.OffsetCommit);
        // The failed transaction (records, offsets refused), then its abort; none committed after it. librdkafka
        // may get a new epoch around the abort (KIP-360), hence the optional InitProducerId.
        Assert.Matches("^P+OTI?EI?$", Sequence(requests));
        Assert.Equal(5_000, Committed(logs).Values.Sum());
        // What the aborted transaction wrote lies past the committed offsets (a real Kafka hides it from
        // read_committed consumers); below them, the sink holds the source's records, in order.
        var sink = KafkaTestClient.GetWatermarks(kafka.BootstrapServers, "out");
        var source = PipelineHarness.ValuesByPartition(KafkaTestClient.ReadAll(kafka.BootstrapServers, "in", TimeSpan.FromSeconds(30)));
        var copied = PipelineHarness.ValuesByPartition(KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30)));
        foreach (var (partition, next) in Committed(logs))
        {
            Assert.True(sink[partition].High >= next);
            Assert.Equal(source[partition].Take((int)next), copied[partition].Take((int)next));
        }
    }

    internal static PipelineOptions Options(EmbeddedKafka kafka, string name) => PipelineLoader.Parse($"""
        name: {name}
        source:
          bootstrapServers: {kafka.BootstrapServers}
          topics: [in]
          maxRecordsPerBatch: 1000
        sinks:
          - type: kafka
            bootstrapServers: {kafka.BootstrapServers}
            topic: out
            partitioning: preserve
            exactlyOnce: true
            transactionalId: {name}
        engine:
          commitInterval: 100ms
          statsInterval: 0s
        """, $"{name}.yaml");

    /// <summary>The next offset per source partition, as the last transaction committing it logged.</summary>
    internal static Dictionary<int, long> Committed(CapturedLogs logs)
    {
        var result = new Dictionary<int, long>();
        foreach (var message in logs.Messages)
        {
            var m = CommittedLine().Match(message);
            if (!m.Success) continue;
            foreach (Match o in OffsetItem().Matches(m.Groups[1].Value))
                result[int.Parse(o.Groups[1].Value)] = long.Parse(o.Groups[2].Value);
        }
        return result;
    }

    /// <summary>The transactional requests as letters: InitProducerId I, AddPartitionsToTxn P, AddOffsetsToTxn O,
    /// TxnOffsetCommit T, EndTxn E.</summary>
    internal static string Sequence(IReadOnlyList<MockRequest> requests) => string.Concat(requests.Select(r => r.ApiKey switch
    {
        KafkaApiKey.InitProducerId => "I",
        KafkaApiKey.AddPartitionsToTxn => "P",
        KafkaApiKey.AddOffsetsToTxn => "O",
        KafkaApiKey.TxnOffsetCommit => "T",
        KafkaApiKey.EndTxn => "E",
        _ => "",
    }));

    private static async Task WaitUntil(Func<bool> condition, PipelineHarness.Running run)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (run.Task.IsCompleted) await run.Task;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the condition did not hold within 2 minutes");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"transaction committed with offsets (.*)$")]
    private static partial Regex CommittedLine();

    [GeneratedRegex(@"\[(\d+)\]@(\d+)")]
    private static partial Regex OffsetItem();
}
