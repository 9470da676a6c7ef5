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
/// Options that check rules spanning several keys. Each problem names the key it is about, so the error
/// can point at the right line of the file.
/// </summary>
public interface IValidatableOptions
{
    IEnumerable<(string Key, string Message)> Validate();
}
