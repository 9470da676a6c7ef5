using YamlDotNet.Core;

namespace Kpipe.Config;

/// <summary>
/// Where each option of a pipeline file was written, by its path (<c>sinks[0].topic</c>), recorded while
/// binding. Checks that run after binding (cross-key rules, what building the pipeline would refuse) name an
/// option by its path; this turns that into the file, line and column the user has to look at.
/// </summary>
public sealed class ConfigLocations(string file)
{
    // The key of an option (`topic:`), where an error about the option points.
    private readonly Dictionary<string, Mark> _keys = new(StringComparer.Ordinal);
    // The value of a map or list item, for paths that have no key of their own (list items, the root).
    private readonly Dictionary<string, Mark> _values = new(StringComparer.Ordinal);

    public string File { get; } = file;

    internal void RecordKey(string path, Mark mark) => _keys[path] = mark;

    internal void RecordValue(string path, Mark mark) => _values.TryAdd(path, mark);

    /// <summary>
    /// An error about the option at <paramref name="path"/>: at its key when the file has it, else at the
    /// nearest enclosing option the file has (a missing key is reported at its section).
    /// </summary>
    public ConfigError Error(string path, string message)
    {
        var shown = path.Length == 0 ? "the pipeline" : $"'{path}'";
        for (var p = path; ; p = Parent(p))
        {
            if (_keys.TryGetValue(p, out var mark) || _values.TryGetValue(p, out mark))
                return new ConfigError(File, (int)mark.Line, (int)mark.Column, $"{shown}: {message}");
            if (p.Length == 0) return new ConfigError(File, 0, 0, $"{shown}: {message}");
        }
    }

    /// <summary>The enclosing path: <c>a.b[2].c</c> -> <c>a.b[2]</c> -> <c>a.b</c> -> <c>a</c> -> the root.</summary>
    internal static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }
}
