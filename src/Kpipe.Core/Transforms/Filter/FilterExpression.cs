using Kpipe.Rows;

namespace Kpipe.Transforms.Filter;

/// <summary>
/// A compiled filter condition over the typed rows of a <see cref="RowBatch"/>, such as
/// <c>battery_voltage &gt; 10 and location == 'Production Line A'</c>. The language is described in
/// docs/filter.md.
/// </summary>
/// <remarks>
/// Written by hand rather than with a general expression library: those evaluate over boxed objects or
/// compiled delegates over CLR types, while this reads each column's own lane (long, double or UTF-8
/// bytes) in place, compares literals pre-encoded into that lane, and reports errors at a position in the
/// user's YAML string with the schema's column names. <see cref="Matches"/> allocates nothing and, the
/// compiled tree being immutable, may be called from several threads at once.
/// </remarks>
public sealed class FilterExpression
{
    private readonly RowSchema _schema;
    private readonly FilterNode _root;

    private FilterExpression(string text, RowSchema schema, FilterNode root)
    {
        Text = text;
        _schema = schema;
        _root = root;
    }

    /// <summary>The filter as written.</summary>
    public string Text { get; }

    /// <summary>
    /// Parses <paramref name="text"/> and checks it against <paramref name="schema"/>: every column must exist
    /// and every literal must suit the column it is compared with.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The text is not a valid filter for the schema.</exception>
    public static FilterExpression Parse(string text, RowSchema schema)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(schema);
        var syntax = new FilterParser(text, schema).ParseAll();
        return new FilterExpression(text, schema, Compile(syntax, negate: false));
    }

    /// <summary>
    /// True when row <paramref name="row"/> satisfies the filter. As in SQL, a comparison with a null cell is
    /// not satisfied, and neither is its negation: only IS NULL / IS NOT NULL look at nulls.
    /// </summary>
    public bool Matches(RowBatch rows, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!ReferenceEquals(rows.Schema, _schema) && !SameShape(rows.Schema))
            throw new ArgumentException("The row batch's columns differ from the schema the filter was parsed with.", nameof(rows));
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, rows.Count);
        return _root.Evaluate(rows, row);
    }

    public override string ToString() => Text;

    /// <summary>Column indexes are baked into the nodes, so a batch of another shape would be read wrongly.</summary>
    private bool SameShape(RowSchema other)
    {
        if (other.Count != _schema.Count) return false;
        for (var i = 0; i < other.Count; i++)
            if (other.Types[i] != _schema.Types[i] || other.Names[i] != _schema.Names[i]) return false;
        return true;
    }

    /// <summary>
    /// Pushes NOT down to the leaves (De Morgan); a negated leaf is still false on null, which is exactly
    /// when SQL's NOT of an unknown comparison drops the row.
    /// </summary>
    private static FilterNode Compile(FilterSyntax syntax, bool negate) => syntax switch
    {
        AndSyntax and => Combine(and.Items, negate, asAnd: !negate),
        OrSyntax or => Combine(or.Items, negate, asAnd: negate),
        NotSyntax not => Compile(not.Inner, !negate),
        LeafSyntax leaf => leaf.Build(negate),
        _ => throw new InvalidOperationException($"Unexpected filter syntax {syntax.GetType().Name}."),
    };

    private static FilterNode Combine(List<FilterSyntax> items, bool negate, bool asAnd)
    {
        var children = new List<FilterNode>();
        foreach (var item in items)
        {
            var child = Compile(item, negate);
            // a and (b and c) evaluates as one flat loop.
            if (asAnd && child is AndNode and) children.AddRange(and.Children);
            else if (!asAnd && child is OrNode or) children.AddRange(or.Children);
            else children.Add(child);
        }
        return asAnd ? new AndNode([.. children]) : new OrNode([.. children]);
    }
}
