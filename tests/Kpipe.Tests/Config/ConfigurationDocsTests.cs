using System.Reflection;
using Kpipe.Config;
using Kpipe.Sinks;
using Kpipe.Transforms;

namespace Kpipe.Tests.Config;

/// <summary>docs/configuration.md is the reference for every key: it must name each one the loader accepts.</summary>
public sealed class ConfigurationDocsTests
{
    private static string Docs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "docs", "configuration.md"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir.FullName, "docs", "configuration.md"));
    }

    private static IEnumerable<string> Keys(Type type, string prefix) => Options(type, prefix).Select(o => o.Key);

    private static IEnumerable<(string Key, PropertyInfo Property)> Options(Type type, string prefix)
    {
        foreach (var p in YamlBinder.Settable(type))
        {
            var key = prefix + YamlBinder.KeyName(p);
            var t = p.PropertyType;
            if (t == typeof(List<SinkOptions>) || t == typeof(List<TransformOptions>))
            {
                yield return (key, p);
                var baseType = t.GetGenericArguments()[0];
                foreach (var (name, sub) in YamlBinder.Subtypes(baseType))
                foreach (var k in Options(sub, $"{key}[{name}]."))
                    yield return k;
                continue;
            }
            yield return (key, p);
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && t.GetGenericArguments()[0].Namespace?.StartsWith("Kpipe") == true)
                t = t.GetGenericArguments()[0];
            if (t.IsClass && t != typeof(string) && !t.IsGenericType && t.Namespace?.StartsWith("Kpipe") == true)
                foreach (var k in Options(t, key + ".")) yield return k;
        }
    }

    [Fact]
    public void Every_option_is_documented()
    {
        var docs = Docs();
        var missing = Keys(typeof(PipelineOptions), "").Where(k => !docs.Contains($"`{k}`")).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_range_is_shown_in_its_options_row()
    {
        var rows = Docs().Split('\n');
        var wrong = Options(typeof(PipelineOptions), "")
            .Where(o => o.Property.GetCustomAttribute<ValidRangeAttribute>() != null)
            .Where(o => rows.FirstOrDefault(r => r.StartsWith($"| `{o.Key}` |", StringComparison.Ordinal)) is not { } row
                || !row.Contains(o.Property.GetCustomAttribute<ValidRangeAttribute>()!.Describe(), StringComparison.Ordinal))
            .Select(o => $"{o.Key} ({o.Property.GetCustomAttribute<ValidRangeAttribute>()!.Describe()})")
            .ToList();
        Assert.True(wrong.Count == 0, "docs/configuration.md does not show the range of: " + string.Join(", ", wrong));
    }
}
