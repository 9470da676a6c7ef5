using System.Text;

namespace Kpipe.TestKit.Doris;

internal enum SqlTokenKind
{
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Symbol,
    End,
}

internal readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Position)
{
    public bool IsWord(string word) => Kind == SqlTokenKind.Identifier && Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Text == symbol;

    public bool IsName => Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier;

    public override string ToString() => Kind == SqlTokenKind.End ? "end of input" : $"'{Text}'";
}

/// <summary>Tokenizer for the small SQL subsets the emulator reads: CREATE TABLE, `where`, `delete` and `columns`.</summary>
internal static class SqlLexer
{
    private static readonly string[] TwoCharSymbols = ["<=", ">=", "<>", "!=", "=="];

    public static List<SqlToken> Tokenize(string text)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                while (i < text.Length && text[i] != '\n')
                    i++;
                continue;
            }

            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
                continue;
            }

            var start = i;
            if (c == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0)
                    throw new FormatException($"Unterminated quoted identifier at {start}");
                tokens.Add(new SqlToken(SqlTokenKind.QuotedIdentifier, text[(i + 1)..end], start));
                i = end + 1;
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(new SqlToken(SqlTokenKind.String, ReadString(text, ref i, c), start));
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.'
                           || ((text[i] == '+' || text[i] == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E'))))
                    i++;
                tokens.Add(new SqlToken(SqlTokenKind.Number, text[start..i], start));
            }
            else if (char.IsLetter(c) || c == '_' || c == '@' || c == '$')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '@' or '$'))
                    i++;
                tokens.Add(new SqlToken(SqlTokenKind.Identifier, text[start..i], start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                if (two is not null && TwoCharSymbols.Contains(two))
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, two, start));
                    i += 2;
                }
                else
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, c.ToString(), start));
                    i++;
                }
            }
        }

        tokens.Add(new SqlToken(SqlTokenKind.End, "", text.Length));
        return tokens;
    }

    private static string ReadString(string text, ref int i, char quote)
    {
        var sb = new StringBuilder();
        var start = i;
        i++;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                var n = text[i + 1];
                sb.Append(n switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    _ => n,
                });
                i += 2;
                continue;
            }

            if (c == quote)
            {
                // SQL doubles a quote to escape it.
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    sb.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return sb.ToString();
            }

            sb.Append(c);
            i++;
        }

        throw new FormatException($"Unterminated string literal at {start}");
    }
}

/// <summary>A cursor over tokens with the small helpers the parsers share.</summary>
internal sealed class SqlCursor(List<SqlToken> tokens)
{
    private int _pos;

    public SqlToken Peek(int ahead = 0) => tokens[Math.Min(_pos + ahead, tokens.Count - 1)];

    public SqlToken Next()
    {
        var t = Peek();
        if (_pos < tokens.Count - 1)
            _pos++;
        return t;
    }

    public bool AtEnd => Peek().Kind == SqlTokenKind.End;

    public bool TryWord(string word)
    {
        if (!Peek().IsWord(word))
            return false;
        _pos++;
        return true;
    }

    public bool TrySymbol(string symbol)
    {
        if (!Peek().IsSymbol(symbol))
            return false;
        _pos++;
        return true;
    }

    public void ExpectWord(string word)
    {
        if (!TryWord(word))
            throw new FormatException($"Expected {word} but found {Peek()} at {Peek().Position}");
    }

    public void ExpectSymbol(string symbol)
    {
        if (!TrySymbol(symbol))
            throw new FormatException($"Expected '{symbol}' but found {Peek()} at {Peek().Position}");
    }

    public string ExpectName()
    {
        var t = Next();
        if (!t.IsName)
            throw new FormatException($"Expected a name but found {t} at {t.Position}");
        return t.Text;
    }

    /// <summary>Skips one token, or a whole parenthesised group when the token is '('.</summary>
    public void SkipBalanced()
    {
        var depth = 0;
        do
        {
            var t = Next();
            if (t.Kind == SqlTokenKind.End)
                return;
            if (t.IsSymbol("("))
                depth++;
            else if (t.IsSymbol(")"))
                depth--;
        } while (depth > 0);
    }
}
