namespace Kpipe.Config;

/// <summary>
/// Options that a component refuses when it is built, naming the option by its path in the pipeline file
/// (<c>transforms[1].where</c>), so validation can report it at the file's line and column as any other
/// config error.
/// </summary>
/// <param name="key">Dotted path of the option from the pipeline's root.</param>
/// <param name="reason">What is wrong, and what would be valid.</param>
public sealed class OptionException(string key, string reason) : ArgumentException($"{key}: {reason}")
{
    /// <summary>Dotted path of the option from the pipeline's root.</summary>
    public string Key { get; } = key;

    /// <summary>The message without the option's path.</summary>
    public string Reason { get; } = reason;
}
