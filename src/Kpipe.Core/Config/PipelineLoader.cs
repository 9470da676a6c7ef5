using YamlDotNet.RepresentationModel;

namespace Kpipe.Config;

/// <summary>A valid pipeline file: its options, and where each was written.</summary>
public sealed record PipelineFile(PipelineOptions Options, ConfigLocations Locations);

/// <summary>Reads and validates pipeline files.</summary>
public static class PipelineLoader
{
    /// <summary>Loads a pipeline file; throws <see cref="ConfigException"/> listing every problem found.</summary>
    public static PipelineOptions Load(string path, Func<string, string?>? environment = null) => Read(path, environment).Options;

    /// <summary>As <see cref="Load"/>, with where each option was written (for problems found later, such as
    /// two files naming the same pipeline).</summary>
    public static PipelineFile Read(string path, Func<string, string?>? environment = null)
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
        return ParseFile(text, path, environment);
    }

    /// <summary>
    /// The one validation path, shared by <c>run</c>, <c>validate</c>, <c>test</c> and <c>convert</c>: YAML
    /// syntax, binding (keys, types, ranges, required values), every options object's cross-key rules, then
    /// what building the pipeline would refuse (<see cref="Engine.PipelineChecks"/>). A file that passes here gets
    /// past <c>run</c>'s configuration; every problem carries the file, line and column.
    /// </summary>
    public static PipelineOptions Parse(string yaml, string fileName, Func<string, string?>? environment = null) =>
        ParseFile(yaml, fileName, environment).Options;

    private static PipelineFile ParseFile(string yaml, string fileName, Func<string, string?>? environment)
    {
        var root = ParseYaml(yaml, fileName);
        var binder = new YamlBinder(fileName, environment ?? Environment.GetEnvironmentVariable);
        var errors = new List<ConfigError>();
        PipelineOptions options;
        Func<string, string> origin = path => path;
        var seedFile = IsSeedFile(root);
        if (seedFile)
        {
            var seed = binder.Bind<Seed.SeedFileOptions>(root);
            errors.AddRange(binder.Errors);
            errors.AddRange(OptionsValidation.Validate(seed, binder.BoundCleanly).Select(p => binder.Locations.Error(p.Path, p.Message)));
            if (errors.Count > 0) throw new ConfigException(errors);
            var origins = new Dictionary<string, string>(StringComparer.Ordinal);
            options = Seed.SeedConverter.Convert(seed, fileName, origins);
            origin = path => SeedOrigin(path, origins);
        }
        else
        {
            options = binder.Bind<PipelineOptions>(root);
            errors.AddRange(binder.Errors);
        }
        // A seed file's converted options were all made by the converter from options that bound cleanly.
        Func<object, bool> check = seedFile ? _ => true : binder.BoundCleanly;
        errors.AddRange(OptionsValidation.Validate(options, check).Select(p => binder.Locations.Error(origin(p.Path), p.Message)));
        // Building the pipeline needs every option bound and consistent.
        if (errors.Count == 0)
        {
            Engine.PipelineChecks.Settle(options);
            errors.AddRange(Engine.PipelineChecks.Check(options).Select(p => binder.Locations.Error(origin(p.Path), p.Message)));
        }
        // In file order, as an editor walks them (binding and later checks find them in different orders).
        if (errors.Count > 0) throw new ConfigException(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        return new PipelineFile(options, binder.Locations);
    }

    /// <summary>The seed key a converted option came from, or the nearest enclosing one.</summary>
    private static string SeedOrigin(string path, Dictionary<string, string> origins)
    {
        for (var p = path; p.Length > 0; p = ConfigLocations.Parent(p))
            if (origins.TryGetValue(p, out var seedPath)) return seedPath;
        return "";
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
        var stream = YamlSyntax.Load(yaml, fileName);
        if (stream.Documents.Count == 0)
            throw new ConfigException([new ConfigError(fileName, 1, 1, "the file is empty; a pipeline needs at least name, source and sinks")]);
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigException([new ConfigError(fileName, (int)second.Line, (int)second.Column,
                "one pipeline per file: a second YAML document starts here; put each pipeline in a file of its own")]);
        }
        return stream.Documents[0].RootNode;
    }
}
