using System.Globalization;
using System.Text.Json;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The JSON paths Stream Load accepts in `jsonpaths` and `json_root`: "$", "$.a.b", "$.a[0]", "$['a b']",
/// "$.a.*" is not supported. A path that does not resolve yields no value (the column is then "not found").
/// </summary>
internal sealed class JsonPathExpression
{
    private readonly List<object> _steps; // string = member, int = array index

    private JsonPathExpression(string text, List<object> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    public static JsonPathExpression Parse(string text)
    {
        var s = text.Trim();
        if (!s.StartsWith('$'))
            throw new FormatException($"Invalid json path: {text}");
        var steps = new List<object>();
        var i = 1;
        while (i < s.Length)
        {
            if (s[i] == '.')
            {
                i++;
                var start = i;
                while (i < s.Length && s[i] != '.' && s[i] != '[')
                    i++;
                if (i == start)
                    throw new FormatException($"Invalid json path: {text}");
                var name = s[start..i];
                if (name == "*")
                    throw new FormatException($"Wildcards are not supported by the emulator: {text}");
                steps.Add(name);
            }
            else if (s[i] == '[')
            {
                var end = s.IndexOf(']', i);
                if (end < 0)
                    throw new FormatException($"Invalid json path: {text}");
                var inner = s[(i + 1)..end].Trim();
                if (inner.Length >= 2 && (inner[0] is '\'' or '"') && inner[^1] == inner[0])
                    steps.Add(inner[1..^1]);
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    steps.Add(index);
                else
                    throw new FormatException($"Invalid json path: {text}");
                i = end + 1;
            }
            else
            {
                throw new FormatException($"Invalid json path: {text}");
            }
        }

        return new JsonPathExpression(text, steps);
    }

    public bool TryEvaluate(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var step in _steps)
        {
            if (step is string name)
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
                    return false;
            }
            else
            {
                var index = (int)step;
                if (value.ValueKind != JsonValueKind.Array || index >= value.GetArrayLength())
                    return false;
                value = value[index];
            }
        }

        return true;
    }
}
