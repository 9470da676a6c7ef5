using Kpipe.Engine;

namespace Kpipe.Transforms;

/// <summary>A step applied to every batch, on the consumer's thread, before the sinks see it.</summary>
public interface ITransform
{
    void Apply(RecordBatch batch, RecordErrorHandler errors);
}
