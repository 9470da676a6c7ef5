using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Benchmarks;

/// <summary>
/// Seed shape 3: a message whose payload holds 3 devices, exploded into 3 typed rows of 8 columns
/// (strings, a timestamp parsed from ISO-8601, a double cast from a string). 1,000 messages per
/// operation, i.e. 3,000 output rows: divide the reported time and allocation by 3,000 for per-row figures.
/// Baselines, measured in the same run: a JsonDocument (DOM) doing the same extraction and casts, and a
/// bare Utf8JsonReader pass that only tokenises the bytes (the floor for any JSON reader).
/// </summary>
[MemoryDiagnoser]
public class SelectExplodeBenchmark
{
    private const int Messages = 1000;
    private RecordBatch _batch = null!;
    private SelectTransform _select = null!;
    private RecordErrorHandler _errors = null!;
    private byte[][] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        _values = Enumerable.Range(0, Messages).Select(i => Encoding.UTF8.GetBytes(Message(i))).ToArray();
        _batch = ManagedBatch.Create(1, _values.Select((v, i) => new ManagedRecord("t", 0, i, null, v)).ToList());
        _errors = new RecordErrorHandler(ErrorPolicy.Fail, new PipelineMetrics(), NullLogger.Instance);
        _select = new SelectTransform(new SelectOptions
        {
            Explode = "payload",
            Columns =
            [
                new() { Name = "id", Path = "device_id" }, new() { Name = "device_name" },
                new() { Name = "timestamp", Type = "timestamp" }, new() { Name = "manufacturer" },
                new() { Name = "model" }, new() { Name = "description" }, new() { Name = "location" },
                new() { Name = "battery_voltage", Type = "double" },
            ],
        });
    }

    private static string Message(int i)
    {
        var devices = Enumerable.Range(0, 3).Select(d => $$"""
            {"device_id":"FD{{i * 3 + d}}","device_name":"Drilling Machine 2000","timestamp":"2024-07-19T10:00:{{d:00}}Z","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A","battery_voltage":"12.{{d}}"}
            """.Trim());
        return $$"""{"payload":[{{string.Join(",", devices)}}]}""";
    }

    [Benchmark(Description = "kpipe select+explode (Utf8JsonReader -> typed columns)")]
    public int Kpipe()
    {
        _select.Apply(_batch, _errors);
        return _batch.Rows!.Count;
    }

    [Benchmark(Baseline = true, Description = "baseline: JsonDocument DOM + per-field strings")]
    public int JsonDocumentDom()
    {
        var rows = 0;
        foreach (var v in _values)
        {
            using var doc = JsonDocument.Parse(v);
            foreach (var e in doc.RootElement.GetProperty("payload").EnumerateArray())
            {
                _ = e.GetProperty("device_id").GetString();
                _ = e.GetProperty("device_name").GetString();
                _ = DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                _ = e.GetProperty("manufacturer").GetString();
                _ = e.GetProperty("model").GetString();
                _ = e.GetProperty("description").GetString();
                _ = e.GetProperty("location").GetString();
                _ = double.Parse(e.GetProperty("battery_voltage").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                rows++;
            }
        }
        return rows;
    }

    [Benchmark(Description = "floor: Utf8JsonReader tokenising only")]
    public int ReaderOnly()
    {
        var tokens = 0;
        foreach (var v in _values)
        {
            var reader = new Utf8JsonReader(v);
            while (reader.Read()) tokens++;
        }
        return tokens;
    }
}
