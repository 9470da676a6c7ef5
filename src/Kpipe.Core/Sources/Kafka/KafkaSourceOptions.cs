using System.Globalization;
using Kpipe.Config;

namespace Kpipe.Sources.Kafka;

/// <summary>Reads records from Kafka as a member of a consumer group.</summary>
public sealed class KafkaSourceOptions : IValidatableOptions
{
    /// <summary>Comma-separated <c>host:port</c> list of brokers.</summary>
    [RequiredKey] public string BootstrapServers { get; set; } = "";

    /// <summary>Topics to read. Give either <c>topics</c> or <c>topicPattern</c>.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>A regular expression; every matching topic is read, including topics created later.</summary>
    public string? TopicPattern { get; set; }

    /// <summary>Consumer group id. Default: <c>kpipe-</c> followed by the pipeline name. Processes sharing
    /// a group split the partitions between them.</summary>
    public string? GroupId { get; set; }

    /// <summary>Where to start in a partition for which the group has no committed offset: <c>earliest</c>
    /// (default), <c>latest</c>, or an ISO-8601 instant such as <c>2024-07-19T10:00:00Z</c> (the first record
    /// at or after it).</summary>
    public string StartFrom { get; set; } = "earliest";

    /// <summary>Most records handed to the transforms and sinks at once (the seed's maxOffsetsPerTrigger).
    /// Default 10000.</summary>
    // The array of message handles is allocated at this size up front (8 bytes each).
    [ValidRange("1", "1000000")] public int MaxRecordsPerBatch { get; set; } = 10_000;

    /// <summary>How long the source cluster may stay unreachable from the start (no broker answering: port
    /// closed, host unknown, TLS or SASL refused) before the pipeline stops with an error naming the bootstrap
    /// servers and the last reason. <c>0s</c> waits forever. Once a broker has answered, later outages are
    /// waited out. Default 2m.</summary>
    [ValidRange("0s")] public TimeSpan UnreachableTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>librdkafka consumer properties passed as they are (TLS, SASL, fetch sizes...). See
    /// https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md. kpipe sets group.id,
    /// bootstrap.servers, enable.auto.commit=false and partition.assignment.strategy=cooperative-sticky;
    /// values given here win.</summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    internal DateTimeOffset? StartTimestamp =>
        DateTimeOffset.TryParse(StartFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Topics.Count == 0 && string.IsNullOrWhiteSpace(TopicPattern))
            yield return ("topics", "give 'topics' (a list of topic names) or 'topicPattern' (a regular expression)");
        if (Topics.Count > 0 && !string.IsNullOrWhiteSpace(TopicPattern))
            yield return ("topicPattern", "give either 'topics' or 'topicPattern', not both");
        if (StartFrom is not ("earliest" or "latest") && StartTimestamp == null)
            yield return ("startFrom", $"must be earliest, latest or an ISO-8601 instant such as 2024-07-19T10:00:00Z; got '{StartFrom}'");
        for (var i = 0; i < Topics.Count; i++)
            if (Kpipe.Kafka.TopicNames.Invalid(Topics[i]) is { } reason) yield return ($"topics[{i}]", reason);
        if (TopicPattern != null)
        {
            string? error = null;
            try { _ = new System.Text.RegularExpressions.Regex(TopicPattern); }
            catch (ArgumentException e) { error = e.Message; }
            if (error != null) yield return ("topicPattern", $"not a valid regular expression: {error}");
        }
    }
}
