using Confluent.Kafka;

namespace Kpipe.Sinks;

/// <summary>
/// A sink whose writes become visible only after the offsets past them are committed (the Doris sink with
/// <c>exactlyOnce</c>: two-phase commit). It chooses, before each offset commit, which offset each partition may
/// commit and the metadata stored with it (its pending transactions), makes its writes visible once that commit
/// succeeded, and finishes what an earlier owner of a partition recorded before the partition is read again.
/// Called on the consumer's thread.
/// </summary>
public interface ICommitParticipant
{
    /// <summary>The offsets to commit now, each with its metadata: <paramref name="acknowledged"/> (offsets every
    /// sink acknowledged, possibly none) lowered where needed, plus partitions the participant still has to record.
    /// Empty when there is nothing to commit.</summary>
    IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> Prepare(IReadOnlyList<TopicPartitionOffset> acknowledged,
        IReadOnlyCollection<TopicPartition>? only);

    /// <summary>The offsets and metadata of <see cref="Prepare"/> are committed: what they record may be made visible.</summary>
    void Committed(IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> committed);

    /// <summary>Partitions were assigned; <paramref name="metadata"/> is what their last owner committed with their
    /// offsets (null where none). Returns once what it records is visible; throws when that cannot be done (the
    /// pipeline then stops before reading them).</summary>
    void Resume(IReadOnlyList<TopicPartition> partitions, IReadOnlyList<string?> metadata);

    /// <summary>The partitions were revoked (after their last commit) or lost: forget what was not recorded.</summary>
    void Forget(IReadOnlyCollection<TopicPartition> partitions);
}
