using Kpipe.Config;

namespace Kpipe.Transforms.Filter;

/// <summary>Keeps only the rows for which the condition holds (docs/filter.md). Needs a <c>select</c> before
/// it, whose columns it can name. Rows removed are counted as filtered, never as errors.</summary>
[TypeName("filter")]
public sealed class FilterOptions : TransformOptions
{
    /// <summary>The condition, e.g. <c>battery_voltage &gt; 10 and location == 'Production Line A'</c>.</summary>
    [RequiredKey] public string Where { get; set; } = "";
}
