using Kpipe.Config;

namespace Kpipe.Cli.Commands;

internal static class PipelineFiles
{
    /// <summary>Loads every file, printing every problem of every file; null when any file is invalid.</summary>
    public static List<PipelineOptions>? LoadAll(IEnumerable<string> paths, TextWriter error, Func<string, string?>? environment = null)
    {
        var loaded = new List<PipelineOptions>();
        var ok = true;
        foreach (var path in paths)
        {
            try
            {
                loaded.Add(PipelineLoader.Load(path, environment));
            }
            catch (ConfigException e)
            {
                ok = false;
                foreach (var problem in e.Errors) error.WriteLine($"error: {problem}");
            }
        }
        var duplicate = loaded.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
        {
            error.WriteLine($"error: two pipelines are named '{duplicate.Key}'; names must be unique in one process");
            ok = false;
        }
        return ok ? loaded : null;
    }
}
