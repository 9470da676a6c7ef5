using BenchmarkDotNet.Attributes;
using Kpipe.Benchmarks.Compare;
using Kpipe.Engine;
using Kpipe.Transforms.Cdc;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Benchmarks;

/// <summary>
/// The debezium transform alone on the compare bench's CDC workload (envelopes without schema: creates, updates,
/// deletes; examples/kafka_cdc_to_doris.yaml's columns), 3,000 messages per operation, one row each: divide the
/// reported allocation by 3,000 for bytes per row. <c>--filter *Cdc*</c>.
/// </summary>
[MemoryDiagnoser]
public class CdcBenchmark
{
    private const int Messages = 3000;
    private RecordBatch _batch = null!;
    private DebeziumTransform _transform = null!;
    private RecordErrorHandler _errors = null!;

    [Params("ts_ms", "binlog")]
    public string Sequence { get; set; } = "ts_ms";

    [GlobalSetup]
    public void Setup()
    {
        _batch = ManagedBatch.Create(1, [.. Enumerable.Range(0, Messages).Select(i =>
        {
            var m = Workloads.Cdc(i, Messages);
            return new ManagedRecord("dbserver1.inventory.devices", 0, i, m.Key, m.Value);
        })]);
        _errors = new RecordErrorHandler(ErrorPolicy.Fail, new PipelineMetrics(), NullLogger.Instance);
        _transform = new DebeziumTransform(new DebeziumOptions
        {
            Sequence = Sequence,
            Columns =
            [
                new() { Name = "id", Required = true }, new() { Name = "device_name" }, new() { Name = "timestamp", Type = "timestamp" },
                new() { Name = "manufacturer" }, new() { Name = "model" }, new() { Name = "description" }, new() { Name = "location" },
                new() { Name = "battery_voltage", Type = "double" },
            ],
        }, NullLogger.Instance);
    }

    [Benchmark(Description = "debezium transform, 3,000 events")]
    public int Debezium()
    {
        _transform.Apply(_batch, _errors);
        return _batch.Rows!.Count;
    }

    [GlobalCleanup]
    public void Cleanup() => _transform.Dispose();
}
