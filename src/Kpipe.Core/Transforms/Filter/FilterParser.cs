using System.Globalization;
using System.Text;
using Kpipe.Rows;

namespace Kpipe.Transforms.Filter;

/// <summary>The parsed filter before NOT is pushed down; leaves are already type-checked.</summary>
internal abstract class FilterSyntax;

internal sealed class AndSyntax(List<FilterSyntax> items) : FilterSyntax
{
    public List<FilterSyntax> Items => items;
}

internal sealed class OrSyntax(List<FilterSyntax> items) : FilterSyntax
{
    public List<FilterSyntax> Items => items;
}

internal sealed class NotSyntax(FilterSyntax inner) : FilterSyntax
{
    public FilterSyntax Inner => inner;
}

/// <summary>A condition; <see cref="Build"/> makes its node, negated or not.</summary>
internal sealed class LeafSyntax(Func<bool, FilterNode> build) : FilterSyntax
{
    public Func<bool, FilterNode> Build => build;
}

/// <summary>
/// Recursive descent over <see cref="FilterLexer"/> tokens. Every literal is converted to the lane of the
/// column it meets here, so a type mismatch is a parse error pointing at the literal, not a per-row surprise.
/// </summary>
internal sealed class FilterParser
{
    private const long MicrosPerDay = 86_400_000_000;
    private const int MaxDepth = 100;

    private static readonly string[] Keywords = ["and", "or", "not", "is", "null", "in", "like", "true", "false"];

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    private readonly string _text;
    private readonly RowSchema _schema;
    private readonly FilterLexer _lexer;
    private Token _current;
    private Token? _previous;
    private int _depth;

    public FilterParser(string text, RowSchema schema)
    {
        _text = text;
        _schema = schema;
        _lexer = new FilterLexer(text);
        _current = _lexer.Next();
    }

    public FilterSyntax ParseAll()
    {
        if (_current.Kind == TokenKind.End) throw Error(0, "the filter is empty");
        var result = ParseOr();
        if (_current.IsSymbol(")")) throw Error(_current.Start, "unexpected ')' without a matching '('");
        if (_current.Kind != TokenKind.End) throw Expected("'and', 'or' or the end of the filter");
        return result;
    }

    private FilterSyntax ParseOr()
    {
        var items = new List<FilterSyntax> { ParseAnd() };
        while (_current.IsKeyword("or") || _current.IsSymbol("||"))
        {
            Advance();
            items.Add(ParseAnd());
        }
        return items.Count == 1 ? items[0] : new OrSyntax(items);
    }

    private FilterSyntax ParseAnd()
    {
        var items = new List<FilterSyntax> { ParseNot() };
        while (_current.IsKeyword("and") || _current.IsSymbol("&&"))
        {
            Advance();
            items.Add(ParseNot());
        }
        return items.Count == 1 ? items[0] : new AndSyntax(items);
    }

    private FilterSyntax ParseNot()
    {
        if (!_current.IsKeyword("not") && !_current.IsSymbol("!")) return ParsePrimary();
        Nest();
        Advance();
        var inner = ParseNot();
        _depth--;
        return new NotSyntax(inner);
    }

    private FilterSyntax ParsePrimary()
    {
        if (!_current.IsSymbol("(")) return ParsePredicate();
        Nest();
        var open = _current;
        Advance();
        var inner = ParseOr();
        if (!_current.IsSymbol(")"))
        {
            if (_current.Kind == TokenKind.End) throw Error(_current.Start, $"missing ')' for the '(' at column {open.Start + 1}");
            throw Expected("')', 'and' or 'or'");
        }
        Advance();
        _depth--;
        return inner;
    }

    /// <summary>Parsing and evaluation recurse; a pathological filter must fail here, not overflow the stack.</summary>
    private void Nest()
    {
        if (++_depth > MaxDepth)
            throw Error(_current.Start, $"the filter nests more than {MaxDepth} levels of parentheses or 'not'");
    }

