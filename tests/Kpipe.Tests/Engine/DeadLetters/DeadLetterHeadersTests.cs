using System.Text;
using Kpipe.Engine.DeadLetters;
using Kpipe.Kafka.Native;

namespace Kpipe.Tests.Engine.DeadLetters;

public sealed class DeadLetterHeadersTests
{
    [Fact]
    public void The_error_headers_follow_kafka_connect_and_add_kpipes_own()
    {
        var headers = KafkaHeaders.Create(10);
        try
        {
            DeadLetterHeaders.Append(headers, "orders", "in", 3, 1207,
                new RecordError("Doris rejected the row: too long", "sinks.doris-0", "name", "Kpipe.Sinks.Doris.DorisLoadException"));
            var read = new Dictionary<string, string>();
            for (var i = 0; KafkaHeaders.TryGet(headers, i, out var name, out var value, out _); i++)
                read[Encoding.UTF8.GetString(name)] = Encoding.UTF8.GetString(value);

            Assert.Equal(new Dictionary<string, string>
            {
                ["__connect.errors.topic"] = "in",
                ["__connect.errors.partition"] = "3",
                ["__connect.errors.offset"] = "1207",
                ["__connect.errors.connector.name"] = "orders",
                ["__connect.errors.stage"] = "TASK_PUT",
                ["__connect.errors.exception.class.name"] = "Kpipe.Sinks.Doris.DorisLoadException",
                ["__connect.errors.exception.message"] = "Doris rejected the row: too long",
                ["kpipe.errors.pipeline"] = "orders",
                ["kpipe.errors.stage"] = "sinks.doris-0",
                ["kpipe.errors.field"] = "name",
            }, read);
        }
        finally
        {
            KafkaHeaders.Destroy(headers);
        }
    }

    [Fact]
    public void Error_headers_are_recognised_so_a_replayed_record_gets_fresh_ones()
    {
        Assert.True(DeadLetterHeaders.IsErrorHeader("__connect.errors.offset"u8));
        Assert.True(DeadLetterHeaders.IsErrorHeader("kpipe.errors.stage"u8));
        Assert.False(DeadLetterHeaders.IsErrorHeader("traceparent"u8));
    }
}
