using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kpipe.Config;

/// <summary>
/// Writes options back as a native pipeline file (for <c>kpipe convert</c>): only values that differ from
/// their defaults, keys in declaration order, <c>type</c> first for sinks and transforms, and secrets
/// replaced by an environment reference so a converted file never carries a password. YamlDotNet's emitter
/// does the quoting, so any text (colons, <c>#</c>, quotes, newlines) reads back as written; the file is
/// read back with the same rules as any pipeline file, which this writer keeps in mind twice: text that
/// would read as null or as another type is double-quoted, and <c>${</c> is written <c>$${</c> so it is not
/// taken for an environment reference.
/// </summary>
public static partial class PipelineYamlWriter
{
    public static string Write(PipelineOptions options)
    {
        var text = new StringWriter { NewLine = "\n" };
        // Long values stay on one line: folded lines would read back the same, but are hard to edit.
        var emitter = new Emitter(text, EmitterSettings.Default.WithBestWidth(int.MaxValue).WithIndentedSequences());
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        WriteObject(emitter, options);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var yaml = text.ToString();
        return yaml.EndsWith('\n') ? yaml : yaml + "\n";
    }

    private static void WriteObject(IEmitter emitter, object value)
    {
        var type = value.GetType();
        emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
        if (type.GetCustomAttribute<TypeNameAttribute>() is { } typeName) Pair(emitter, "type", () => Plain(emitter, typeName.Name));
        var defaults = Activator.CreateInstance(type)!;
        foreach (var p in YamlBinder.Settable(type))
        {
            var v = p.GetValue(value);
            if (v == null || IsDefault(v, p.GetValue(defaults))) continue;
            var key = YamlBinder.KeyName(p);
            if (p.GetCustomAttribute<SecretAttribute>() != null)
            {
                Pair(emitter, key, () => Plain(emitter, EnvReference(type, key)));
                continue;
            }
            // A section left at its defaults (errors:, engine:) is left out entirely.
            if (IsSection(v) && !HasNonDefault(v)) continue;
            Pair(emitter, key, () => WriteValue(emitter, v, type, key));
        }
        emitter.Emit(new MappingEnd());
    }

    private static void WriteValue(IEmitter emitter, object value, Type owner, string key)
    {
        switch (value)
        {
            case IDictionary dict:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (DictionaryEntry e in dict)
                {
                    // Keys are read as they are; values get ${VAR} expansion, and librdkafka values may be secrets.
                    var name = (string)e.Key;
                    Pair(emitter, name, name, () =>
                    {
                        if (e.Value is string && IsSecretProperty(name)) Plain(emitter, EnvReference(owner, key + "_" + name));
                        else if (e.Value is string s) Text(emitter, s);
                        else WriteValue(emitter, e.Value!, owner, key);
                    });
                }
                emitter.Emit(new MappingEnd());
                break;
            case IList list:
                var scalars = list.Cast<object>().All(i => i is string);
                emitter.Emit(new SequenceStart(null, null, true, scalars ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in list)
                {
                    if (item is string s) Text(emitter, s);
                    else WriteObject(emitter, item!);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case string s:
                Text(emitter, s);
                break;
            case bool or int or long or double or TimeSpan or ByteSize or Enum:
                Plain(emitter, Scalar(value));
                break;
            default:
                WriteObject(emitter, value);
                break;
        }
    }

    private static void Pair(IEmitter emitter, string key, Action value) => Pair(emitter, key, key, value);

    private static void Pair(IEmitter emitter, string key, string shown, Action value)
    {
        Text(emitter, shown, escapeReferences: false);
        value();
    }

    private static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, true, false));

    /// <summary>Text as a string that reads back unchanged: the emitter picks plain or quoted style, except
    /// where plain text would be read as something else (null, a boolean or number to other YAML readers) or
    /// holds line breaks (double quotes show them as \n rather than as folded lines).</summary>
    private static void Text(IEmitter emitter, string text, bool escapeReferences = true)
    {
        if (escapeReferences) text = text.Replace("${", "$${", StringComparison.Ordinal);
        var style = ReadsAsNonText(text) || text.Any(char.IsControl) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, true, true));
    }

    private static bool ReadsAsNonText(string text) =>
        text.Length == 0 || text.Trim() != text || NonText().IsMatch(text);

    // YAML 1.1 and 1.2 core schema plain scalars that are not strings: null, booleans, numbers, timestamps.
    [GeneratedRegex(@"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)$")]
    private static partial Regex NonText();

    private static bool IsSection(object value) => value is not (string or IList or IDictionary) && value.GetType().IsClass;

    private static bool HasNonDefault(object section)
    {
        var defaults = Activator.CreateInstance(section.GetType())!;
        return YamlBinder.Settable(section.GetType()).Any(p => p.GetValue(section) is { } v && !IsDefault(v, p.GetValue(defaults)));
    }

    private static bool IsDefault(object value, object? fallback) => value switch
    {
        IList list => list.Count == 0,
        IDictionary dict => dict.Count == 0,
        string or bool or int or long or double or TimeSpan or ByteSize or Enum => value.Equals(fallback),
        _ => false,
    };

    /// <summary>librdkafka properties holding secrets (sasl.password, ssl.key.password,
    /// sasl.oauthbearer.client.secret...), written as environment references like other secrets.</summary>
    private static bool IsSecretProperty(string name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    private static string EnvReference(Type type, string key)
    {
        var name = type.Name.Replace("SinkOptions", "").Replace("Options", "") + "_" + key;
        return "${" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray()) + "}";
    }

    private static string Scalar(object v) => v switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimeSpan t => Durations.Format(t),
        ByteSize b => b.ToString(),
        Enum e => char.ToLowerInvariant(e.ToString()[0]) + e.ToString()[1..],
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
