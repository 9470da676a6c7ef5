using System.Text;
using Kpipe.Kafka.Native;

namespace Kpipe.Tests.Kafka.Native;

public sealed class KafkaHeadersTests
{
    [Fact]
    public void Headers_keep_order_and_tell_a_null_value_from_an_empty_one()
    {
        var headers = KafkaHeaders.Create(4);
        try
        {
            KafkaHeaders.Add(headers, "a"u8, "1"u8, valueIsNull: false);
            KafkaHeaders.Add(headers, "null"u8, default, valueIsNull: true);
            KafkaHeaders.Add(headers, "empty"u8, ReadOnlySpan<byte>.Empty, valueIsNull: false);
            KafkaHeaders.Add(headers, "a"u8, "2"u8, valueIsNull: false);

            Assert.Equal(4, KafkaHeaders.Count(headers));
            var seen = new List<(string, string?)>();
            for (var i = 0; KafkaHeaders.TryGet(headers, i, out var name, out var value, out var isNull); i++)
            {
                seen.Add((Encoding.UTF8.GetString(name), isNull ? null : Encoding.UTF8.GetString(value)));
            }

            Assert.Equal([("a", "1"), ("null", null), ("empty", ""), ("a", "2")], seen);
            Assert.False(KafkaHeaders.TryGet(headers, 4, out _, out _, out _));
            Assert.Equal(0, KafkaHeaders.Count(0));
        }
        finally
        {
            KafkaHeaders.Destroy(headers);
        }
    }
}
