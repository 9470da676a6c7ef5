using System.Reflection;
using Confluent.Kafka;
using Kpipe.Sources.Kafka;

namespace Kpipe.Tests.Sources.Kafka;

public sealed class StartPositionsTests
{
    /// <summary>A consumer that answers only the two calls start positions need (the embedded Kafka cannot
    /// look offsets up by time).</summary>
    public class FakeConsumer : DispatchProxy
    {
        public Dictionary<TopicPartition, long> Committed { get; } = [];
        public Dictionary<TopicPartition, long> ByTime { get; } = [];
        public List<TopicPartitionTimestamp> Asked { get; } = [];

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            switch (method!.Name)
            {
                case "Committed":
                    return ((IEnumerable<TopicPartition>)args![0]!).Select(tp =>
                        new TopicPartitionOffset(tp, Committed.TryGetValue(tp, out var o) ? new Offset(o) : Offset.Unset)).ToList();
                case "OffsetsForTimes":
                    var wanted = ((IEnumerable<TopicPartitionTimestamp>)args![0]!).ToList();
                    Asked.AddRange(wanted);
                    return wanted.Select(t => new TopicPartitionOffset(t.TopicPartition, ByTime.TryGetValue(t.TopicPartition, out var o) ? new Offset(o) : Offset.End)).ToList();
                default:
                    throw new NotSupportedException(method.Name);
            }
        }
    }

    [Fact]
    public void Partitions_with_a_commit_resume_there_and_the_others_start_at_the_instant()
    {
        var consumer = DispatchProxy.Create<IConsumer<byte[]?, byte[]?>, FakeConsumer>();
        var fake = (FakeConsumer)(object)consumer;
        TopicPartition p0 = new("in", 0), p1 = new("in", 1), p2 = new("in", 2);
        fake.Committed[p0] = 17;
        fake.ByTime[p1] = 600;
        var start = new DateTimeOffset(2024, 7, 19, 10, 0, 0, 600, TimeSpan.Zero);

        var positions = StartPositions.ForTimestamp(
                tps => consumer.Committed(tps, TimeSpan.FromSeconds(1)),
                times => consumer.OffsetsForTimes(times, TimeSpan.FromSeconds(1)),
                [p0, p1, p2], start)
            .ToDictionary(p => p.TopicPartition, p => p.Offset);

        Assert.Equal(Offset.Unset, positions[p0]);      // the committed offset wins
        Assert.Equal(new Offset(600), positions[p1]);   // the first record at or after the instant
        Assert.Equal(Offset.End, positions[p2]);        // nothing that recent yet: new records only
        Assert.Equal([p1, p2], fake.Asked.Select(a => a.TopicPartition));
        Assert.All(fake.Asked, a => Assert.Equal(1721383200600, a.Timestamp.UnixTimestampMs));
    }
}
