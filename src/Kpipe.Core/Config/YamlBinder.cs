using System.Collections;
using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kpipe.Config;

/// <summary>
/// Binds a YAML node tree to options classes. Hand-written rather than YamlDotNet's deserializer because
/// kpipe's errors must carry the line and column of the offending key, list every valid key or value,
/// never echo secrets, expand <c>${VAR}</c> per scalar, and report all problems of a file at once;
/// YamlDotNet stops at the first problem and knows none of these rules. YamlDotNet still does the parsing.
/// </summary>
public sealed class YamlBinder(string file, Func<string, string?> environment)
{
    private readonly List<ConfigError> _errors = [];
    private readonly NullabilityInfoContext _nullability = new();
    private readonly HashSet<object> _bound = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _incomplete = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Where every key and item of the bound file was written.</summary>
    public ConfigLocations Locations { get; } = new(file);

    /// <summary>Whether the file gave this object and it bound without a problem in it or below. Cross-key
    /// rules are checked only then: they make no sense over keys that did not bind, nor over a default
    /// left in place of a value that was not a map.</summary>
    public bool BoundCleanly(object options) => _bound.Contains(options) && !_incomplete.Contains(options);

    public T Bind<T>(YamlNode node) where T : class, new()
    {
        Locations.RecordValue("", node.Start);
        return (T)(BindValue(node, typeof(T), "", false) ?? new T());
    }

    public void AddError(Mark mark, string message) => _errors.Add(new ConfigError(file, (int)mark.Line, (int)mark.Column, message));

    public static string KeyName(PropertyInfo p) =>
        p.GetCustomAttribute<KeyAttribute>()?.Name ?? char.ToLowerInvariant(p.Name[0]) + p.Name[1..];

