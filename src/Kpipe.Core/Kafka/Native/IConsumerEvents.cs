using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>What a <see cref="NativeConsumer"/> tells its owner. Exceptions thrown by the rebalance and
/// error members are rethrown from the <see cref="NativeConsumer"/> call that served them.</summary>
public interface IConsumerEvents
{
    /// <summary>
    /// Inside ConsumeBatch/Close, on the consuming thread. Returns where each partition starts:
    /// <see cref="Offset.Unset"/> = from the committed offset, else auto.offset.reset. The binding then
    /// incrementally assigns (cooperative) or assigns (eager) exactly the returned list.
    /// </summary>
    IReadOnlyList<TopicPartitionOffset> OnAssigned(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions);

    /// <summary>Before the binding unassigns them (cooperative: incremental_unassign). Commit inside this call.</summary>
    void OnRevoked(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions);

    /// <summary>rd_kafka_assignment_lost() was true: another member may own them already, do not commit.</summary>
    void OnLost(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions);

    /// <summary>On the consuming thread.</summary>
    void OnError(ErrorCode code, string reason, bool isFatal);

    /// <summary>On ANY librdkafka thread; must not throw (exceptions are swallowed).</summary>
    void OnLog(int syslogLevel, string facility, string message);

    /// <summary>librdkafka's statistics JSON (STATISTICS.md), on the consuming thread inside ConsumeBatch; only
    /// when <c>statistics.interval.ms</c> is above 0. The bytes are valid during the call only.</summary>
    void OnStatistics(ReadOnlySpan<byte> json)
    {
    }
}
