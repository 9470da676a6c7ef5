using System.Text;
using Kpipe.Engine;
using Kpipe.Sinks;
using Kpipe.Sinks.Kafka;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Sinks.Kafka;

public sealed class KafkaSinkTests
{
    private sealed class Acks : ISinkAcknowledger
    {
        private int _acknowledged;
        public int Acknowledged => Volatile.Read(ref _acknowledged);
        public Exception? Failure { get; private set; }
        public void Acknowledge(RecordBatch batch) => Interlocked.Increment(ref _acknowledged);
        public void Fail(RecordBatch batch, Exception error) => Failure = error;
    }

    private static KafkaSink Sink(EmbeddedKafka kafka, ErrorPolicy policy, string? keyField = null) =>
        new(new KafkaSinkOptions { BootstrapServers = kafka.BootstrapServers, Topic = "out", KeyField = keyField, Partitioning = KafkaPartitioning.Preserve },
            "sink-test", new RecordErrorHandler(policy, new PipelineMetrics(), NullLogger.Instance), NullLogger.Instance);

    private static ManagedRecord Record(long offset, string? key, string? value, IReadOnlyList<KeyValuePair<string, byte[]?>>? headers = null) =>
        new("in", 0, offset, key == null ? null : Encoding.UTF8.GetBytes(key), value == null ? null : Encoding.UTF8.GetBytes(value), 1721383200000 + offset, headers);

    [Fact]
    public async Task Keys_values_tombstones_headers_and_timestamps_arrive_as_consumed_and_the_batch_is_acknowledged()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("out", 1);
        var sink = Sink(kafka, ErrorPolicy.Fail);
        var acks = new Acks();
        var batch = ManagedBatch.Create(1, [
            Record(0, "k0", """{"n":0}""", [new("trace", "abc"u8.ToArray()), new("empty", null)]),
            Record(1, null, """{"n":1}"""),
            Record(2, "k2", null),
        ]);
        sink.Write(batch, acks);
        await sink.DisposeAsync();

        Assert.Equal(1, acks.Acknowledged);
        var read = KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30));
        Assert.Equal(3, read.Count);
        Assert.Equal("k0", Encoding.UTF8.GetString(read[0].Message.Key!));
        Assert.Equal("""{"n":0}""", Encoding.UTF8.GetString(read[0].Message.Value!));
        Assert.Equal(["trace", "empty"], read[0].Message.Headers.Select(h => h.Key));
        Assert.Equal("abc", Encoding.UTF8.GetString(read[0].Message.Headers[0].GetValueBytes()));
        Assert.Null(read[0].Message.Headers[1].GetValueBytes());
        Assert.Equal(1721383200000, read[0].Message.Timestamp.UnixTimestampMs);
        Assert.Null(read[1].Message.Key);
        Assert.Null(read[2].Message.Value);
    }

    [Fact]
    public async Task A_record_error_under_fail_stops_the_batch_and_it_is_never_acknowledged()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("out", 1);
        var sink = Sink(kafka, ErrorPolicy.Fail, keyField: "id");
        var acks = new Acks();
        var batch = ManagedBatch.Create(1, [Record(0, null, """{"id":1}"""), Record(1, null, """{"other":2}""")]);

        var error = Assert.Throws<RecordErrorException>(() => sink.Write(batch, acks));
        await sink.DisposeAsync(); // serves the first record's delivery report

        Assert.Contains("in[0]@1", error.Message);
        // Acknowledging would let the engine commit offset 1, the record that failed.
        Assert.Equal(0, acks.Acknowledged);
        Assert.Single(KafkaTestClient.ReadAll(kafka.BootstrapServers, "out", TimeSpan.FromSeconds(30)));
    }
}
