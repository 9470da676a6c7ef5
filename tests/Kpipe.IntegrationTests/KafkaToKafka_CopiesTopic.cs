using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class KafkaToKafka_CopiesTopic
{
    [Fact]
    public async Task Copies_100000_messages_over_4_partitions_with_keys_values_headers_and_order()
    {
        using var kafka = EmbeddedKafka.Start(brokers: 3);
        kafka.CreateTopic("in", 4);
        kafka.CreateTopic("out", 4);
        const int count = 100_000;
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(count));
        var source = KafkaTestClient.ReadAll(kafka.BootstrapServers, "in", TimeSpan.FromSeconds(60), count);
        Assert.Equal(count, source.Count);

        var run = PipelineHarness.Start(PipelineHarness.KafkaToKafka(kafka.BootstrapServers, kafka.BootstrapServers, "in", "out", "copy-100k"));
        await PipelineHarness.WaitForCount(kafka.BootstrapServers, "out", count, TimeSpan.FromSeconds(120));
        var metrics = await run.StopAsync();

        var copied = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(60), count);
        Assert.Equal(count, copied.Count);
        Assert.Equal(count, metrics.RecordsIn);
        Assert.Equal(count, metrics.RecordsWritten);

        // Same partition, same order, same key, value, headers and timestamp as the source record at that position.
        var expected = source.GroupBy(r => r.Partition.Value).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Offset.Value).ToList());
        var actual = copied.GroupBy(r => r.Partition.Value).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Offset.Value).ToList());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (partition, records) in expected)
        {
            Assert.Equal(records.Count, actual[partition].Count);
            for (var i = 0; i < records.Count; i++)
            {
                var want = records[i].Message;
                var got = actual[partition][i].Message;
                Assert.Equal(want.Key, got.Key);
                Assert.Equal(want.Value, got.Value);
                Assert.Equal(want.Timestamp.UnixTimestampMs, got.Timestamp.UnixTimestampMs);
                Assert.Equal(want.Headers.Select(h => (h.Key, h.GetValueBytes())), got.Headers.Select(h => (h.Key, h.GetValueBytes())));
            }
        }

        // Everything acknowledged was committed: the group's offsets are at the end of every partition.
        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "copy-100k", "in");
        foreach (var (partition, records) in expected)
            Assert.Equal(records[^1].Offset.Value + 1, committed[partition]);
    }
}
