using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli.Commands;

/// <summary>
/// `kpipe demo`: the seed's pipelines on an embedded Kafka (librdkafka's mock cluster) with the seed's sample
/// messages, printing what arrived. Needs nothing installed.
/// </summary>
internal static class DemoCommand
{
    private const string SourceTopic = "source_topic";
    private const string SinkTopic = "sink_topic";
    private const int Messages = 1000;

    public static Command Create(TextWriter output, TextWriter error, Option<LogLevel> logLevel)
    {
        var command = new Command("demo", "Run the seed's Kafka->Kafka pipeline on an embedded Kafka with sample messages and print what arrived.");
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
        kafka.CreateTopic(SourceTopic, partitions: 4);
        kafka.CreateTopic(SinkTopic, partitions: 4);
        output.WriteLine($"Embedded Kafka at {kafka.BootstrapServers}; topics {SourceTopic} and {SinkTopic}, 4 partitions each.");

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, SourceTopic, SampleDevices(Messages), cancellationToken: cancel);
        output.WriteLine($"Produced {Messages} device messages (the seed's shape) to {SourceTopic}.");

        var file = ExampleFile("kafka_to_kafka.yaml");
        var pipeline = PipelineLoader.Load(file, name => name is "KAFKA_BOOTSTRAP" or "KAFKA_SINK_BOOTSTRAP" ? kafka.BootstrapServers : Environment.GetEnvironmentVariable(name));
        output.WriteLine($"Running {Path.GetRelativePath(Environment.CurrentDirectory, file)} ...");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = PipelineHost.RunAsync(pipeline, loggers, Stream.Null, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Arrived(kafka.BootstrapServers) < Messages && DateTime.UtcNow < deadline && !run.IsCompleted)
            await Task.Delay(200, cancel);
        await stop.CancelAsync();
        var metrics = await run;

        var copied = KafkaTestClient.ReadAll(kafka.BootstrapServers, SinkTopic, TimeSpan.FromSeconds(20), Messages);
        output.WriteLine($"Pipeline stopped: {metrics}.");
        output.WriteLine($"{SinkTopic} now holds {copied.Count} messages:");
        foreach (var group in copied.GroupBy(r => r.Partition.Value).OrderBy(g => g.Key))
            output.WriteLine($"  partition {group.Key}: {group.Count()} messages, offsets {group.First().Offset.Value}..{group.Last().Offset.Value}");
        output.WriteLine("First messages:");
        foreach (var r in copied.Take(3))
        {
            var headers = string.Join(",", r.Message.Headers.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}"));
            output.WriteLine($"  key={Encoding.UTF8.GetString(r.Message.Key ?? [])} headers[{headers}] value={Encoding.UTF8.GetString(r.Message.Value ?? [])}");
        }
        var committed = KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, pipeline.Source.GroupId!, SourceTopic);
        output.WriteLine($"Committed offsets of group {pipeline.Source.GroupId}: {string.Join(", ", committed.OrderBy(c => c.Key).Select(c => $"p{c.Key}={c.Value}"))}");
        if (copied.Count == Messages) return ExitCodes.Ok;
        error.WriteLine($"error: expected {Messages} messages in {SinkTopic}, found {copied.Count}");
        return ExitCodes.PipelineFailed;
    }

    private static long Arrived(string bootstrap) =>
        KafkaTestClient.GetWatermarks(bootstrap, SinkTopic).Values.Sum(w => w.High - w.Low);

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