    public static IEnumerable<PropertyInfo> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetSetMethod() != null);

    /// <summary>The concrete options classes that a <c>type:</c> key may select for an abstract base.</summary>
    public static IReadOnlyDictionary<string, Type> Subtypes(Type abstractType) =>
        abstractType.Assembly.GetTypes()
            .Where(t => !t.IsAbstract && abstractType.IsAssignableFrom(t) && t.GetCustomAttribute<TypeNameAttribute>() != null)
            .ToDictionary(t => t.GetCustomAttribute<TypeNameAttribute>()!.Name, StringComparer.Ordinal);

    private object? BindValue(YamlNode node, Type type, string path, bool secret)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
        {
            if (underlying != null || !type.IsValueType) return null;
        }
        type = underlying ?? type;

        if (IsScalarType(type)) return BindScalar(node, type, path, secret);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)) return BindMap(node, type, path);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) return BindList(node, type, path);
        return BindObject(node, type, path);
    }

    private static bool IsScalarType(Type t) =>
        t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(bool)
        || t == typeof(TimeSpan) || t == typeof(ByteSize) || t.IsEnum;

    private object? BindScalar(YamlNode node, Type type, string path, bool secret)
    {
        if (node is not YamlScalarNode scalar)
        {
            AddError(node.Start, $"{Describe(path)} must be {Expected(type)}, not a {Kind(node)}");
            return null;
        }
        var text = EnvironmentSubstitution.Expand(scalar.Value ?? "", environment, out var envError);
        if (envError != null)
        {
            AddError(node.Start, $"{Describe(path)}: {envError}");
            return null;
        }
        if (TryConvert(text, type, out var value)) return value;
        var shown = secret ? "(secret value hidden)" : $"'{Excerpt(text)}'";
        AddError(node.Start, $"{Describe(path)} must be {Expected(type)}; got {shown}");
        return null;
    }

    private static bool TryConvert(string text, Type type, out object? value)
    {
        value = null;
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) { value = text; return true; }
        if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, inv, out var i)) { value = i; return true; }
        if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, inv, out var l)) { value = l; return true; }
        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, inv, out var d)) { value = d; return true; }
        if (type == typeof(bool) && bool.TryParse(text, out var b)) { value = b; return true; }
        if (type == typeof(TimeSpan) && Durations.TryParse(text, out var ts)) { value = ts; return true; }
        if (type == typeof(ByteSize) && ByteSize.TryParse(text, out var bs)) { value = bs; return true; }
        if (type.IsEnum)
        {
            var wanted = Normalize(text);
            foreach (var name in Enum.GetNames(type))
            {
                if (Normalize(name) == wanted) { value = Enum.Parse(type, name); return true; }
            }
        }
        return false;
    }

    private static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    private object? BindMap(YamlNode node, Type type, string path)
    {
        if (node is not YamlMappingNode map)
        {
            AddError(node.Start, $"{Describe(path)} must be a map of names to values, not a {Kind(node)}");
            return null;
        }
        var valueType = type.GetGenericArguments()[1];
        var dict = (IDictionary)Activator.CreateInstance(type)!;
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            Locations.RecordKey($"{path}.{key}", k.Start);
            // Values of free-form maps (librdkafka properties) may hold passwords: never echo them.
            var bound = BindValue(v, valueType, $"{path}.{key}", secret: true);
            if (bound != null) dict[key] = bound;
        }
        return dict;
    }

    private object? BindList(YamlNode node, Type type, string path)
    {
        var itemType = type.GetGenericArguments()[0];
        var list = (IList)Activator.CreateInstance(type)!;
        if (node is YamlScalarNode && IsScalarType(itemType))
        {
            // A single value where a list is expected is read as a list of one (topics: orders).
            var one = BindValue(node, itemType, path, false);
            if (one != null) list.Add(one);
            return list;
        }
        if (node is not YamlSequenceNode seq)
        {
            AddError(node.Start, $"{Describe(path)} must be a list, not a {Kind(node)}");
            return null;
        }
        var index = 0;
        foreach (var child in seq.Children)
        {
            Locations.RecordValue($"{path}[{index}]", child.Start);
            var item = BindValue(child, itemType, $"{path}[{index++}]", false);
            if (item != null) list.Add(item);
        }
        return list;
    }

    private object? BindObject(YamlNode node, Type type, string path)
    {
        if (node is not YamlMappingNode map)
        {
            AddError(node.Start, $"{Describe(path)} must be a map of keys, not a {Kind(node)}");
            return null;
        }
        if (type.IsAbstract)
        {
            var concrete = ResolveSubtype(map, type, path);
            if (concrete == null) return null;
            type = concrete;
        }
        var errorsBefore = _errors.Count;
        var target = Activator.CreateInstance(type)!;
        _bound.Add(target);
        var properties = Settable(type).ToDictionary(KeyName, StringComparer.Ordinal);
        var seen = new Dictionary<string, Mark>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "type" && type.GetCustomAttribute<TypeNameAttribute>() != null) continue;
            if (!properties.TryGetValue(key, out var property))
            {
                AddError(keyNode.Start, UnknownKey(key, path, properties.Keys));
                continue;
            }
            seen[key] = keyNode.Start;
            Locations.RecordKey(Join(path, key), keyNode.Start);
            Locations.RecordValue(Join(path, key), valueNode.Start);
            if (valueNode is YamlScalarNode { Value: "auto" } && property.GetCustomAttribute<AutoWordAttribute>() is { } auto)
            {
                type.GetProperty(auto.Flag, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.SetValue(target, true);
                continue;
            }
            var errorsBeforeValue = _errors.Count;
            var value = BindValue(valueNode, property.PropertyType, Join(path, key), property.GetCustomAttribute<SecretAttribute>() != null);
            if (value != null) CheckValue(property, value, valueNode, Join(path, key));
            else if (_errors.Count == errorsBeforeValue && property.GetCustomAttribute<RequiredKeyAttribute>() != null && IsScalarType(property.PropertyType))
                AddError(valueNode.Start, $"{Describe(Join(path, key))} is required and cannot be empty; give {Expected(property.PropertyType)}");
            // An explicit null keeps the default unless the option is declared nullable.
            if (value != null || _nullability.Create(property).WriteState == NullabilityState.Nullable)
                property.SetValue(target, value);
        }
        foreach (var (key, property) in properties)
        {
            if (property.GetCustomAttribute<RequiredKeyAttribute>() != null && !seen.ContainsKey(key))
                AddError(map.Start, $"{Describe(path)} is missing the required key '{key}'");
        }
        if (_errors.Count != errorsBefore) _incomplete.Add(target);
        return target;
    }

    /// <summary>Rules a single value breaks on its own: a required text left empty (<c>topic: ""</c> would
    /// only fail once the pipeline runs), a number outside its declared range.</summary>
    private void CheckValue(PropertyInfo property, object value, YamlNode node, string path)
    {
        if (value is string text && text.Trim().Length == 0 && property.GetCustomAttribute<RequiredKeyAttribute>() != null)
            AddError(node.Start, $"{Describe(path)} is required and cannot be empty; give {Expected(typeof(string))}");
        if (property.GetCustomAttribute<ValidRangeAttribute>() is { } range && !range.Contains(value))
        {
            var shown = property.GetCustomAttribute<SecretAttribute>() != null ? "(secret value hidden)" : Show(value);
            AddError(node.Start, $"{Describe(path)} must be {range.Describe()}; got {shown}");
        }
    }

    private static string Show(object value) => value switch
    {
        TimeSpan t => Durations.Format(t),
        ByteSize b => $"{b.Bytes} bytes",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private Type? ResolveSubtype(YamlMappingNode map, Type baseType, string path)
    {
        var subtypes = Subtypes(baseType);
        var valid = string.Join(", ", subtypes.Keys.Order());
        var typeEntry = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "type" });
        if (typeEntry.Key == null)
        {
            AddError(map.Start, $"{Describe(path)} needs a 'type' key; valid types: {valid}");
            return null;
        }
        var name = (typeEntry.Value as YamlScalarNode)?.Value ?? "";
        if (subtypes.TryGetValue(name, out var t)) return t;
        AddError(typeEntry.Value.Start, $"{Describe(path)}: unknown type '{Excerpt(name)}'; valid types: {valid}");
        return null;
    }

    private static string UnknownKey(string key, string path, IEnumerable<string> valid)
    {
        var keys = valid.Order(StringComparer.Ordinal).ToList();
        var near = keys.Select(k => (k, d: Distance(k.ToLowerInvariant(), key.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, key.Length / 3)).OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();
        var hint = near != null ? $" (did you mean '{near}'?)" : "";
        var where = path.Length == 0 ? "at the top level" : $"in '{path}'";
        return $"unknown key '{Excerpt(key)}' {where}{hint}; valid keys: {string.Join(", ", keys)}";
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Describe(string path) => path.Length == 0 ? "the pipeline" : $"'{path}'";

    private static string Excerpt(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "map",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    private static string Expected(Type t)
    {
        if (t == typeof(int) || t == typeof(long)) return "a whole number";
        if (t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(TimeSpan)) return "a duration such as 250ms, 5s, 2m or 1h";
        if (t == typeof(ByteSize)) return "a size such as 1048576, 512KiB, 64MiB or 1GiB";
        // Written as the docs spell them: DeadLetter is dead_letter.
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => string.Concat(n.Select((c, i) =>
            char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()))));
        return "a text value";
    }
}
