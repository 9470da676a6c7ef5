using System.Collections;

namespace Kpipe.Config;

/// <summary>
/// Runs the cross-key rules (<see cref="IValidatableOptions"/>) of every options object in a tree, naming
/// each problem by its option path. It walks the bound objects rather than the YAML, so the options a seed
/// file is converted to get exactly the checks a native file gets.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Every problem as (option path, message). Only objects for which <paramref name="check"/> holds
    /// have their rules checked (all when null); the walk still goes below the others.</summary>
    /// <param name="root">The options tree.</param>
    /// <param name="check">Which objects to check: those the file gave and that bound cleanly.</param>
    public static IEnumerable<(string Path, string Message)> Validate(object root, Func<object, bool>? check = null)
    {
        var problems = new List<(string, string)>();
        Walk(root, "", check ?? (_ => true), problems);
        return problems;
    }

    private static void Walk(object value, string path, Func<object, bool> check, List<(string, string)> problems)
    {
        switch (value)
        {
            case string or IDictionary<string, string>:
                return;
            case IDictionary map:
                foreach (DictionaryEntry e in map)
                    if (e.Value != null) Walk(e.Value, $"{path}.{e.Key}", check, problems);
                return;
            case IList list:
                for (var i = 0; i < list.Count; i++)
                    if (list[i] != null) Walk(list[i]!, $"{path}[{i}]", check, problems);
                return;
        }
        if (value.GetType().Namespace?.StartsWith("Kpipe", StringComparison.Ordinal) != true || !value.GetType().IsClass) return;
        foreach (var p in YamlBinder.Settable(value.GetType()))
        {
            if (p.GetValue(value) is { } child) Walk(child, Join(path, YamlBinder.KeyName(p)), check, problems);
        }
        if (value is IValidatableOptions validatable && check(value))
        {
            foreach (var (key, message) in validatable.Validate()) problems.Add((Join(path, key), message));
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
