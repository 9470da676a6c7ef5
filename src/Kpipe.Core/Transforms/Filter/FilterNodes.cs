using System.Buffers.Text;
using System.Text;
using Kpipe.Rows;

namespace Kpipe.Transforms.Filter;

internal enum CompareOp { Eq, Ne, Lt, Le, Gt, Ge }

internal static class CompareOps
{
    public static bool Test(this CompareOp op, int comparison) => op switch
    {
        CompareOp.Eq => comparison == 0,
        CompareOp.Ne => comparison != 0,
        CompareOp.Lt => comparison < 0,
        CompareOp.Le => comparison <= 0,
        CompareOp.Gt => comparison > 0,
        _ => comparison >= 0,
    };

    /// <summary>The operator that holds exactly when this one does not (both sides non-null).</summary>
    public static CompareOp Negated(this CompareOp op) => op switch
    {
        CompareOp.Eq => CompareOp.Ne,
        CompareOp.Ne => CompareOp.Eq,
        CompareOp.Lt => CompareOp.Ge,
        CompareOp.Le => CompareOp.Gt,
        CompareOp.Gt => CompareOp.Le,
        _ => CompareOp.Lt,
    };

    /// <summary>The operator with its operands swapped: <c>5 &lt; x</c> is <c>x &gt; 5</c>.</summary>
    public static CompareOp Flipped(this CompareOp op) => op switch
    {
        CompareOp.Lt => CompareOp.Gt,
        CompareOp.Le => CompareOp.Ge,
        CompareOp.Gt => CompareOp.Lt,
        CompareOp.Ge => CompareOp.Le,
        _ => op,
    };

    public static CompareOp NegatedIf(this CompareOp op, bool negate) => negate ? op.Negated() : op;
}

/// <summary>
/// A compiled filter node. NOT is pushed down to the leaves at compile time (De Morgan, negated
/// operators), and every leaf is false on a null cell: that gives SQL's WHERE semantics (three-valued
/// logic, unknown drops the row) while evaluating plain booleans.
/// </summary>
internal abstract class FilterNode
{
    public abstract bool Evaluate(RowBatch rows, int row);
}

internal sealed class AndNode(FilterNode[] children) : FilterNode
{
    public FilterNode[] Children => children;

    public override bool Evaluate(RowBatch rows, int row)
    {
        foreach (var child in children)
            if (!child.Evaluate(rows, row)) return false;
        return true;
    }
}

internal sealed class OrNode(FilterNode[] children) : FilterNode
{
    public FilterNode[] Children => children;

    public override bool Evaluate(RowBatch rows, int row)
    {
        foreach (var child in children)
            if (child.Evaluate(rows, row)) return true;
        return false;
    }
}

internal sealed class IsNullNode(int column, bool wantNull) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row) => rows.Columns[column].IsNull(row) == wantNull;
}

internal sealed class BoolNode(int column, bool expected) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && c.GetBool(row) == expected;
    }
}

internal sealed class BoolBoolNode(int left, int right, bool equal) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        return !a.IsNull(row) && !b.IsNull(row) && (a.GetBool(row) == b.GetBool(row)) == equal;
    }
}

/// <summary>Int, long, date and timestamp columns against a literal.</summary>
internal sealed class LongLiteralNode(int column, CompareOp op, LongBound literal) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && op.Test(literal.CompareFrom(c.GetLong(row)));
    }
}

internal sealed class DoubleLiteralNode(int column, CompareOp op, double literal) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        if (c.IsNull(row)) return false;
        var v = c.GetDouble(row);
        return !double.IsNaN(v) && op.Test(v.CompareTo(literal));
    }
}

internal sealed class DecimalLiteralNode(int column, CompareOp op, byte[] literal) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && DecimalText.TryCompare(c.GetBytes(row), literal, out var comparison) && op.Test(comparison);
    }
}

internal sealed class BytesLiteralNode(int column, CompareOp op, byte[] literal) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && op.Test(c.GetBytes(row).SequenceCompareTo(literal));
    }
}

/// <summary>Two long lanes; a date compared with a timestamp is scaled to microseconds.</summary>
internal sealed class LongLongNode(int left, long leftScale, int right, long rightScale, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        return !a.IsNull(row) && !b.IsNull(row) && op.Test((a.GetLong(row) * leftScale).CompareTo(b.GetLong(row) * rightScale));
    }
}

internal sealed class LongDoubleNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        return !a.IsNull(row) && !b.IsNull(row)
            && LongBound.TryFromDouble(b.GetDouble(row), out var bound) && op.Test(bound.CompareFrom(a.GetLong(row)));
    }
}

internal sealed class DoubleDoubleNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        if (a.IsNull(row) || b.IsNull(row)) return false;
        double x = a.GetDouble(row), y = b.GetDouble(row);
        return !double.IsNaN(x) && !double.IsNaN(y) && op.Test(x.CompareTo(y));
    }
}

