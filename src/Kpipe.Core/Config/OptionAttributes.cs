namespace Kpipe.Config;

/// <summary>The key must be present in the pipeline file.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredKeyAttribute : Attribute;

/// <summary>The key's spelling when it is not the property name in camelCase (the seed's files use snake_case).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeyAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>The value is a secret: it is never echoed in errors, logs or metrics.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>
/// The value of the <c>type</c> key that selects this options class where the declared type is abstract
/// (sinks, transforms).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TypeNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The valid values of a number, duration or size option, bounds included, written as in a pipeline file
/// (<c>"0"</c>, <c>"1ms"</c>, <c>"1KiB"</c>); no <paramref name="max"/>: no upper bound. The binder rejects a
/// value outside it, naming the range, and docs/configuration.md shows <see cref="Describe"/> next to the key
/// (a test keeps the two equal), so a range is declared once, here.
/// </summary>
/// <param name="min">The smallest valid value.</param>
/// <param name="max">The largest valid value, or null.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidRangeAttribute(string min, string? max = null) : Attribute
{
    public string Min { get; } = min;

    public string? Max { get; } = max;

    /// <summary>The range as the docs and errors show it: <c>at least 1ms</c> or <c>0 to 1</c>.</summary>
    public string Describe() => Max == null ? $"at least {Min}" : $"{Min} to {Max}";

    /// <summary>Whether a bound value (a number, <see cref="TimeSpan"/> or <see cref="ByteSize"/>) is in range.</summary>
    public bool Contains(object value)
    {
        var v = Magnitude(value);
        return v >= Bound(Min, value) && (Max == null || v <= Bound(Max, value));
    }

    private static double Magnitude(object value) => value switch
    {
        TimeSpan t => t.Ticks,
        ByteSize b => b.Bytes,
        _ => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static double Bound(string text, object like) => like switch
    {
        TimeSpan when Durations.TryParse(text, out var t) => t.Ticks,
        ByteSize when ByteSize.TryParse(text, out var b) => b.Bytes,
        TimeSpan or ByteSize => throw new InvalidOperationException($"range bound '{text}' is not a {like.GetType().Name}"),
        _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Options that check rules spanning several keys. Each problem names the key it is about, so the error
/// can point at the right line of the file.
/// </summary>
public interface IValidatableOptions
{
    IEnumerable<(string Key, string Message)> Validate();
}

/// <summary>
/// A list option that also takes the word <c>auto</c> instead of a list (<c>columns: auto</c>): the binder then sets the
/// non-public boolean property named <paramref name="flag"/> and leaves the list empty.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AutoWordAttribute(string flag) : Attribute
{
    public string Flag { get; } = flag;
}