    private FilterSyntax ParsePredicate()
    {
        var left = ParseOperand("a condition");
        if (TryComparison(out var op))
        {
            var opToken = _current;
            Advance();
            return Comparison(left, op, opToken, ParseOperand("a value"));
        }
        if (_current.IsKeyword("is"))
        {
            Advance();
            var not = _current.IsKeyword("not");
            if (not) Advance();
            if (!_current.IsKeyword("null")) throw Expected("NULL");
            Advance();
            RequireColumn(left, not ? "IS NOT NULL" : "IS NULL");
            return new LeafSyntax(negate => new IsNullNode(left.Column, wantNull: not == negate));
        }
        if (_current.IsKeyword("not"))
        {
            Advance();
            if (_current.IsKeyword("in")) return ParseIn(left, negated: true);
            if (_current.IsKeyword("like")) return ParseLike(left, negated: true);
            throw Expected("IN or LIKE");
        }
        if (_current.IsKeyword("in")) return ParseIn(left, negated: false);
        if (_current.IsKeyword("like")) return ParseLike(left, negated: false);
        if (left.Kind == OperandKind.Column && left.Type.Kind == ColumnKind.Bool)
            return new LeafSyntax(negate => new BoolNode(left.Column, expected: !negate));
        throw Expected("a comparison (==, !=, <, <=, >, >=, IS NULL, IN or LIKE)");
    }

    private bool TryComparison(out CompareOp op)
    {
        op = default;
        if (_current.Kind != TokenKind.Symbol) return false;
        switch (_current.Value)
        {
            case "==" or "=": op = CompareOp.Eq; return true;
            case "!=" or "<>": op = CompareOp.Ne; return true;
            case "<": op = CompareOp.Lt; return true;
            case "<=": op = CompareOp.Le; return true;
            case ">": op = CompareOp.Gt; return true;
            case ">=": op = CompareOp.Ge; return true;
            default: return false;
        }
    }

    private FilterSyntax Comparison(Operand left, CompareOp op, Token opToken, Operand right)
    {
        if (left.Kind != OperandKind.Column && right.Kind != OperandKind.Column)
            throw Error(left.Token.Start, "a comparison needs a column on at least one side");
        if (left.Kind != OperandKind.Column)
        {
            (left, right) = (right, left);
            op = op.Flipped();
        }
        var column = left.Column;
        if (right.Kind == OperandKind.Null)
        {
            if (op is not (CompareOp.Eq or CompareOp.Ne))
                throw Error(right.Token.Start, "null can only be compared with == or != (or use IS NULL / IS NOT NULL)");
            var wantNull = op == CompareOp.Eq;
            return new LeafSyntax(negate => new IsNullNode(column, wantNull != negate));
        }
        if (right.Kind == OperandKind.Column) return ColumnComparison(left, op, opToken, right);

        var literal = ConvertLiteral(left, right);
        switch (left.Type.Kind)
        {
            case ColumnKind.Bool:
                RequireEquality(left, op, opToken);
                var expected = (op == CompareOp.Eq) == literal.Bool;
                return new LeafSyntax(negate => new BoolNode(column, expected != negate));
            case ColumnKind.Double:
                return new LeafSyntax(negate => new DoubleLiteralNode(column, op.NegatedIf(negate), literal.Double));
            case ColumnKind.Decimal:
                return new LeafSyntax(negate => new DecimalLiteralNode(column, op.NegatedIf(negate), literal.Bytes));
            case ColumnKind.String or ColumnKind.Json:
                return new LeafSyntax(negate => new BytesLiteralNode(column, op.NegatedIf(negate), literal.Bytes));
            default:
                return new LeafSyntax(negate => new LongLiteralNode(column, op.NegatedIf(negate), literal.Long));
        }
    }

