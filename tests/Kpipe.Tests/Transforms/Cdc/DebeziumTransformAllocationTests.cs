using System.Text;
using Kpipe.Engine;
using Kpipe.Transforms.Cdc;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Kpipe.Tests.Transforms.Cdc;

/// <summary>The CDC row path's allocation is a contract (docs/performance.md): under 100 managed bytes per row.</summary>
public sealed class DebeziumTransformAllocationTests(ITestOutputHelper output)
{
    /// <summary>The compare bench's CDC workload: envelopes of creates, updates and deletes without schema.</summary>
    internal static byte[] Event(int i, int total)
    {
        var ids = Math.Max(1, total / 3);
        var id = $"D{i % ids}";
        var round = i / ids;
        var op = round == 0 ? "c" : i % 10 == 0 ? "d" : "u";
        string Image(int r) => $$"""{"id": "{{id}}", "device_name": "Drilling Machine 2000", "timestamp": {{1721383200000L + i * 1000L}}, "manufacturer": "TechTools Inc.", "model": "DTM-2000", "description": "Advanced drilling machine for industrial use", "location": "Production Line {{(char)('A' + r % 3)}}", "battery_voltage": {{12 + r}}.5}""";
        var before = op == "c" ? "null" : Image(round - 1);
        var after = op == "d" ? "null" : Image(round);
        return Encoding.UTF8.GetBytes($$$"""{"payload": {"before": {{{before}}}, "after": {{{after}}}, "source": {"connector": "mysql", "file": "mysql-bin.000003", "pos": {{{154 + i}}}, "table": "devices"}, "op": "{{{op}}}", "ts_ms": {{{1721383200100L + i}}}}}""");
    }

    internal static DebeziumOptions ExampleOptions(string sequence) => new()
    {
        Sequence = sequence,
        Columns =
        [
            new ColumnOptions { Name = "id", Required = true }, new ColumnOptions { Name = "device_name" },
            new ColumnOptions { Name = "timestamp", Type = "timestamp" }, new ColumnOptions { Name = "manufacturer" },
            new ColumnOptions { Name = "model" }, new ColumnOptions { Name = "description" }, new ColumnOptions { Name = "location" },
            new ColumnOptions { Name = "battery_voltage", Type = "double" },
        ],
    };

    [Theory]
    [InlineData("ts_ms")]
    [InlineData("binlog")]
    [InlineData("source.pos")]
    public void The_row_path_allocates_less_than_100_bytes_per_row(string sequence)
    {
        const int Messages = 3000;
        var batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, Messages).Select(i => new ManagedRecord("dbserver1.inventory.devices", 0, i, null, Event(i, Messages)))]);
        var errors = new RecordErrorHandler(ErrorPolicy.Fail, new PipelineMetrics(), NullLogger.Instance);
        using var transform = new DebeziumTransform(ExampleOptions(sequence), NullLogger.Instance);
        transform.Apply(batch, errors);
        transform.Apply(batch, errors);
        var before = GC.GetAllocatedBytesForCurrentThread();
        transform.Apply(batch, errors);
        var perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)batch.Rows!.Count;
        output.WriteLine($"{sequence}: {perRow:F1} B/row over {batch.Rows.Count} rows");
        Assert.Equal(Messages, batch.Rows.Count);
        Assert.True(perRow < 100, $"{perRow:F1} bytes per row");
    }
}
