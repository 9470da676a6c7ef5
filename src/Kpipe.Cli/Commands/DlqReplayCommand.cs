using System.CommandLine;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine.DeadLetters;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli.Commands;

/// <summary><c>kpipe dlq replay</c>: runs a fixed pipeline over its dead-letter topic once, to the end.</summary>
internal static class DlqReplayCommand
{
    public static Command Create(TextWriter error, Option<LogLevel> logLevel)
    {
        var file = new Argument<string>("pipeline") { Description = "The pipeline file, fixed; its errors.deadLetter.topic is read" };
        var to = new Option<string?>("--to") { Description = "Topic for records that fail again (default: the dead-letter topic + '.replay')" };
        var replay = new Command("replay", "Send a pipeline's dead letters through the (fixed) pipeline, up to the end of the dead-letter topic as it is now, then exit 0. What fails again goes to --to. The replay's consumer group remembers what was replayed.")
        {
            file,
            to,
        };
        replay.SetAction(async (parse, _) =>
        {
            var loaded = PipelineFiles.LoadAll([parse.GetValue(file)!], error);
            if (loaded == null) return ExitCodes.InvalidConfig;
            PipelineOptions pipeline;
            try
            {
                pipeline = DeadLetterReplay.For(loaded[0], parse.GetValue(to));
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.InvalidConfig;
            }
            using var signals = new ShutdownSignals(error);
            using var loggers = Logging.Create(parse.GetValue(logLevel));
            using var done = CancellationTokenSource.CreateLinkedTokenSource(signals.Token);
            var end = EndOffsets(pipeline);
            var watcher = StopWhenReplayedAsync(pipeline, end, done);
            var exit = await RunCommand.RunAllAsync([pipeline], loggers, error, done.Token);
            await done.CancelAsync();
            await watcher;
            return exit;
        });
        return new Command("dlq", "Dead-letter topics") { replay };
    }

    /// <summary>The dead-letter topic's end, per partition, when the replay starts: what it replays.</summary>
    private static Dictionary<int, (long Low, long High)> EndOffsets(PipelineOptions pipeline)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(Config(pipeline)).Build();
        var topic = pipeline.Source.Topics[0];
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single();
        return metadata.Partitions.ToDictionary(p => p.PartitionId, p =>
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(30));
            return (w.Low.Value, w.High.Value);
        });
    }

    /// <summary>Cancels <paramref name="done"/> once the replay's group committed every partition's end.</summary>
    private static async Task StopWhenReplayedAsync(PipelineOptions pipeline, Dictionary<int, (long Low, long High)> end, CancellationTokenSource done)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(Config(pipeline)).Build();
        var topic = pipeline.Source.Topics[0];
        var partitions = end.Keys.Select(p => new TopicPartition(topic, p)).ToList();
        while (!done.IsCancellationRequested)
        {
            try
            {
                var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
                // A partition with nothing left in it (empty, or emptied by retention) has nothing to replay.
                if (end.All(e => e.Value.High <= e.Value.Low || committed.GetValueOrDefault(e.Key, -1) >= e.Value.High))
                {
                    await done.CancelAsync();
                    return;
                }
            }
            catch (KafkaException)
            {
                // Asked again next time round; the pipeline itself reports a cluster that stays away.
            }
            try
            {
                await Task.Delay(500, done.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static ConsumerConfig Config(PipelineOptions pipeline)
    {
        var config = new ConsumerConfig(pipeline.Source.Properties.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            BootstrapServers = pipeline.Source.BootstrapServers,
            GroupId = pipeline.Source.GroupId,
            EnableAutoCommit = false,
        };
        return config;
    }
}
