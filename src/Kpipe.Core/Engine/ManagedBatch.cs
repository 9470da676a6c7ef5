using System.Buffers;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Kpipe.Kafka.Native;

namespace Kpipe.Engine;

/// <summary>A record given as managed bytes rather than consumed from Kafka: for <c>kpipe test</c>, tests and
/// benchmarks. A null key or value is a null key or a tombstone; a header value may be null too.</summary>
public sealed record ManagedRecord(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, long TimestampMs = -1,
    IReadOnlyList<KeyValuePair<string, byte[]?>>? Headers = null);

/// <summary>Builds a <see cref="RecordBatch"/> over managed records. Their bytes are copied into one pinned
/// array so the batch reads them exactly as it reads librdkafka's message memory.</summary>
public static class ManagedBatch
{
    public static RecordBatch Create(long id, IReadOnlyList<ManagedRecord> records)
    {
        var size = 0;
        foreach (var r in records) size += (r.Key?.Length ?? 0) + (r.Value?.Length ?? 0);
        var arena = GC.AllocateUninitializedArray<byte>(Math.Max(size, 1), pinned: true);
        var entries = RecordBatch.EntryPool.Rent(Math.Max(records.Count, 1));
        var slots = new Dictionary<(string, int), int>();
        var partitions = new List<TopicPartition>();
        var lastOffsets = new List<long>();
        var headers = new List<nint>();
        var basePtr = Marshal.UnsafeAddrOfPinnedArrayElement(arena, 0);
        var used = 0;
        long bytes = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!slots.TryGetValue((r.Topic, r.Partition), out var slot))
            {
                slots[(r.Topic, r.Partition)] = slot = partitions.Count;
                partitions.Add(new TopicPartition(r.Topic, r.Partition));
                lastOffsets.Add(r.Offset);
            }
            lastOffsets[slot] = Math.Max(lastOffsets[slot], r.Offset);
            ref var e = ref entries[i];
            e = default;
            e.Slot = slot;
            e.Offset = r.Offset;
            e.TimestampMs = r.TimestampMs;
            e.KeyLength = Place(r.Key, out e.Key);
            e.ValueLength = Place(r.Value, out e.Value);
            if (r.Headers is { Count: > 0 } list)
            {
                e.Headers = KafkaHeaders.Create(list.Count);
                foreach (var (name, value) in list)
                    KafkaHeaders.Add(e.Headers, System.Text.Encoding.UTF8.GetBytes(name), value, value == null);
                headers.Add(e.Headers);
            }
            bytes += RecordCost(e.KeyLength, e.ValueLength);
        }
        return new RecordBatch(id, entries, records.Count, [.. partitions], [.. lastOffsets], bytes, _ =>
        {
            GC.KeepAlive(arena);
            foreach (var h in headers) KafkaHeaders.Destroy(h);
        });

        int Place(byte[]? data, out nint pointer)
        {
            pointer = basePtr + used;
            if (data == null) return -1;
            data.CopyTo(arena, used);
            used += data.Length;
            return data.Length;
        }
    }

    /// <summary>What a record counts against the in-flight budget: its bytes plus a fixed overhead.</summary>
    internal static long RecordCost(int keyLength, int valueLength) => Math.Max(keyLength, 0) + Math.Max(valueLength, 0) + 64;
}
