using Kpipe.Config;
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
    /// <summary>The running transforms, in order. Options they refuse throw an <see cref="Config.OptionException"/>
    /// naming the option (<c>transforms[1].where</c>): validation builds them the same way to find those.</summary>
    public static IReadOnlyList<ITransform> Create(IReadOnlyList<TransformOptions> options, ILoggerFactory? loggers = null) =>
        Create(options, loggers, out _);

    /// <summary>As <see cref="Create(IReadOnlyList{TransformOptions}, ILoggerFactory?)"/>; <paramref name="schema"/>
    /// is the row schema the last of them produces, null when records pass through unchanged.</summary>
    /// <param name="options">The transforms' options, in order.</param>
    /// <param name="loggers">Loggers for transforms that log; none when null.</param>
    /// <param name="schema">The rows the sinks receive, or null for records passed through.</param>
    public static IReadOnlyList<ITransform> Create(IReadOnlyList<TransformOptions> options, ILoggerFactory? loggers, out RowSchema? schema)
    {
        loggers ??= NullLoggerFactory.Instance;
        var transforms = new List<ITransform>();
        schema = null;
        for (var i = 0; i < options.Count; i++)
        {
            try
            {
                transforms.Add(Create(options[i], i, loggers, ref schema));
            }
            catch (ArgumentException e) when (e is not OptionException)
            {
                // A constructor refusing its options knows what is wrong but not where the file says it.
                throw new OptionException($"transforms[{i}]", e.Message);
            }
        }
        return transforms;
    }

    private static ITransform Create(TransformOptions options, int index, ILoggerFactory loggers, ref RowSchema? schema)
    {
        switch (options)
        {
            case SelectOptions select:
                var transform = new SelectTransform(select);
                schema = transform.Schema;
                return transform;
            case DebeziumOptions debezium:
                var cdc = new DebeziumTransform(debezium, loggers.CreateLogger<DebeziumTransform>());
                schema = cdc.Schema;
                return cdc;
            case FilterOptions filter:
                if (schema == null)
                    throw new OptionException($"transforms[{index}]", "a filter needs a select (or debezium) transform before it: it filters the selected columns");
                return new FilterTransform(ParseFilter(filter.Where, schema, index));
            default:
                throw new NotSupportedException($"no transform for {options.GetType().Name}");
        }
    }

    private static FilterExpression ParseFilter(string where, RowSchema schema, int index)
    {
        try
        {
            return FilterExpression.Parse(where, schema);
        }
        catch (FilterSyntaxException e)
        {
            throw new OptionException($"transforms[{index}].where", e.Message);
        }
    }
}
