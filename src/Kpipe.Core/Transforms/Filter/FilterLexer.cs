using System.Text;

namespace Kpipe.Transforms.Filter;

internal enum TokenKind { End, Name, QuotedName, Number, String, Symbol }

/// <summary>One token; <see cref="Value"/> is the name, the unescaped string, the number's text or the symbol.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, string Value)
{
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Value == symbol;

    /// <summary>Keywords are bare names in any case; a backquoted name is always a column.</summary>
    public bool IsKeyword(string keyword) =>
        Kind == TokenKind.Name && string.Equals(Value, keyword, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Splits a filter into tokens on demand, so the parser reports the first problem from the left even when
/// a later part of the text would not lex.
/// </summary>
internal sealed class FilterLexer(string text)
{
    // Longest first: "<=" must win over "<".
    private static readonly string[] Symbols = ["==", "!=", "<>", "<=", ">=", "&&", "||", "<", ">", "=", "!", "(", ")", ","];

    private int _position;

    public Token Next()
    {
        while (_position < text.Length && char.IsWhiteSpace(text[_position])) _position++;
        if (_position >= text.Length) return new Token(TokenKind.End, text.Length, text.Length, "");
        var start = _position;
        var c = text[start];
        if (char.IsLetter(c) || c == '_')
        {
            while (_position < text.Length && IsNamePart(text[_position])) _position++;
            return new Token(TokenKind.Name, start, _position, text[start.._position]);
        }
        if (char.IsAsciiDigit(c) || (c == '-' && start + 1 < text.Length && char.IsAsciiDigit(text[start + 1])))
            return LexNumber(start);
        if (c is '\'' or '"') return LexString(start, c);
        if (c == '`') return LexQuotedName(start);
        foreach (var symbol in Symbols)
        {
            if (!text.AsSpan(start).StartsWith(symbol, StringComparison.Ordinal)) continue;
            _position += symbol.Length;
            return new Token(TokenKind.Symbol, start, _position, symbol);
        }
        throw new FilterSyntaxException(text, start, c switch
        {
            '&' => "unexpected character '&'; use '&&' or 'and'",
            '|' => "unexpected character '|'; use '||' or 'or'",
            '-' => "'-' must be followed by a number",
            _ => $"unexpected character '{c}'",
        });
    }

    private static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c == '_';

    private Token LexNumber(int start)
    {
        if (text[_position] == '-') _position++;
        SkipDigits();
        var valid = true;
        if (_position < text.Length && text[_position] == '.')
        {
            _position++;
            valid = SkipDigits();
        }
        if (valid && _position < text.Length && text[_position] is 'e' or 'E')
        {
            _position++;
            if (_position < text.Length && text[_position] is '+' or '-') _position++;
            valid = SkipDigits();
        }
        // "10abc" or "1.x" is a typo, not the number 10 followed by a name.
        if (!valid || (_position < text.Length && (IsNamePart(text[_position]) || text[_position] == '.')))
        {
            while (_position < text.Length && (IsNamePart(text[_position]) || text[_position] == '.')) _position++;
            throw new FilterSyntaxException(text, start, $"invalid number '{text[start.._position]}'");
        }
        return new Token(TokenKind.Number, start, _position, text[start.._position]);
    }

    private bool SkipDigits()
    {
        var from = _position;
        while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
        return _position > from;
    }

    /// <summary>
    /// Backslash escapes a quote or a backslash; any other backslash stays, so LIKE's <c>\%</c> and
    /// <c>\_</c> reach the pattern. A doubled quote is one quote, as in SQL.
    /// </summary>
    private Token LexString(int start, char quote)
    {
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= text.Length)
                throw new FilterSyntaxException(text, start, $"unterminated string: missing the closing {quote}");
            var c = text[_position];
            if (c == '\\' && _position + 1 < text.Length && text[_position + 1] is '\'' or '"' or '\\')
            {
                value.Append(text[_position + 1]);
                _position += 2;
            }
            else if (c == quote && _position + 1 < text.Length && text[_position + 1] == quote)
            {
                value.Append(quote);
                _position += 2;
            }
            else if (c == quote)
            {
                _position++;
                return new Token(TokenKind.String, start, _position, value.ToString());
            }
            else
            {
                value.Append(c);
                _position++;
            }
        }
    }

    private Token LexQuotedName(int start)
    {
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= text.Length)
                throw new FilterSyntaxException(text, start, "unterminated column name: missing the closing `");
            var c = text[_position++];
            if (c != '`')
                value.Append(c);
            else if (_position < text.Length && text[_position] == '`')
            {
                value.Append('`');
                _position++;
            }
            else if (value.Length == 0)
                throw new FilterSyntaxException(text, start, "empty column name ``");
            else
                return new Token(TokenKind.QuotedName, start, _position, value.ToString());
        }
    }
}
