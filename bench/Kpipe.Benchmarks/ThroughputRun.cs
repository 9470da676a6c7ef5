using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Benchmarks;

/// <summary>
/// End-to-end Kafka -> Kafka throughput on the embedded Kafka, against what the Kafka client itself moves
/// in the same run: (1) a bare consumer reading the topic, (2) a bare consume-and-produce copy loop with
/// the same producer settings, (3) kpipe's pipeline. All three read the same preloaded topic from the
/// beginning; the copies write to topics of their own. Not BenchmarkDotNet: each run is one long pass.
/// </summary>
internal static class ThroughputRun
{
    public static async Task<int> RunAsync(int messages)
    {
        using var kafka = EmbeddedKafka.Start();
        const int partitions = 8;
        foreach (var t in new[] { "in", "out-raw", "out-kpipe" }) kafka.CreateTopic(t, partitions);
        var value = Encoding.UTF8.GetBytes("""{"device_id":"FD2023","device_name":"Drilling Machine 2000","manufacturer":"TechTools Inc.","model":"DTM-2000","location":"Production Line A","battery_voltage":12.5}""");
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in",
            Enumerable.Range(0, messages).Select(i => new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = value }));
        Console.WriteLine($"preloaded {messages:N0} messages of {value.Length} bytes into 8 partitions");

        var read = Time(() => RawRead(kafka.BootstrapServers, messages));
        var copy = Time(() => RawCopy(kafka.BootstrapServers, messages));
        var pipeline = Time(() => KpipeCopy(kafka.BootstrapServers, messages));
        Console.WriteLine();
        Console.WriteLine("| run | seconds | messages/s | ratio to raw copy |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, seconds) in new[] { ("raw consumer, read only", read), ("raw consume + produce copy", copy), ("kpipe kafka -> kafka", pipeline) })
            Console.WriteLine($"| {name} | {seconds:F2} | {messages / seconds:N0} | {copy / seconds:F2} |");
        return 0;
    }

    private static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalSeconds;
    }

    private static ConsumerConfig Consumer(string bootstrap, string group) => new()
    {
        BootstrapServers = bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false, QueuedMinMessages = 100_000,
    };

    private static void RawRead(string bootstrap, int messages)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(Consumer(bootstrap, "raw-read")).Build();
        consumer.Subscribe("in");
        for (var seen = 0; seen < messages;)
            if (consumer.Consume(TimeSpan.FromSeconds(1)) != null) seen++;
        consumer.Close();
    }

    private static void RawCopy(string bootstrap, int messages)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(Consumer(bootstrap, "raw-copy")).Build();
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, CompressionType = CompressionType.Lz4,
            LingerMs = 10, BatchSize = 1_000_000, QueueBufferingMaxMessages = 2_000_000,
        };
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Subscribe("in");
        for (var seen = 0; seen < messages;)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(1));
            if (r == null) continue;
            seen++;
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition("out-raw", r.Partition), r.Message);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        producer.Flush(TimeSpan.FromMinutes(1));
        consumer.Close();
    }

    private static void KpipeCopy(string bootstrap, int messages)
    {
        var options = PipelineLoader.Parse($"""
            name: throughput
            source:
              bootstrapServers: {bootstrap}
              topics: [in]
            sinks:
              - type: kafka
                bootstrapServers: {bootstrap}
                topic: out-kpipe
                partitioning: preserve
            engine:
              statsInterval: 0s
              commitInterval: 100ms
            """, "throughput.yaml");
        using var stop = new CancellationTokenSource();
        var run = PipelineHost.RunAsync(options, NullLoggerFactory.Instance, Stream.Null, stop.Token);
        // Done when the whole topic is committed: every message was acknowledged by the sink. A short commit
        // interval keeps the commit lag (up to one interval) from counting as copy time.
        while (KafkaTestClient.GetCommittedOffsets(bootstrap, "kpipe-throughput", "in").Values.Sum() < messages && !run.IsCompleted)
            Thread.Sleep(50);
        stop.Cancel();
        run.GetAwaiter().GetResult();
    }
}
