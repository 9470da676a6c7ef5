using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kpipe.Config;

/// <summary>Reads and validates pipeline files.</summary>
public static class PipelineLoader
{
    /// <summary>Loads a pipeline file; throws <see cref="ConfigException"/> listing every problem found.</summary>
    public static PipelineOptions Load(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, $"cannot read the file: {e.Message}")]);
        }
        return Parse(text, path, environment);
    }

    public static PipelineOptions Parse(string yaml, string fileName, Func<string, string?>? environment = null)
    {
        var root = ParseYaml(yaml, fileName);
        var binder = new YamlBinder(fileName, environment ?? Environment.GetEnvironmentVariable);
        if (IsSeedFile(root))
        {
            var seed = binder.Bind<Seed.SeedFileOptions>(root);
            if (binder.Errors.Count > 0) throw new ConfigException(binder.Errors);
            return Seed.SeedConverter.Convert(seed, fileName);
        }
        var options = binder.Bind<PipelineOptions>(root);
        if (binder.Errors.Count > 0) throw new ConfigException(binder.Errors);
        return options;
    }

    /// <summary>The seed's files have a <c>process</c> section, or a single <c>sink</c> and no <c>name</c>;
    /// a native file with a misspelled <c>sinks</c> still gets the native error.</summary>
    public static bool IsSeedFile(YamlNode root)
    {
        if (root is not YamlMappingNode map) return false;
        var keys = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToHashSet();
        return keys.Contains("process") || (keys.Contains("sink") && !keys.Contains("name"));
    }

    internal static YamlNode ParseYaml(string yaml, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigError(fileName, (int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {e.InnerException?.Message ?? e.Message}")]);
        }
        if (stream.Documents.Count == 0)
            throw new ConfigException([new ConfigError(fileName, 0, 0, "the file is empty")]);
        if (stream.Documents.Count > 1)
            throw new ConfigException([new ConfigError(fileName, 0, 0, "one pipeline per file: the file holds several YAML documents")]);
        return stream.Documents[0].RootNode;
    }
}
