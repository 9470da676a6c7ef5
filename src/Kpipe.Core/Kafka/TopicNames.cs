namespace Kpipe.Kafka;

/// <summary>Kafka's rule for topic names, checked when a file is validated rather than when the first
/// record is produced or the subscription fails.</summary>
public static class TopicNames
{
    // Kafka's own limit (org.apache.kafka.common.internals.Topic.MAX_NAME_LENGTH): 255 minus room for the
    // partition suffix of the log directory name.
    private const int MaxLength = 249;

    /// <summary>Why <paramref name="name"/> cannot be a Kafka topic, or null when it can.</summary>
    public static string? Invalid(string name)
    {
        if (name.Length == 0) return "a topic name cannot be empty";
        if (name is "." or "..") return $"'{name}' cannot be a topic name";
        if (name.Length > MaxLength) return $"a topic name has at most {MaxLength} characters; this one has {name.Length}";
        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
        return bad != default
            ? $"'{name}' is not a valid topic name: '{bad}' is not allowed; use letters, digits, '.', '_' and '-'"
            : null;
    }
}