    private FilterSyntax ColumnComparison(Operand left, CompareOp op, Token opToken, Operand right)
    {
        int a = left.Column, b = right.Column;
        var (ka, kb) = (Group(left.Type.Kind), Group(right.Type.Kind));
        if (ka == TypeGroup.Bool && kb == TypeGroup.Bool)
        {
            RequireEquality(left, op, opToken);
            var equal = op == CompareOp.Eq;
            return new LeafSyntax(negate => new BoolBoolNode(a, b, equal != negate));
        }
        if (ka == TypeGroup.Text && kb == TypeGroup.Text)
            return new LeafSyntax(negate => new BytesBytesNode(a, b, op.NegatedIf(negate)));
        if (ka == TypeGroup.Temporal && kb == TypeGroup.Temporal)
        {
            var scaleA = left.Type.Kind == ColumnKind.Date && right.Type.Kind == ColumnKind.Timestamp ? MicrosPerDay : 1;
            var scaleB = right.Type.Kind == ColumnKind.Date && left.Type.Kind == ColumnKind.Timestamp ? MicrosPerDay : 1;
            return new LeafSyntax(negate => new LongLongNode(a, scaleA, b, scaleB, op.NegatedIf(negate)));
        }
        if (ka == TypeGroup.Number && kb == TypeGroup.Number)
        {
            var (la, lb) = (left.Type.Kind, right.Type.Kind);
            // Each node takes its operands in one order; the other order swaps them and flips the operator.
            return (Lane(la), Lane(lb)) switch
            {
                (ColumnKind.Long, ColumnKind.Long) => Leaf((x, y, o) => new LongLongNode(x, 1, y, 1, o), a, b, op),
                (ColumnKind.Double, ColumnKind.Double) => Leaf((x, y, o) => new DoubleDoubleNode(x, y, o), a, b, op),
                (ColumnKind.Decimal, ColumnKind.Decimal) => Leaf((x, y, o) => new DecimalDecimalNode(x, y, o), a, b, op),
                (ColumnKind.Long, ColumnKind.Double) => Leaf((x, y, o) => new LongDoubleNode(x, y, o), a, b, op),
                (ColumnKind.Double, ColumnKind.Long) => Leaf((x, y, o) => new LongDoubleNode(x, y, o), b, a, op.Flipped()),
                (ColumnKind.Decimal, ColumnKind.Long) => Leaf((x, y, o) => new DecimalLongNode(x, y, o), a, b, op),
                (ColumnKind.Long, ColumnKind.Decimal) => Leaf((x, y, o) => new DecimalLongNode(x, y, o), b, a, op.Flipped()),
                (ColumnKind.Decimal, ColumnKind.Double) => Leaf((x, y, o) => new DecimalDoubleNode(x, y, o), a, b, op),
                _ => Leaf((x, y, o) => new DecimalDoubleNode(x, y, o), b, a, op.Flipped()),
            };
        }
        throw Error(right.Token.Start,
            $"cannot compare {left.Type} column '{Name(a)}' with {right.Type} column '{Name(b)}'");

        static ColumnKind Lane(ColumnKind kind) => kind is ColumnKind.Int or ColumnKind.Long ? ColumnKind.Long : kind;

        static LeafSyntax Leaf(Func<int, int, CompareOp, FilterNode> make, int x, int y, CompareOp o) =>
            new(negate => make(x, y, o.NegatedIf(negate)));
    }

    private enum TypeGroup { Number, Text, Bool, Temporal }

    private static TypeGroup Group(ColumnKind kind) => kind switch
    {
        ColumnKind.String or ColumnKind.Json => TypeGroup.Text,
        ColumnKind.Bool => TypeGroup.Bool,
        ColumnKind.Date or ColumnKind.Timestamp => TypeGroup.Temporal,
        _ => TypeGroup.Number,
    };

    private FilterSyntax ParseIn(Operand left, bool negated)
    {
        Advance();
        RequireColumn(left, negated ? "NOT IN" : "IN");
        if (!_current.IsSymbol("(")) throw Expected("'(' and a list of values");
        Advance();
        var values = new List<Literal>();
        while (true)
        {
            var item = ParseOperand("a value");
            if (item.Kind == OperandKind.Column)
                throw Error(item.Token.Start, "an IN list holds values, not columns");
            if (item.Kind == OperandKind.Null)
                throw Error(item.Token.Start, "null cannot be in an IN list; use IS NULL");
            values.Add(ConvertLiteral(left, item));
            if (_current.IsSymbol(")")) break;
            if (!_current.IsSymbol(",")) throw Expected("',' or ')'");
            Advance();
        }
        Advance();

        var column = left.Column;
        switch (left.Type.Kind)
        {
            case ColumnKind.Bool:
                bool hasTrue = values.Any(v => v.Bool), hasFalse = values.Any(v => !v.Bool);
                return new LeafSyntax(negate => new InBoolNode(column, hasTrue, hasFalse, negated != negate));
            case ColumnKind.Double:
                var doubles = values.Select(v => v.Double).Distinct().ToArray();
                return new LeafSyntax(negate => new InDoubleNode(column, doubles, negated != negate));
            case ColumnKind.Decimal:
                var decimals = values.Select(v => v.Bytes).ToArray();
                return new LeafSyntax(negate => new InDecimalNode(column, decimals, negated != negate));
            case ColumnKind.String or ColumnKind.Json:
                var texts = values.Select(v => v.Bytes).ToArray();
                return new LeafSyntax(negate => new InBytesNode(column, texts, negated != negate));
            default:
                // A value between two longs (x IN (1.5)) can equal no cell.
                var longs = values.Where(v => v.Long.Fraction == 0).Select(v => v.Long.Value).Distinct().Order().ToArray();
                return new LeafSyntax(negate => new InLongNode(column, longs, negated != negate));
        }
    }

