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

    private static IEnumerable<string> Keys(Type type, string prefix)
    {
        foreach (var p in YamlBinder.Settable(type))
        {
            var key = prefix + YamlBinder.KeyName(p);
            var t = p.PropertyType;
            if (t == typeof(List<SinkOptions>) || t == typeof(List<TransformOptions>))
            {
                yield return key;
                var baseType = t.GetGenericArguments()[0];
                foreach (var (name, sub) in YamlBinder.Subtypes(baseType))
                foreach (var k in Keys(sub, $"{key}[{name}]."))
                    yield return k;
                continue;
            }
            yield return key;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && t.GetGenericArguments()[0].Namespace?.StartsWith("Kpipe") == true)
                t = t.GetGenericArguments()[0];
            if (t.IsClass && t != typeof(string) && !t.IsGenericType && t.Namespace?.StartsWith("Kpipe") == true)
                foreach (var k in Keys(t, key + ".")) yield return k;
        }
    }

    [Fact]
    public void Every_option_is_documented()
    {
        var docs = Docs();
        var missing = Keys(typeof(PipelineOptions), "").Where(k => !docs.Contains($"`{k}`")).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md lacks: " + string.Join(", ", missing));
    }
}
