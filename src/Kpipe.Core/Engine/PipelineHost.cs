using Kpipe.Config;
using Kpipe.Sinks;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>Builds a pipeline's transforms and sinks from its options and runs it to the end.</summary>
public static class PipelineHost
{
    /// <summary>Runs the pipeline until <paramref name="stop"/> is cancelled; throws
    /// <see cref="PipelineFailedException"/> when it stops on an error.</summary>
    public static async Task<PipelineMetrics> RunAsync(PipelineOptions options, ILoggerFactory loggers, Stream stdout, CancellationToken stop)
    {
        var logger = loggers.CreateLogger($"kpipe.{options.Name}");
        var sinks = new List<ISink>();
        PipelineRunner? runner = null;
        DeadLetters.DeadLetterWriter? deadLetters = null;
        try
        {
            var transforms = TransformFactory.Create(options.Transforms, loggers);
            var metrics = new PipelineMetrics();
            var errors = new RecordErrorHandler(options.Errors.Policy, metrics, logger, null, options.Errors);
            for (var i = 0; i < options.Sinks.Count; i++)
                sinks.Add(SinkFactory.Create(options.Sinks[i], i, options.Name, errors, loggers, stdout));
            runner = new PipelineRunner(options, transforms, sinks, metrics, errors, logger);
            if (options.Errors.Policy == ErrorPolicy.DeadLetter)
            {
                deadLetters = new DeadLetters.DeadLetterWriter(options.Errors.DeadLetter!, options.Source, options.Name, metrics, logger);
                errors.UseDeadLetters(deadLetters, runner);
            }
            // The consume loop blocks in librdkafka calls: give it a thread of its own.
            await Task.Factory.StartNew(() => runner.Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return runner.Metrics;
        }
        finally
        {
            foreach (var sink in sinks) await sink.DisposeAsync();
            // After the sinks: a sink closing may still reject rows, and their dead letters must go out.
            deadLetters?.Close(options.Engine.ShutdownTimeout);
        }
    }
}