internal sealed class DecimalDecimalNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        return !a.IsNull(row) && !b.IsNull(row)
            && DecimalText.TryCompare(a.GetBytes(row), b.GetBytes(row), out var comparison) && op.Test(comparison);
    }
}

/// <summary>A decimal column against an int or long column: the long is formatted, so the comparison stays exact.</summary>
internal sealed class DecimalLongNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        if (a.IsNull(row) || b.IsNull(row)) return false;
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(b.GetLong(row), digits, out var length);
        return DecimalText.TryCompare(a.GetBytes(row), digits[..length], out var comparison) && op.Test(comparison);
    }
}

/// <summary>A decimal column against a double column: the double is inexact anyway, so the decimal is parsed to double.</summary>
internal sealed class DecimalDoubleNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        if (a.IsNull(row) || b.IsNull(row)) return false;
        var text = a.GetBytes(row);
        if (!Utf8Parser.TryParse(text, out double x, out var consumed) || consumed != text.Length) return false;
        var y = b.GetDouble(row);
        return !double.IsNaN(x) && !double.IsNaN(y) && op.Test(x.CompareTo(y));
    }
}

internal sealed class BytesBytesNode(int left, int right, CompareOp op) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var a = rows.Columns[left];
        var b = rows.Columns[right];
        return !a.IsNull(row) && !b.IsNull(row) && op.Test(a.GetBytes(row).SequenceCompareTo(b.GetBytes(row)));
    }
}

/// <summary>IN / NOT IN over a long lane; <paramref name="sorted"/> holds distinct values in order.</summary>
internal sealed class InLongNode(int column, long[] sorted, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && (Array.BinarySearch(sorted, c.GetLong(row)) >= 0) != negated;
    }
}

internal sealed class InDoubleNode(int column, double[] values, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        if (c.IsNull(row)) return false;
        var v = c.GetDouble(row);
        if (double.IsNaN(v)) return false;
        foreach (var value in values)
            if (v == value) return !negated;
        return negated;
    }
}

internal sealed class InDecimalNode(int column, byte[][] values, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        if (c.IsNull(row)) return false;
        var cell = c.GetBytes(row);
        foreach (var value in values)
        {
            if (!DecimalText.TryCompare(cell, value, out var comparison)) return false;
            if (comparison == 0) return !negated;
        }
        return negated;
    }
}

internal sealed class InBytesNode(int column, byte[][] values, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        if (c.IsNull(row)) return false;
        var cell = c.GetBytes(row);
        foreach (var value in values)
            if (cell.SequenceEqual(value)) return !negated;
        return negated;
    }
}

internal sealed class InBoolNode(int column, bool hasTrue, bool hasFalse, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && (c.GetBool(row) ? hasTrue : hasFalse) != negated;
    }
}

internal sealed class LikeNode(int column, LikePattern pattern, bool negated) : FilterNode
{
    public override bool Evaluate(RowBatch rows, int row)
    {
        var c = rows.Columns[column];
        return !c.IsNull(row) && pattern.IsMatch(c.GetBytes(row)) != negated;
    }
}

/// <summary>
/// A LIKE pattern over UTF-8 bytes: <c>%</c> any run, <c>_</c> one character (a whole UTF-8 sequence, not a
/// byte), <c>\%</c> <c>\_</c> <c>\\</c> literal. Matching is case-sensitive, as in Doris.
/// </summary>
internal sealed class LikePattern
{
    private const int AnyRun = -1;
    private const int AnyChar = -2;

    private readonly int[] _items;

    public LikePattern(string pattern)
    {
        var items = new List<int>();
        var literal = new StringBuilder();
        void Flush()
        {
            foreach (var b in Encoding.UTF8.GetBytes(literal.ToString())) items.Add(b);
            literal.Clear();
        }
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_' or '\\')
                literal.Append(pattern[++i]);
            else if (c is '%' or '_')
            {
                Flush();
                // "%%" matches what "%" matches; one run keeps the backtracking linear.
                if (c == '_' || items.Count == 0 || items[^1] != AnyRun) items.Add(c == '%' ? AnyRun : AnyChar);
            }
            else
                literal.Append(c);
        }
        Flush();
        _items = [.. items];
    }

    public bool IsMatch(ReadOnlySpan<byte> text)
    {
        var items = _items;
        int p = 0, i = 0, runItem = -1, runText = 0;
        while (i < text.Length)
        {
            if (p < items.Length)
            {
                var item = items[p];
                if (item == AnyRun)
                {
                    runItem = p++;
                    runText = i;
                    continue;
                }
                if (item == AnyChar)
                {
                    i += CharLength(text[i]);
                    p++;
                    continue;
                }
                if (item == text[i])
                {
                    i++;
                    p++;
                    continue;
                }
            }
            // Mismatch: let the last % swallow one more character and retry from there.
            if (runItem < 0) return false;
            p = runItem + 1;
            runText += CharLength(text[runText]);
            i = runText;
        }
        while (p < items.Length && items[p] == AnyRun) p++;
        return p == items.Length;
    }

    private static int CharLength(byte lead) => lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
