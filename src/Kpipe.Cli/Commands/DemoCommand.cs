using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli.Commands;

/// <summary>
/// `kpipe demo`: the seed's pipelines on an embedded Kafka (librdkafka's mock cluster) and the Doris
/// emulator, fed the seed's sample messages; prints what arrived. Needs nothing installed.
/// </summary>
internal static class DemoCommand
{
    private const int Messages = 1000;

    public static Command Create(TextWriter output, TextWriter error, Option<LogLevel> logLevel)
    {
        var command = new Command("demo", "Run the seed's pipelines (Kafka->Kafka, Kafka->Doris, Kafka list->Doris, CDC->Doris) on an embedded Kafka and a Doris emulator, and print what arrived.");
        command.SetAction(async (parse, cancel) =>
        {
            using var loggers = Logging.Create(parse.GetValue(logLevel) is var l && l == LogLevel.Information ? LogLevel.Warning : l);
            return await RunAsync(output, error, loggers, cancel);
        });
        return command;
    }

    public static async Task<int> RunAsync(TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancel)
    {
        using var kafka = EmbeddedKafka.Start(brokers: 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables =
            [
                "CREATE TABLE demo.devices (device_id VARCHAR(32) NOT NULL, device_name VARCHAR(128), manufacturer VARCHAR(128), model VARCHAR(64), description VARCHAR(256), location VARCHAR(128)) DUPLICATE KEY(device_id)",
                "CREATE TABLE demo.device_readings (id VARCHAR(32) NOT NULL, device_name VARCHAR(128), `timestamp` DATETIME(6), manufacturer VARCHAR(128), model VARCHAR(64), description VARCHAR(256), location VARCHAR(128), battery_voltage DOUBLE) DUPLICATE KEY(id)",
                "CREATE TABLE demo.devices_current (id VARCHAR(32) NOT NULL, device_name VARCHAR(128), `timestamp` DATETIME(6), manufacturer VARCHAR(128), model VARCHAR(64), description VARCHAR(256), location VARCHAR(128), battery_voltage DOUBLE, _seq BIGINT) UNIQUE KEY(id) PROPERTIES (\"function_column.sequence_col\" = \"_seq\")",
            ],
        }, cancel);
        output.WriteLine($"Embedded Kafka at {kafka.BootstrapServers}; Doris emulator FE at {doris.FeUrl}.");
        string? Env(string name) => name switch
        {
            "KAFKA_BOOTSTRAP" or "KAFKA_SINK_BOOTSTRAP" => kafka.BootstrapServers,
            "DORIS_FE" => doris.FeUrl,
            "DORIS_USER" => doris.User,
            "DORIS_PASSWORD" => doris.Password,
            _ => Environment.GetEnvironmentVariable(name),
        };
        var ok = await KafkaToKafka(output, error, loggers, kafka, Env, cancel);
        ok &= await KafkaToDoris(output, error, loggers, kafka, doris, Env, cancel);
        return ok ? ExitCodes.Ok : ExitCodes.PipelineFailed;
    }

    private static async Task<bool> KafkaToKafka(TextWriter output, TextWriter error, ILoggerFactory loggers, EmbeddedKafka kafka, Func<string, string?> env, CancellationToken cancel)
    {
        kafka.CreateTopic("source_topic", partitions: 4);
        kafka.CreateTopic("sink_topic", partitions: 4);
        output.WriteLine();
        output.WriteLine($"== 1. Kafka To Kafka: {Messages} device messages, source_topic -> sink_topic (4 partitions each)");
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "source_topic", SampleDevices(Messages), cancellationToken: cancel);
        var pipeline = await RunUntil("kafka_to_kafka.yaml", env, loggers, output, cancel, _ => Count(kafka, "sink_topic") >= Messages);

        var copied = KafkaTestClient.ReadAll(kafka.BootstrapServers, "sink_topic", TimeSpan.FromSeconds(20), Messages);
        output.WriteLine($"sink_topic now holds {copied.Count} messages:");
        foreach (var group in copied.GroupBy(r => r.Partition.Value).OrderBy(g => g.Key))
            output.WriteLine($"  partition {group.Key}: {group.Count()} messages, offsets {group.First().Offset.Value}..{group.Last().Offset.Value}");
        output.WriteLine("First messages:");
        foreach (var r in copied.Take(3))
        {
            var headers = string.Join(",", r.Message.Headers.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}"));
            output.WriteLine($"  key={Encoding.UTF8.GetString(r.Message.Key ?? [])} headers[{headers}] value={Encoding.UTF8.GetString(r.Message.Value ?? [])}");
        }
        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, pipeline.Source.GroupId!, "source_topic");
        output.WriteLine($"Committed offsets of group {pipeline.Source.GroupId}: {string.Join(", ", committed.OrderBy(c => c.Key).Select(c => $"p{c.Key}={c.Value}"))}");
        if (copied.Count == Messages) return true;
        error.WriteLine($"error: expected {Messages} messages in sink_topic, found {copied.Count}");
        return false;
    }

    private static async Task<bool> KafkaToDoris(TextWriter output, TextWriter error, ILoggerFactory loggers, EmbeddedKafka kafka, DorisEmulator doris, Func<string, string?> env, CancellationToken cancel)
    {
        var ok = true;
        foreach (var (number, title, file, topic, input, table, expected) in new[]
                 {
                     (2, "Kafka To Doris: one message, one row", "kafka_to_doris.yaml", "devices", "kafka_to_doris.input.jsonl", "devices", 1),
                     (3, "Kafka List To Doris: the payload array exploded, renamed and cast", "kafka_list_to_doris.yaml", "device_lists", "kafka_list_to_doris.input.jsonl", "device_readings", 1),
                     (4, "Kafka Cdc To Doris: FD2023 created, updated and deleted, FD2024 created, onto a Unique Key table", "kafka_cdc_to_doris.yaml", "dbserver1.inventory.devices", "kafka_cdc_to_doris.events.jsonl", "devices_current", 1),
                 })
        {
            output.WriteLine();
            output.WriteLine($"== {number}. {title} ({Path.Combine("examples", file)})");
            kafka.CreateTopic(topic, partitions: 1);
            var messages = File.ReadAllLines(ExampleFile(input)).Where(l => l.Trim().Length > 0)
                .Select(l => new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(l) }).ToList();
            await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, messages, cancellationToken: cancel);
            output.WriteLine(messages.Count == 1
                ? $"Produced the seed's sample message to {topic}: {Encoding.UTF8.GetString(messages[0].Value!)}"
                : $"Produced {messages.Count} change events to {topic} (examples/{input}).");
            await RunUntil(file, env, loggers, output, cancel, p => doris.Rows("demo", table).Count >= expected
                && KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, p.Source.GroupId ?? $"kpipe-{p.Name}", topic).Values.Sum() >= messages.Count);
            output.WriteLine($"Doris table demo.{table}:");
            output.WriteLine(doris.FormatTable("demo", table));
            if (doris.Rows("demo", table).Count >= expected) continue;
            error.WriteLine($"error: expected {expected} row(s) in demo.{table}");
            ok = false;
        }
        return ok;
    }

    /// <summary>Runs an example pipeline until the condition holds (or 60 s pass), then stops it like SIGTERM.</summary>
    private static async Task<PipelineOptions> RunUntil(string file, Func<string, string?> env, ILoggerFactory loggers, TextWriter output, CancellationToken cancel, Func<PipelineOptions, bool> done)
    {
        var pipeline = PipelineLoader.Load(ExampleFile(file), env);
        // A demo shows a handful of rows: load them at once instead of after the production default of 5 s.
        foreach (var doris in pipeline.Sinks.OfType<Kpipe.Sinks.Doris.DorisSinkOptions>()) doris.MaxAge = TimeSpan.FromMilliseconds(500);
        pipeline.Engine.StatsInterval = TimeSpan.Zero;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = PipelineHost.RunAsync(pipeline, loggers, Stream.Null, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done(pipeline) && DateTime.UtcNow < deadline && !run.IsCompleted)
            await Task.Delay(200, cancel);
        await stop.CancelAsync();
        var metrics = await run;
        output.WriteLine($"Pipeline {pipeline.Name} stopped: {metrics}.");
        return pipeline;
    }

    private static long Count(EmbeddedKafka kafka, string topic) =>
        KafkaTestClient.GetWatermarks(kafka.BootstrapServers, topic).Values.Sum(w => w.High - w.Low);

    internal static IEnumerable<Message<byte[]?, byte[]?>> SampleDevices(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"FD{2023 + i}";
            var json = $$"""{"device_id":"{{id}}","device_name":"Drilling Machine {{2000 + i}}","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line {{(char)('A' + i % 4)}}"}""";
            yield return new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(id),
                Value = Encoding.UTF8.GetBytes(json),
                Headers = new Headers { { "source", "demo"u8.ToArray() } },
            };
        }
    }

    /// <summary>The examples are copied next to the program at build time, so the demo runs from any directory.</summary>
    internal static string ExampleFile(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);
}
