using System.Collections;

namespace Kpipe.Config;

/// <summary>
/// Runs the cross-key rules (<see cref="IValidatableOptions"/>) of every options object in a tree, naming
/// each problem by its option path. It walks the bound objects rather than the YAML, so the options a seed
/// file is converted to get exactly the checks a native file gets.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Every problem as (option path, message); objects in <paramref name="skip"/> (which did not
    /// bind cleanly) are not checked, nor is anything below them.</summary>
    public static IEnumerable<(string Path, string Message)> Validate(object root, IReadOnlySet<object>? skip = null)
    {
        var problems = new List<(string, string)>();
        Walk(root, "", skip, problems);
        return problems;
    }

    private static void Walk(object value, string path, IReadOnlySet<object>? skip, List<(string, string)> problems)
    {
        switch (value)
        {
            case string or IDictionary<string, string>:
                return;
            case IDictionary map:
                foreach (DictionaryEntry e in map)
                    if (e.Value != null) Walk(e.Value, $"{path}.{e.Key}", skip, problems);
                return;
            case IList list:
                for (var i = 0; i < list.Count; i++)
                    if (list[i] != null) Walk(list[i]!, $"{path}[{i}]", skip, problems);
                return;
        }
        if (value.GetType().Namespace?.StartsWith("Kpipe", StringComparison.Ordinal) != true || !value.GetType().IsClass) return;
        if (skip?.Contains(value) == true) return;
        foreach (var p in YamlBinder.Settable(value.GetType()))
        {
            if (p.GetValue(value) is { } child) Walk(child, Join(path, YamlBinder.KeyName(p)), skip, problems);
        }
        if (value is IValidatableOptions validatable)
        {
            foreach (var (key, message) in validatable.Validate()) problems.Add((Join(path, key), message));
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
