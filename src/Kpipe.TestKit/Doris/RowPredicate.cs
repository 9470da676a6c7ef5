using System.Globalization;

namespace Kpipe.TestKit.Doris;

/// <summary>Values a predicate can see for one row: converted table columns, then raw source fields.</summary>
internal interface IRowValues
{
    /// <summary>False when the name is neither a column nor a source field of the load.</summary>
    bool TryGet(string name, out object? value);
}

/// <summary>
/// The `where` filter and the MERGE `delete` condition. The emulator evaluates a subset of Doris
/// expressions: comparisons of a column with a literal (= != &lt;&gt; &lt; &lt;= &gt; &gt;=), IS [NOT] NULL, [NOT] IN (...),
/// combined with AND, OR, NOT and parentheses. SQL three-valued logic applies: a comparison with NULL is
/// unknown, and an unknown filter drops the row.
/// </summary>
internal abstract class RowPredicate
{
    /// <summary>The column names the predicate reads.</summary>
    public IReadOnlyList<string> Names { get; private set; } = [];

    public abstract bool? Evaluate(IRowValues row);

    /// <summary>Parses a predicate; literals are converted to the type of the column they are compared with.</summary>
    public static RowPredicate Parse(string text, Func<string, DorisType?> columnType, TimeZoneInfo zone)
    {
        var cur = new SqlCursor(SqlLexer.Tokenize(text));
        var parser = new Parser(cur, columnType, zone);
        var result = parser.ParseOr();
        if (!cur.AtEnd)
            throw new FormatException($"Unexpected {cur.Peek()} in '{text}'");
        result.Names = parser.Names;
        return result;
    }

    private sealed class Parser(SqlCursor cur, Func<string, DorisType?> columnType, TimeZoneInfo zone)
    {
        public List<string> Names { get; } = [];

        public RowPredicate ParseOr()
        {
            var left = ParseAnd();
            while (cur.TryWord("OR"))
                left = new Or(left, ParseAnd());
            return left;
        }

        private RowPredicate ParseAnd()
        {
            var left = ParseNot();
            while (cur.TryWord("AND"))
                left = new And(left, ParseNot());
            return left;
        }

        private RowPredicate ParseNot()
        {
            if (cur.TryWord("NOT"))
                return new Not(ParseNot());
            if (cur.TrySymbol("("))
            {
                var inner = ParseOr();
                cur.ExpectSymbol(")");
                return inner;
            }

            return ParseComparison();
        }

        private RowPredicate ParseComparison()
        {
            var name = cur.ExpectName();
            Names.Add(name);
            var type = columnType(name);
            if (cur.TryWord("IS"))
            {
                var negate = cur.TryWord("NOT");
                cur.ExpectWord("NULL");
                return new IsNull(name, negate);
            }

            var notIn = cur.TryWord("NOT");
            if (cur.TryWord("IN"))
            {
                cur.ExpectSymbol("(");
                var values = new List<object?>();
                do
                {
                    values.Add(ParseLiteral(type));
                } while (cur.TrySymbol(","));

                cur.ExpectSymbol(")");
                return new In(name, values, notIn);
            }

            if (notIn)
                throw new FormatException($"Expected IN after NOT at {cur.Peek().Position}");

            var op = cur.Next();
            if (op.Kind != SqlTokenKind.Symbol || op.Text is not ("=" or "==" or "!=" or "<>" or "<" or "<=" or ">" or ">="))
                throw new FormatException($"Unsupported operator {op} at {op.Position} (the emulator evaluates simple comparisons only)");
            return new Compare(name, op.Text, ParseLiteral(type));
        }

        private object? ParseLiteral(DorisType? type)
        {
            var t = cur.Next();
            string text;
            switch (t.Kind)
            {
                case SqlTokenKind.String:
                case SqlTokenKind.Number:
                    text = t.Text;
                    break;
                case SqlTokenKind.Symbol when t.Text == "-" && cur.Peek().Kind == SqlTokenKind.Number:
                    text = "-" + cur.Next().Text;
                    break;
                case SqlTokenKind.Identifier when t.IsWord("NULL"):
                    return null;
                case SqlTokenKind.Identifier when t.IsWord("TRUE") || t.IsWord("FALSE"):
                    text = t.Text.ToLowerInvariant();
                    break;
                default:
                    throw new FormatException($"Expected a literal but found {t} at {t.Position} (the emulator compares columns with literals only)");
            }

            if (type is not null)
            {
                var converted = ValueConversion.Convert(SourceValue.Of(text), type, zone);
                if (converted.Status == ConversionStatus.Ok)
                    return converted.Value;
            }

            return t.Kind == SqlTokenKind.Number && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : text;
        }
    }

    private static int? CompareValues(object? value, object? literal)
    {
        if (value is null || literal is null)
            return null;
        // A raw source field (not a table column) is text: compare it as a number when both sides are numbers.
        if (value is string s && literal is decimal d)
            return decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var sv) ? sv.CompareTo(d) : string.CompareOrdinal(s, d.ToString(CultureInfo.InvariantCulture));
        if (value is string s2 && literal is not string)
            return string.CompareOrdinal(s2, Convert.ToString(literal, CultureInfo.InvariantCulture));
        return ValueComparer.Instance.Compare(value, literal);
    }

    private static object? Lookup(IRowValues row, string name) =>
        row.TryGet(name, out var value) ? value : throw new LoadPlanException($"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown column '{name}'");

    private sealed class And(RowPredicate left, RowPredicate right) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row)
        {
            var l = left.Evaluate(row);
            if (l == false)
                return false;
            var r = right.Evaluate(row);
            if (r == false)
                return false;
            return l == true && r == true ? true : null;
        }
    }

    private sealed class Or(RowPredicate left, RowPredicate right) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row)
        {
            var l = left.Evaluate(row);
            if (l == true)
                return true;
            var r = right.Evaluate(row);
            if (r == true)
                return true;
            return l == false && r == false ? false : null;
        }
    }

    private sealed class Not(RowPredicate inner) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row) => !inner.Evaluate(row);
    }

    private sealed class IsNull(string name, bool negate) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row) => (Lookup(row, name) is null) != negate;
    }

    private sealed class In(string name, List<object?> values, bool negate) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row)
        {
            var v = Lookup(row, name);
            if (v is null)
                return null;
            var found = values.Any(l => CompareValues(v, l) == 0);
            return found != negate;
        }
    }

    private sealed class Compare(string name, string op, object? literal) : RowPredicate
    {
        public override bool? Evaluate(IRowValues row)
        {
            var c = CompareValues(Lookup(row, name), literal);
            if (c is null)
                return null;
            return op switch
            {
                "=" or "==" => c == 0,
                "!=" or "<>" => c != 0,
                "<" => c < 0,
                "<=" => c <= 0,
                ">" => c > 0,
                _ => c >= 0,
            };
        }
    }
}

/// <summary>A load that cannot be planned (bad headers, unknown columns): the whole load fails with this message.</summary>
internal sealed class LoadPlanException(string message) : Exception(message);
