namespace Kpipe.Sinks.Doris;

/// <summary>A load could not be committed in Doris (after retries, or refused credentials). Its message names
/// the user, table and label, never the password.</summary>
public sealed class DorisLoadException(string message, Exception? inner = null) : Exception(message, inner);
