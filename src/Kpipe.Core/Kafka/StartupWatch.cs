namespace Kpipe.Kafka;

/// <summary>What the source does about a cluster it has not reached yet.</summary>
internal enum StartupVerdict
{
    /// <summary>Nothing to say: reached, or no trouble yet.</summary>
    Wait,
    /// <summary>The first trouble before the cluster was ever reached: say once, plainly, what is wrong.</summary>
    Summarize,
    /// <summary>Unreachable for the whole <c>unreachableTimeout</c>: stop the pipeline.</summary>
    GiveUp,
    /// <summary>Reached after the trouble was summarized: say it is over.</summary>
    Recovered,
}

/// <summary>
/// Watches a Kafka client (the source's consumer, the Kafka sink's producer) from its start until the cluster
/// answers once. librdkafka retries an unreachable bootstrap server forever and only says so line by line; this
/// turns that into one summary and, after <c>unreachableTimeout</c> (0: never), a stop. Only the start is watched:
/// once the cluster answered, an outage is waited out (the client resumes where it was).
/// </summary>
/// <param name="time">The clock; tests pass their own.</param>
/// <param name="timeout">How long the cluster may stay unreachable from the start; zero waits forever.</param>
internal sealed class StartupWatch(TimeProvider time, TimeSpan timeout)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private string? _trouble;
    private bool _summarized;
    private bool _reached;

    /// <summary>The last thing librdkafka said was wrong before the cluster was reached.</summary>
    public string? Trouble => Volatile.Read(ref _trouble);

    /// <summary>The cluster has answered once; nothing is watched any more.</summary>
    public bool Reached => _reached;

    /// <summary>How long the source has waited.</summary>
    public TimeSpan Waited => time.GetUtcNow() - _started;

    /// <summary>A connection-level error; from librdkafka's threads.</summary>
    /// <param name="reason">librdkafka's text.</param>
    public void Troubled(string reason)
    {
        if (!Volatile.Read(ref _reached)) Volatile.Write(ref _trouble, reason);
    }

    /// <summary>Called from one thread (the consuming thread, the sink's report thread) with whether the cluster
    /// has answered yet.</summary>
    /// <param name="reached">The client holds the cluster's metadata: some broker answered.</param>
    public StartupVerdict Check(bool reached)
    {
        if (_reached) return StartupVerdict.Wait;
        if (reached)
        {
            Volatile.Write(ref _reached, true);
            return _summarized ? StartupVerdict.Recovered : StartupVerdict.Wait;
        }
        if (timeout > TimeSpan.Zero && Waited >= timeout) return StartupVerdict.GiveUp;
        if (!_summarized && Trouble != null)
        {
            _summarized = true;
            return StartupVerdict.Summarize;
        }
        return StartupVerdict.Wait;
    }

    /// <summary>The bootstrap servers as logs and errors show them: host:port, without any user info.</summary>
    public static string Display(string bootstrapServers) => string.Join(",", bootstrapServers.Split(',', StringSplitOptions.TrimEntries)
        .Select(s => s[(s.LastIndexOf('@') + 1)..]));
}
