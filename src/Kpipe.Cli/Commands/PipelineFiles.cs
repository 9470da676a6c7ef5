using Kpipe.Config;

namespace Kpipe.Cli.Commands;

internal static class PipelineFiles
{
    /// <summary>Loads every file, printing every problem of every file; null when any file is invalid.</summary>
    public static List<PipelineOptions>? LoadAll(IEnumerable<string> paths, TextWriter error, Func<string, string?>? environment = null)
    {
        var loaded = new List<PipelineFile>();
        var ok = true;
        foreach (var path in paths)
        {
            try
            {
                loaded.Add(PipelineLoader.Read(path, environment));
            }
            catch (ConfigException e)
            {
                ok = false;
                foreach (var problem in e.Errors) error.WriteLine($"error: {problem}");
            }
        }
        foreach (var duplicate in loaded.GroupBy(p => p.Options.Name).Where(g => g.Count() > 1))
        {
            var first = duplicate.First().Locations.File;
            foreach (var again in duplicate.Skip(1))
                error.WriteLine($"error: {again.Locations.Error("name", $"the pipeline '{duplicate.Key}' is also in {first}; names must be unique in one process")}");
            ok = false;
        }
        return ok ? loaded.Select(p => p.Options).ToList() : null;
    }
}
