using System.Text;

namespace Kpipe.Config;

/// <summary>
/// Expands <c>${VAR}</c> and <c>${VAR:-default}</c> in scalar values; <c>$${</c> stands for a literal <c>${</c>.
/// Done on scalars after YAML parsing (not on the raw text) so a value can never change the file's structure
/// and errors still point at the line the user wrote.
/// </summary>
public static class EnvironmentSubstitution
{
    public static string Expand(string text, Func<string, string?> lookup, out string? error)
    {
        error = null;
        if (!text.Contains('$')) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                sb.Append("${");
                i += 2;
                continue;
            }
            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '{')
            {
                sb.Append(text[i]);
                continue;
            }
            var end = text.IndexOf('}', i + 2);
            if (end < 0)
            {
                error = "unterminated ${...} reference";
                return text;
            }
            var body = text.AsSpan(i + 2, end - i - 2);
            var sep = body.IndexOf(":-");
            var name = (sep >= 0 ? body[..sep] : body).ToString();
            if (name.Length == 0)
            {
                error = "empty variable name in ${}";
                return text;
            }
            var value = lookup(name);
            if (string.IsNullOrEmpty(value))
            {
                if (sep < 0)
                {
                    error = $"environment variable {name} is not set (write ${{{name}:-default}} to give a default)";
                    return text;
                }
                value = body[(sep + 2)..].ToString();
            }
            sb.Append(value);
            i = end;
        }
        return sb.ToString();
    }
}