    private FilterSyntax ParseLike(Operand left, bool negated)
    {
        Advance();
        RequireColumn(left, negated ? "NOT LIKE" : "LIKE");
        if (left.Type.Kind is not (ColumnKind.String or ColumnKind.Json))
            throw Error(left.Token.Start, $"LIKE needs a string column; '{Name(left.Column)}' is {left.Type}");
        if (_current.Kind != TokenKind.String) throw Expected("a quoted pattern");
        var pattern = new LikePattern(_current.Value);
        Advance();
        var column = left.Column;
        return new LeafSyntax(negate => new LikeNode(column, pattern, negated != negate));
    }

    private enum OperandKind { Column, Number, String, Bool, Null }

    private sealed class Operand
    {
        public required OperandKind Kind { get; init; }
        public required Token Token { get; init; }
        public int Column { get; init; } = -1;
        public ColumnType Type { get; init; }
        public NumberLiteral? Number { get; init; }
        public string Text { get; init; } = "";
        public bool Bool { get; init; }
    }

    /// <summary>A literal in the lane of the column it is compared with; only the field of that lane is set.</summary>
    private readonly record struct Literal(LongBound Long = default, double Double = 0, byte[]? RawBytes = null, bool Bool = false)
    {
        public byte[] Bytes => RawBytes ?? [];
    }

    private Operand ParseOperand(string what)
    {
        var token = _current;
        Operand operand;
        switch (token.Kind)
        {
            case TokenKind.Name when token.IsKeyword("true") || token.IsKeyword("false"):
                operand = new Operand { Kind = OperandKind.Bool, Token = token, Bool = token.IsKeyword("true") };
                break;
            case TokenKind.Name when token.IsKeyword("null"):
                operand = new Operand { Kind = OperandKind.Null, Token = token };
                break;
            case TokenKind.Name when Keywords.Any(token.IsKeyword):
                throw Expected(what);
            case TokenKind.Name or TokenKind.QuotedName:
                var index = _schema.IndexOf(token.Value);
                if (index < 0) throw Error(token.Start, UnknownColumn(token.Value));
                operand = new Operand { Kind = OperandKind.Column, Token = token, Column = index, Type = _schema.Types[index] };
                break;
            case TokenKind.Number:
                var number = NumberLiteral.Parse(token.Value) ?? throw Error(token.Start, $"number out of range '{token.Value}'");
                operand = new Operand { Kind = OperandKind.Number, Token = token, Number = number };
                break;
            case TokenKind.String:
                operand = new Operand { Kind = OperandKind.String, Token = token, Text = token.Value };
                break;
            default:
                throw Expected(what);
        }
        Advance();
        return operand;
    }

