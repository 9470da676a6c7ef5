using System.Text;
using Kpipe.Engine;
using Kpipe.Sinks;
using Kpipe.Sinks.Console;

namespace Kpipe.Tests.Sinks.Console;

public sealed class ConsoleSinkTests
{
    private sealed class Acks : ISinkAcknowledger
    {
        public int Acknowledged;
        public void Acknowledge(RecordBatch batch) => Acknowledged++;
        public void Fail(RecordBatch batch, Exception error) => throw error;
    }

    private static RecordBatch Batch(params string?[] values) =>
        ManagedBatch.Create(1, values.Select((v, i) => new ManagedRecord("devices", 2, 100 + i,
            Encoding.UTF8.GetBytes($"k{i}"), v == null ? null : Encoding.UTF8.GetBytes(v), 1721383200000)).ToList());

    private static string Print(ConsoleSinkOptions options, RecordBatch batch)
    {
        var output = new MemoryStream();
        var sink = new ConsoleSink(options, output);
        var acks = new Acks();
        sink.Write(batch, acks);
        Assert.Equal(1, acks.Acknowledged);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void Json_values_print_as_they_are_and_other_values_as_strings()
    {
        var text = Print(new ConsoleSinkOptions(), Batch("""{"device_id":"FD2023","v":12.5}""", "plain text", null));
        Assert.Equal("{\"device_id\":\"FD2023\",\"v\":12.5}\n\"plain text\"\nnull\n", text);
    }

    [Fact]
    public void Metadata_wraps_each_value()
    {
        var text = Print(new ConsoleSinkOptions { Metadata = true }, Batch("""{"a":1}"""));
        Assert.Equal("{\"topic\":\"devices\",\"partition\":2,\"offset\":100,\"timestamp\":1721383200000,\"key\":\"k0\",\"value\":{\"a\":1}}\n", text);
    }

    [Fact]
    public void Sampling_prints_the_given_fraction_deterministically()
    {
        var text = Print(new ConsoleSinkOptions { Sample = 0.25 }, Batch(Enumerable.Range(0, 8).Select(i => $"{i}").ToArray()));
        Assert.Equal("3\n7\n", text);
    }

    [Fact]
    public void Dropped_records_are_not_printed()
    {
        var batch = Batch("1", "2", "3");
        batch.TryDrop(1);
        Assert.Equal("1\n3\n", Print(new ConsoleSinkOptions(), batch));
    }
}
