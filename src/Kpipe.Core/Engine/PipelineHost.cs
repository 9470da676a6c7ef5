using System.Diagnostics;
using Kpipe.Config;
using Kpipe.Sinks;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>Builds a pipeline's transforms and sinks from its options and runs it to the end.</summary>
public static partial class PipelineHost
{
    /// <summary>Runs the pipeline until <paramref name="stop"/> is cancelled; throws
    /// <see cref="PipelineFailedException"/> when it stops on an error.</summary>
    /// <remarks>
    /// Once stopping starts (the signal, or the pipeline's own failure), everything left (draining, the last
    /// commit, closing the sinks and the dead-letter producer) shares one <c>engine.shutdownTimeout</c>: a Doris
    /// that hangs or a Kafka that is gone cannot hold the process past it (Kubernetes kills at 30 s). What is not
    /// acknowledged by then is not committed and is read again on restart.
    /// </remarks>
    public static async Task<PipelineMetrics> RunAsync(PipelineOptions options, ILoggerFactory loggers, Stream stdout, CancellationToken stop)
    {
        var logger = loggers.CreateLogger($"kpipe.{options.Name}");
        // Every line logged while this pipeline runs (on its threads and the tasks they start) carries the
        // pipeline's name as a scope: JSON logs show it, and the status page files errors under their pipeline.
        using var scope = logger.BeginScope("Pipeline {Pipeline}", options.Name);
        var timeout = options.Engine.ShutdownTimeout;
        var sinks = new List<ISink>();
        PipelineRunner? runner = null;
        DeadLetters.DeadLetterWriter? deadLetters = null;
        IDisposable? published = null;
        long stopping = 0;
        using var onStop = stop.Register(() => Interlocked.CompareExchange(ref stopping, Stopwatch.GetTimestamp(), 0));
        try
        {
            var transforms = TransformFactory.Create(options.Transforms, loggers);
            var metrics = new PipelineMetrics(options.Name, options.Source.GroupId ?? $"kpipe-{options.Name}");
            // Published while it runs: /metrics and the health checks see it from the start.
            published = Metrics.PipelineInstruments.Publish(metrics);
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
            var running = Task.Factory.StartNew(() => runner.Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stop.Register(() => signalled.TrySetResult()))
                await Task.WhenAny(running, signalled.Task).ConfigureAwait(false);
            if (!running.IsCompleted && await Task.WhenAny(running, Task.Delay(Left())).ConfigureAwait(false) != running)
            {
                // The runner's own bounds (drain, commit) are in the timeout too; this one is for what librdkafka
                // does not bound (leaving the group with the brokers gone). The thread is a background thread.
                LogShutdownOverrun(logger, options.Name, timeout);
                return runner.Metrics;
            }
            await running.ConfigureAwait(false);
            return runner.Metrics;
        }
        finally
        {
            Interlocked.CompareExchange(ref stopping, Stopwatch.GetTimestamp(), 0);
            foreach (var sink in sinks)
            {
                // Sinks close synchronously in part (a producer flush): run it apart so the bound holds.
                var closing = Task.Run(async () => await sink.DisposeAsync().ConfigureAwait(false));
                if (await Task.WhenAny(closing, Task.Delay(Left())).ConfigureAwait(false) != closing)
                    LogSinkCloseOverrun(logger, options.Name, sink.Name, timeout);
            }
            // After the sinks: a sink closing may still reject rows, and their dead letters must go out.
            deadLetters?.Close(Left());
            published?.Dispose();
        }

        TimeSpan Left()
        {
            // From the signal, or from when the runner began stopping on its own (a failure), whichever came first.
            var since = Interlocked.Read(ref stopping);
            var runnerSince = runner?.ShutdownStarted ?? 0;
            if (runnerSince != 0 && (since == 0 || runnerSince < since)) since = runnerSince;
            var left = since == 0 ? timeout : timeout - Stopwatch.GetElapsedTime(since);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: not stopped within engine.shutdownTimeout {Timeout}; exiting without waiting more (unacknowledged records are read again on restart)")]
    private static partial void LogShutdownOverrun(ILogger logger, string pipeline, TimeSpan timeout);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: sink {Sink} not closed within engine.shutdownTimeout {Timeout}; leaving it")]
    private static partial void LogSinkCloseOverrun(ILogger logger, string pipeline, string sink, TimeSpan timeout);
}
