using Confluent.Kafka;

namespace Kpipe.Kafka.Native;

/// <summary>
/// Converts Confluent.Kafka's partition types to and from rd_kafka_topic_partition_list_t. Used at
/// subscribe, rebalance and commit time only, never per message, so allocating here is fine.
/// </summary>
internal static unsafe class PartitionLists
{
    internal static RdKafkaTopicPartitionList* From(IReadOnlyList<TopicPartition> partitions)
    {
        var list = LibRdKafka.PartitionListNew(Math.Max(partitions.Count, 1));
        foreach (var tp in partitions)
        {
            LibRdKafka.PartitionListAdd(list, tp.Topic, tp.Partition.Value);
        }

        return list;
    }

    internal static RdKafkaTopicPartitionList* From(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        var list = LibRdKafka.PartitionListNew(Math.Max(offsets.Count, 1));
        foreach (var tpo in offsets)
        {
            LibRdKafka.PartitionListAdd(list, tpo.Topic, tpo.Partition.Value)->Offset = tpo.Offset.Value;
        }

        return list;
    }

    internal static List<TopicPartition> ToTopicPartitions(RdKafkaTopicPartitionList* list)
    {
        var result = new List<TopicPartition>(list == null ? 0 : list->Cnt);
        for (var i = 0; list != null && i < list->Cnt; i++)
        {
            var e = &list->Elems[i];
            result.Add(new TopicPartition(LibRdKafka.Utf8((byte*)e->Topic), e->Partition));
        }

        return result;
    }

    internal static List<TopicPartitionOffset> ToTopicPartitionOffsets(RdKafkaTopicPartitionList* list)
    {
        var result = new List<TopicPartitionOffset>(list == null ? 0 : list->Cnt);
        for (var i = 0; list != null && i < list->Cnt; i++)
        {
            var e = &list->Elems[i];
            result.Add(new TopicPartitionOffset(LibRdKafka.Utf8((byte*)e->Topic), e->Partition, e->Offset));
        }

        return result;
    }
}
