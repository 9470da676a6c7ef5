using Kpipe.Kafka.Native;
using Kpipe.TestKit.Kafka;
using static Kpipe.Tests.Kafka.Native.NativeTestSupport;

namespace Kpipe.Tests.Kafka.Native;

/// <summary>HasClusterMetadata tells a cluster that answered from one that never did (the source's start watch relies on it).</summary>
public sealed class NativeConsumerReachabilityTests
{
    [Fact]
    public void A_reachable_cluster_gives_metadata_even_when_the_topic_does_not_exist()
    {
        using var kafka = EmbeddedKafka.Start();
        using var consumer = new NativeConsumer(ConsumerConfig(kafka.BootstrapServers, "g-reach"), new RecordingConsumerEvents());
        consumer.Subscribe(["no-such-topic"]);
        var buffer = new nint[1];
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!consumer.HasClusterMetadata && DateTime.UtcNow < deadline) consumer.ConsumeBatch(buffer, 100);
        Assert.True(consumer.HasClusterMetadata);
        consumer.Close();
    }

    [Fact]
    public void A_closed_port_gives_none()
    {
        var events = new RecordingConsumerEvents();
        using var consumer = new NativeConsumer(ConsumerConfig($"127.0.0.1:{ClosedPort()}", "g-closed"), events);
        consumer.Subscribe(["t"]);
        var buffer = new nint[1];
        // Wait for librdkafka to report the failed connection: by then it has tried and got no answer.
        var deadline = DateTime.UtcNow + WaitLimit;
        while (events.Errors.IsEmpty && DateTime.UtcNow < deadline) consumer.ConsumeBatch(buffer, 100);
        Assert.NotEmpty(events.Errors);
        Assert.False(consumer.HasClusterMetadata);
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
