using Kpipe.Engine;

namespace Kpipe.Transforms.Filter;

/// <summary>Drops the rows that do not match; the engine counts records left without rows as filtered.</summary>
public sealed class FilterTransform(FilterExpression expression) : ITransform
{
    public void Apply(RecordBatch batch, RecordErrorHandler errors)
    {
        var rows = batch.Rows ?? throw new InvalidOperationException("filter runs after a select transform");
        for (var row = 0; row < rows.Count; row++)
        {
            if (!rows.IsDropped(row) && !expression.Matches(rows, row)) rows.Drop(row);
        }
    }
}
