using System.Text;
using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.Benchmarks.Compare;

/// <summary>The three inputs: (a) keyed ~200-byte JSON messages, (b) seed 3's payload arrays of 3 devices,
/// (c) Debezium change events (creates, updates, some deletes) for a rolling set of ids.</summary>
internal static class Workloads
{
    /// <summary>Partitions of every topic (<c>--partitions</c>): the mock keeps ~5 MB of batches per partition,
    /// so backlogs beyond 300,000 messages need more of them.</summary>
    public static int Partitions { get; set; } = 8;

    public static Message<byte[]?, byte[]?> Plain(int i) => new()
    {
        Key = Encoding.UTF8.GetBytes($"k{i}"),
        Value = Encoding.UTF8.GetBytes($$"""{"device_id":"FD{{i}}","device_name":"Drilling Machine 2000","manufacturer":"TechTools Inc.","model":"DTM-2000","location":"Production Line A","battery_voltage":12.5,"seq":{{i}}}"""),
    };

    public static Message<byte[]?, byte[]?> Seed3(int i)
    {
        var devices = Enumerable.Range(0, 3).Select(d => $$"""{"device_id": "FD{{i * 3 + d}}", "device_name": "Drilling Machine 2000", "timestamp": "2024-07-19T10:{{i / 60 % 60:00}}:{{i % 60:00}}Z", "manufacturer": "TechTools Inc.", "model": "DTM-2000", "description": "Advanced drilling machine for industrial use", "location": "Production Line A", "battery_voltage": "12.{{d}}"}""");
        return new() { Key = Encoding.UTF8.GetBytes($"m{i}"), Value = Encoding.UTF8.GetBytes($$"""{"payload": [{{string.Join(", ", devices)}}]}""") };
    }

    /// <summary>Event i touches id D(i mod ids): its first event creates it, later ones update it, and every
    /// tenth event after the first round deletes it (the next event on that id creates it again).</summary>
    public static Message<byte[]?, byte[]?> Cdc(int i, int total)
    {
        var ids = Math.Max(1, total / 3);
        var id = $"D{i % ids}";
        var round = i / ids;
        var op = round == 0 ? "c" : i % 10 == 0 ? "d" : "u";
        string Image(int r) => $$"""{"id": "{{id}}", "device_name": "Drilling Machine 2000", "timestamp": {{1721383200000L + i * 1000L}}, "manufacturer": "TechTools Inc.", "model": "DTM-2000", "description": "Advanced drilling machine for industrial use", "location": "Production Line {{(char)('A' + r % 3)}}", "battery_voltage": {{12 + r}}.5}""";
        var before = op == "c" ? "null" : Image(round - 1);
        var after = op == "d" ? "null" : Image(round);
        var value = $$$"""{"payload": {"before": {{{before}}}, "after": {{{after}}}, "source": {"connector": "mysql", "file": "mysql-bin.000003", "pos": {{{154 + i}}}, "table": "devices"}, "op": "{{{op}}}", "ts_ms": {{{1721383200100L + i}}}}}""";
        return new() { Key = Encoding.UTF8.GetBytes($$"""{"id": "{{id}}"}"""), Value = Encoding.UTF8.GetBytes(value) };
    }

    public static int CdcDeletes(int total) => Enumerable.Range(0, total).Count(i => i / Math.Max(1, total / 3) > 0 && i % 10 == 0);

    /// <summary>Creates the topic with 8 partitions and preloads it with lz4 and large batches, then checks that
    /// the mock kept everything (its partitions drop batches beyond ~5 MB silently).</summary>
    public static async Task PreloadAsync(EmbeddedKafka kafka, string topic, int count, Func<int, Message<byte[]?, byte[]?>> message)
    {
        kafka.CreateTopic(topic, Partitions);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, Enumerable.Range(0, count).Select(message), c =>
        {
            c.LingerMs = 50;
            c.BatchSize = 1_000_000;
            c.QueueBufferingMaxMessages = 500_000;
        });
        var marks = KafkaTestClient.GetWatermarks(kafka.BootstrapServers, topic);
        var kept = marks.Values.Sum(w => w.High - w.Low);
        if (marks.Values.Any(w => w.Low > 0) || kept != count)
            throw new InvalidOperationException($"preload of '{topic}': {kept} of {count} messages readable (low watermarks {string.Join(",", marks.Values.Select(w => w.Low))}); the mock's ~5 MB per partition was exceeded");
    }
}

/// <summary>Sum of a topic's high watermarks through one long-lived consumer: a cheap "how much has arrived".</summary>
internal sealed class TopicWatch : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly string _topic;

    public TopicWatch(string bootstrap, string topic)
    {
        _topic = topic;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = $"bench-watch-{Guid.NewGuid():N}", EnableAutoCommit = false,
        }).Build();
    }

    public long Messages() => Enumerable.Range(0, Workloads.Partitions)
        .Sum(p => _consumer.QueryWatermarkOffsets(new TopicPartition(_topic, p), TimeSpan.FromSeconds(5)).High.Value);

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