    private Literal ConvertLiteral(Operand column, Operand literal)
    {
        var type = column.Type;
        switch (type.Kind)
        {
            case ColumnKind.Int or ColumnKind.Long when literal.Number is { } n:
                return new Literal(Long: n.Floor);
            case ColumnKind.Double when literal.Number is { } n:
                return new Literal(Double: n.Double);
            case ColumnKind.Decimal when literal.Number is { } n:
                return new Literal(RawBytes: Encoding.UTF8.GetBytes(n.PlainText));
            case ColumnKind.String or ColumnKind.Json when literal.Kind == OperandKind.String:
                return new Literal(RawBytes: Encoding.UTF8.GetBytes(literal.Text));
            case ColumnKind.Bool when literal.Kind == OperandKind.Bool:
                return new Literal(Bool: literal.Bool);
            case ColumnKind.Date when literal.Kind == OperandKind.String:
                if (!DateOnly.TryParseExact(literal.Text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    throw Error(literal.Token.Start,
                        $"expected a date like '2024-07-19' for date column '{Name(column.Column)}', found '{literal.Text}'");
                return new Literal(Long: new LongBound(date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber, 0));
            case ColumnKind.Timestamp when literal.Kind == OperandKind.String:
                if (!DateTimeOffset.TryParseExact(literal.Text, InstantFormats, CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal, out var instant))
                    throw Error(literal.Token.Start,
                        $"expected an ISO-8601 instant like '2024-07-19T00:00:00Z' for timestamp column '{Name(column.Column)}', found '{literal.Text}'");
                var micros = Math.DivRem(instant.UtcTicks - DateTime.UnixEpoch.Ticks, 10, out var rest);
                if (rest < 0) micros--;
                return new Literal(Long: new LongBound(micros, rest != 0 ? 1 : 0));
        }
        var hint = type.Kind switch
        {
            ColumnKind.String or ColumnKind.Json => $"; quote the value: '{Source(literal.Token)}'",
            ColumnKind.Int or ColumnKind.Long or ColumnKind.Double or ColumnKind.Decimal => "; write numbers without quotes",
            ColumnKind.Bool => "; use true or false",
            ColumnKind.Date => "; write dates as 'yyyy-MM-dd'",
            _ => "; write instants as '2024-07-19T00:00:00Z'",
        };
        var what = literal.Kind switch
        {
            OperandKind.Number => $"the number {Source(literal.Token)}",
            OperandKind.String => $"the string {Source(literal.Token)}",
            _ => $"the boolean {Source(literal.Token)}",
        };
        throw Error(literal.Token.Start, $"{type} column '{Name(column.Column)}' cannot be compared with {what}{hint}");
    }

    private void RequireColumn(Operand operand, string construct)
    {
        if (operand.Kind != OperandKind.Column)
            throw Error(operand.Token.Start, $"{construct} needs a column on its left, found '{Source(operand.Token)}'");
    }

    private void RequireEquality(Operand column, CompareOp op, Token opToken)
    {
        if (op is not (CompareOp.Eq or CompareOp.Ne))
            throw Error(opToken.Start, $"bool column '{Name(column.Column)}' can only be compared with == or !=");
    }

    private string UnknownColumn(string name)
    {
        var names = _schema.Names;
        var guess = names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? names.FirstOrDefault(n => n.Contains(name, StringComparison.OrdinalIgnoreCase)
                || (n.Length >= 3 && name.Contains(n, StringComparison.OrdinalIgnoreCase)))
            ?? names.FirstOrDefault(n => Distance(n.ToLowerInvariant(), name.ToLowerInvariant()) <= Math.Min(2, name.Length / 3));
        var suggestion = guess is null ? "" : $" (did you mean '{guess}'?)";
        return $"unknown column '{name}'{suggestion}; columns: {string.Join(", ", names.Select(Display))}";

        static string Display(string n) =>
            n.Length > 0 && (char.IsLetter(n[0]) || n[0] == '_') && n.All(c => char.IsLetterOrDigit(c) || c == '_')
            && !Keywords.Contains(n, StringComparer.OrdinalIgnoreCase)
                ? n
                : "`" + n.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private void Advance()
    {
        _previous = _current;
        _current = _lexer.Next();
    }

    private string Name(int column) => _schema.Names[column];

    private string Source(Token token)
    {
        var source = _text[token.Start..token.End];
        return source.Length <= 40 ? source : source[..37] + "...";
    }

    /// <summary>"expected X after 'prev', found 'cur'", at the current token.</summary>
    private FilterSyntaxException Expected(string what)
    {
        var message = "expected " + what;
        if (_previous is { } previous) message += $" after '{Source(previous)}'";
        if (_current.Kind != TokenKind.End) message += $", found '{Source(_current)}'";
        return Error(_current.Start, message);
    }

    private FilterSyntaxException Error(int position, string reason) => new(_text, position, reason);
}
