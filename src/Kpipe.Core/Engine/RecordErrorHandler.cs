using Kpipe.Engine.DeadLetters;
using Kpipe.Sinks;
using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>A record that cannot be processed as configured: bad JSON, a failed cast, a missing key field.</summary>
public sealed class RecordErrorException(string message) : Exception(message);

/// <summary>
/// Applies the pipeline's error policy to record errors, counting each record once: <c>fail</c> throws,
/// <c>skip</c> drops and counts, <c>dead_letter</c> drops and hands the record to the dead-letter writer, whose
/// acknowledgement the batch then waits for (so the record's offset is committed only once its dead letter is
/// written). Logging is sampled (<see cref="ErrorLogSampler"/>).
/// </summary>
public sealed partial class RecordErrorHandler
{
    private readonly ErrorPolicy _policy;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<RecordBatch, int, string>? _onSkipped;
    private readonly ErrorLogSampler _sampler;
    private DeadLetterWriter? _deadLetters;
    private ISinkAcknowledger? _acknowledger;

    /// <param name="policy">The pipeline's <c>errors.policy</c>.</param>
    /// <param name="metrics">Counts skipped (and, through the writer, dead-lettered) records.</param>
    /// <param name="logger">Where rejected records are logged (sampled).</param>
    /// <param name="onSkipped">Replaces the log line of a skipped record (<c>kpipe test</c> prints it instead).</param>
    /// <param name="options">The sampling settings; defaults when null.</param>
    public RecordErrorHandler(ErrorPolicy policy, PipelineMetrics metrics, ILogger logger,
        Action<RecordBatch, int, string>? onSkipped = null, ErrorPolicyOptions? options = null)
    {
        _policy = policy;
        _metrics = metrics;
        _logger = logger;
        _onSkipped = onSkipped;
        options ??= new ErrorPolicyOptions();
        _sampler = new ErrorLogSampler(options.LogSample, options.LogInterval, (count, span) => LogSuppressed(count, span));
    }

    public ErrorPolicy Policy => _policy;

    /// <summary>The stage records are being handed to, set by the engine on its thread before each transform and
    /// sink call, so that the errors they report name it (<c>transforms[0].select</c>, <c>sinks.kafka-0</c>).</summary>
    public string Stage { get; set; } = "";

    /// <summary>Sends dead letters under the <c>dead_letter</c> policy; their acknowledgements go to
    /// <paramref name="acknowledger"/> (the engine), as a sink's would.</summary>
    internal void UseDeadLetters(DeadLetterWriter writer, ISinkAcknowledger acknowledger)
    {
        _deadLetters = writer;
        _acknowledger = acknowledger;
    }

    /// <summary>
    /// Reports that the record at <paramref name="index"/> cannot be processed, from the engine's thread while
    /// the batch's keys and values are readable (a transform, or a sink inside <see cref="ISink.Write"/>). Under
    /// <c>skip</c> it is dropped from the batch, counted and logged; under <c>dead_letter</c> it is dropped and
    /// written to the dead-letter topic; under <c>fail</c> this throws <see cref="RecordErrorException"/>, which
    /// stops the pipeline before the record's offset is committed.
    /// </summary>
    public void Report(RecordBatch batch, int index, string reason) =>
        Report(batch, index, new RecordError(reason, Stage, null, RecordError.DefaultClass), payloadReadable: true);

    /// <summary>As <see cref="Report(RecordBatch, int, string)"/>, with the error's stage and field given.</summary>
    /// <param name="batch">The record's batch.</param>
    /// <param name="index">The record's index in the batch.</param>
    /// <param name="error">Why, where and which field.</param>
    /// <param name="payloadReadable">False when reported after <see cref="ISink.Write"/> returned (a sink's
    /// background load): the key and value are no longer readable, and a dead letter reads the record again
    /// from the source.</param>
    public void Report(RecordBatch batch, int index, RecordError error, bool payloadReadable)
    {
        if (_policy == ErrorPolicy.Fail)
            throw new RecordErrorException($"record {batch.Where(index)} ({error.Stage}): {error.Reason} (errors.policy is 'fail'; 'skip' or 'dead_letter' go on past bad records)");
        if (!batch.TryDrop(index)) return;
        if (_policy == ErrorPolicy.DeadLetter && _deadLetters != null)
        {
            _deadLetters.Send(batch, index, error, payloadReadable, _acknowledger!);
            if (_sampler.TryLog()) LogDeadLettered(_metrics.Pipeline, batch.Topic(index), batch.Partition(index), batch.Offset(index), error.Stage, error.Reason);
            return;
        }
        _metrics.Skipped(batch.TopicPartition(index));
        if (_onSkipped != null) _onSkipped(batch, index, error.Reason);
        else if (_sampler.TryLog()) LogSkipped(_metrics.Pipeline, batch.Topic(index), batch.Partition(index), batch.Offset(index), error.Stage, error.Reason);
    }

    /// <summary>Writes the count of records not logged one by one when their interval is over; on shutdown
    /// (<paramref name="final"/>) at once.</summary>
    public void Tick(bool final = false) => _sampler.Tick(final);

    // The record's coordinates are fields of their own (not one "where" string) so that JSON logs carry them
    // as Pipeline, Topic, Partition and Offset (docs/operations.md).
    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: skipped record {Topic}[{Partition}]@{Offset} ({Stage}): {Reason}")]
    private partial void LogSkipped(string pipeline, string topic, int partition, long offset, string stage, string reason);

    [LoggerMessage(LogLevel.Warning, "Pipeline {Pipeline}: dead-lettered record {Topic}[{Partition}]@{Offset} ({Stage}): {Reason}")]
    private partial void LogDeadLettered(string pipeline, string topic, int partition, long offset, string stage, string reason);

    [LoggerMessage(LogLevel.Warning, "{Count} more rejected records in the last {Span} were not logged one by one (errors.logSample)")]
    private partial void LogSuppressed(long count, TimeSpan span);
}
