using System.Diagnostics;
using Confluent.Kafka;
using Kpipe.Kafka.Native;

namespace Kpipe.Engine.DeadLetters;

/// <summary>
/// Reads one consumed record again, by topic, partition and offset, for a dead letter reported after the engine
/// gave the record's memory back to librdkafka (a Doris load rejected in the background). Keeping every record's
/// bytes until its load commits would cost memory on the good path; reading the few bad ones again costs a fetch
/// on the bad path only. The record is still in the topic: its offset is not committed. A consumer of its own,
/// assigned (no group membership, nothing committed), lazily created; requests are served one at a time, and
/// consecutive offsets of one partition are read on without seeking.
/// </summary>
internal sealed class SourceRecordReader(IReadOnlyDictionary<string, string> config, TimeSpan timeout) : IConsumerEvents, IDisposable
{
    private readonly Lock _gate = new();
    private readonly nint[] _messages = new nint[256];
    private NativeConsumer? _consumer;
    private TopicPartition? _assigned;
    // Messages fetched past the one asked for, kept for the next request.
    private readonly Queue<nint> _ahead = new();
    private long _next = -1;

    /// <summary>Calls <paramref name="use"/> with the record (valid during the call only).</summary>
    public void Read(TopicPartition tp, long offset, Action<KafkaMessage> use)
    {
        lock (_gate)
        {
            var consumer = _consumer ??= new NativeConsumer(config, this);
            if (!tp.Equals(_assigned) || offset < _next)
            {
                Drop();
                consumer.Assign([new TopicPartitionOffset(tp, offset)]);
                _assigned = tp;
            }
            var clock = Stopwatch.StartNew();
            while (true)
            {
                while (_ahead.TryDequeue(out var handle))
                {
                    var m = new KafkaMessage(handle);
                    _next = m.Offset + 1;
                    if (m.Offset < offset)
                    {
                        KafkaMessage.Destroy(handle);
                        continue;
                    }
                    try
                    {
                        if (m.Offset > offset)
                            throw new NativeKafkaException(ErrorCode.OffsetOutOfRange,
                                $"record {tp.Topic}[{tp.Partition.Value}]@{offset} is no longer in the topic (retention or compaction); it cannot be dead-lettered");
                        use(m);
                        return;
                    }
                    finally
                    {
                        KafkaMessage.Destroy(handle);
                    }
                }
                if (clock.Elapsed > timeout)
                    throw new NativeKafkaException(ErrorCode.Local_TimedOut,
                        $"record {tp.Topic}[{tp.Partition.Value}]@{offset} could not be read again within {timeout} to dead-letter it");
                var n = consumer.ConsumeBatch(_messages, 200);
                for (var i = 0; i < n; i++) _ahead.Enqueue(_messages[i]);
            }
        }
    }

    private void Drop()
    {
        while (_ahead.TryDequeue(out var handle)) KafkaMessage.Destroy(handle);
        _next = -1;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Drop();
            _consumer?.Dispose();
            _consumer = null;
        }
    }

    IReadOnlyList<TopicPartitionOffset> IConsumerEvents.OnAssigned(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions) =>
        [.. partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset))];

    void IConsumerEvents.OnRevoked(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
    }

    void IConsumerEvents.OnLost(NativeConsumer consumer, IReadOnlyList<TopicPartition> partitions)
    {
    }

    void IConsumerEvents.OnError(ErrorCode code, string reason, bool isFatal)
    {
    }

    void IConsumerEvents.OnLog(int syslogLevel, string facility, string message)
    {
    }
}
