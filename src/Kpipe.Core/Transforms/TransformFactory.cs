using Kpipe.Rows;
using Kpipe.Transforms.Cdc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Kpipe.Transforms.Filter;
using Kpipe.Transforms.Select;

namespace Kpipe.Transforms;

/// <summary>Creates the running transforms from their options, in order; each sees the row schema the
/// transforms before it produce.</summary>
public static class TransformFactory
{
    public static IReadOnlyList<ITransform> Create(IReadOnlyList<TransformOptions> options, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var transforms = new List<ITransform>();
        RowSchema? schema = null;
        for (var i = 0; i < options.Count; i++)
        {
            switch (options[i])
            {
                case SelectOptions select:
                    var transform = new SelectTransform(select);
                    schema = transform.Schema;
                    transforms.Add(transform);
                    break;
                case DebeziumOptions debezium:
                    var cdc = new DebeziumTransform(debezium, loggers.CreateLogger<DebeziumTransform>());
                    schema = cdc.Schema;
                    transforms.Add(cdc);
                    break;
                case FilterOptions filter:
                    if (schema == null)
                        throw new ArgumentException($"transforms[{i}]: a filter needs a select before it (it filters the selected columns)");
                    transforms.Add(new FilterTransform(ParseFilter(filter.Where, schema, i)));
                    break;
                default:
                    throw new NotSupportedException($"no transform for {options[i].GetType().Name}");
            }
        }
        return transforms;
    }

    /// <summary>The row schema the transforms produce; null when records pass through unchanged.</summary>
    private static FilterExpression ParseFilter(string where, RowSchema schema, int index)
    {
        try
        {
            return FilterExpression.Parse(where, schema);
        }
        catch (FilterSyntaxException e)
        {
            throw new ArgumentException($"transforms[{index}].where: {e.Message}", e);
        }
    }
}
