using Confluent.Kafka;
using Kpipe.Kafka.Native;

namespace Kpipe.Sinks;

/// <summary>
/// A sink whose writes and the consumed offsets are committed together, atomically (a Kafka transaction). Called
/// on the consumer's thread only, between writes: a transaction then holds exactly the batches written since the
/// last commit.
/// </summary>
public interface ITransactionalSink
{
    /// <summary>Commits everything written since the last commit together with <paramref name="offsets"/> (the next
    /// offsets to read). The caller must have waited until every batch written since then was acknowledged, so the
    /// offsets cover exactly what the transaction holds. Throws <see cref="NativeKafkaException"/> when the
    /// transaction could not be committed; the caller then aborts it.</summary>
    /// <param name="offsets">The consumed offsets to commit, per partition.</param>
    /// <param name="consumer">The consumer they were read with: its group metadata fences zombies (KIP-447).</param>
    void Commit(IReadOnlyList<TopicPartitionOffset> offsets, NativeConsumer consumer);

    /// <summary>Aborts the open transaction, if any: its records stay invisible to read_committed consumers and its
    /// offsets are not committed. Never throws (a producer that cannot abort is fenced or broken; the broker aborts
    /// the transaction when it times out).</summary>
    void Abort();
}
