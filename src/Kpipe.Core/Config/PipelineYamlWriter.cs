using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Kpipe.Config;

/// <summary>
/// Writes options back as a native pipeline file (for <c>kpipe convert</c>): only values that differ from
/// their defaults, keys in declaration order, <c>type</c> first for sinks and transforms, and secrets
/// replaced by an environment reference so a converted file never carries a password.
/// </summary>
public static class PipelineYamlWriter
{
    public static string Write(PipelineOptions options)
    {
        var sb = new StringBuilder();
        WriteObject(sb, options, 0, firstLinePrefix: null);
        return sb.ToString();
    }

    private static void WriteObject(StringBuilder sb, object value, int indent, string? firstLinePrefix)
    {
        var type = value.GetType();
        var defaults = Activator.CreateInstance(type)!;
        var pad = new string(' ', indent);
        var first = true;
        string Lead()
        {
            var lead = first && firstLinePrefix != null ? firstLinePrefix : pad;
            first = false;
            return lead;
        }
        if (type.GetCustomAttribute<TypeNameAttribute>() is { } typeName) sb.Append(Lead()).Append("type: ").Append(typeName.Name).Append('\n');
        foreach (var p in YamlBinder.Settable(type))
        {
            var v = p.GetValue(value);
            if (v == null || IsDefault(v, p.GetValue(defaults))) continue;
            var key = YamlBinder.KeyName(p);
            if (p.GetCustomAttribute<SecretAttribute>() != null)
            {
                sb.Append(Lead()).Append(key).Append(": ${").Append(EnvName(type, key)).Append("}\n");
                continue;
            }
            switch (v)
            {
                case string or bool or int or long or double or TimeSpan or ByteSize or Enum:
                    sb.Append(Lead()).Append(key).Append(": ").Append(Scalar(v)).Append('\n');
                    break;
                case IDictionary dict:
                    sb.Append(Lead()).Append(key).Append(":\n");
                    foreach (DictionaryEntry e in dict) sb.Append(pad).Append("  ").Append(Quote((string)e.Key)).Append(": ").Append(Quote(e.Value?.ToString() ?? "")).Append('\n');
                    break;
                case IList list:
                    sb.Append(Lead()).Append(key).Append(":\n");
                    foreach (var item in list)
                    {
                        if (item is string s) sb.Append(pad).Append("  - ").Append(Quote(s)).Append('\n');
                        else WriteObject(sb, item!, indent + 4, pad + "  - ");
                    }
                    break;
                default:
                    // A section left at its defaults (errors:, engine:) is left out entirely.
                    var nested = new StringBuilder();
                    WriteObject(nested, v, indent + 2, null);
                    if (nested.Length > 0) sb.Append(Lead()).Append(key).Append(":\n").Append(nested);
                    break;
            }
        }
    }

    private static bool IsDefault(object value, object? fallback) => value switch
    {
        IList list => list.Count == 0,
        IDictionary dict => dict.Count == 0,
        string or bool or int or long or double or TimeSpan or ByteSize or Enum => value.Equals(fallback),
        _ => false,
    };

    private static string EnvName(Type type, string key) =>
        (type.Name.Replace("SinkOptions", "").Replace("Options", "") + "_" + key).ToUpperInvariant();

    private static string Scalar(object v) => v switch
    {
        string s => Quote(s),
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        TimeSpan t => Durations.Format(t),
        Enum e => char.ToLowerInvariant(e.ToString()[0]) + e.ToString()[1..],
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Quotes text YAML would otherwise read as something else (numbers, booleans, flow syntax).</summary>
    private static string Quote(string s)
    {
        var plain = s.Length > 0 && !s.Any(c => ":#{}[],&*!|>'\"%@`".Contains(c)) && s.Trim() == s
            && !double.TryParse(s, CultureInfo.InvariantCulture, out _) && s is not ("true" or "false" or "null" or "~");
        return plain ? s : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
