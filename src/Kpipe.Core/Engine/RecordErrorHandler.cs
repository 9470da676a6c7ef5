using Microsoft.Extensions.Logging;

namespace Kpipe.Engine;

/// <summary>A record that cannot be processed as configured: bad JSON, a failed cast, a missing key field.</summary>
public sealed class RecordErrorException(string message) : Exception(message);

/// <summary>Applies the pipeline's error policy to record errors, counting each record once.</summary>
public sealed class RecordErrorHandler(ErrorPolicy policy, PipelineMetrics metrics, ILogger logger,
    Action<RecordBatch, int, string>? onSkipped = null)
{
    /// <summary>
    /// Reports that the record at <paramref name="index"/> cannot be processed. Under <c>skip</c> it is
    /// dropped from the batch, counted and logged; under <c>fail</c> this throws
    /// <see cref="RecordErrorException"/>, which stops the pipeline before the record's offset is committed.
    /// </summary>
    public void Report(RecordBatch batch, int index, string reason)
    {
        var where = batch.Where(index);
        if (policy == ErrorPolicy.Fail)
            throw new RecordErrorException($"record {where}: {reason} (errors.policy is 'fail'; use 'skip' to go on past bad records)");
        if (batch.TryDrop(index))
        {
            metrics.Skipped();
            if (onSkipped != null) onSkipped(batch, index, reason);
            else logger.LogWarning("Skipped record {Where}: {Reason}", where, reason);
        }
    }
}
