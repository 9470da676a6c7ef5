using Kpipe.Kafka.Native;
using static Kpipe.Tests.Kafka.Native.NativeTestSupport;

namespace Kpipe.Tests.Kafka.Native;

public sealed class NativeConfigTests
{
    private const string Secret = "hunter2-s3cr3t";

    [Fact]
    public void An_unknown_key_is_named_and_its_value_is_not_shown()
    {
        var config = ProducerConfig("127.0.0.1:9", ("no.such.property", Secret));

        var e = Assert.Throws<ArgumentException>(() => new NativeProducer(config, new RecordingProducerEvents()));

        Assert.Contains("no.such.property", e.Message);
        Assert.DoesNotContain(Secret, e.Message);
    }

    [Fact]
    public void An_invalid_value_is_reported_by_key_without_the_value_even_though_librdkafka_quotes_it()
    {
        var config = ConsumerConfig("127.0.0.1:9", "g", ("auto.offset.reset", Secret));

        var e = Assert.Throws<ArgumentException>(() => new NativeConsumer(config, new RecordingConsumerEvents()));

        Assert.Contains("auto.offset.reset", e.Message);
        Assert.DoesNotContain(Secret, e.Message);
    }
}
