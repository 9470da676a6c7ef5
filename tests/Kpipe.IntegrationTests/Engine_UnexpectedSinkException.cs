using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.IntegrationTests;

public sealed class Engine_UnexpectedSinkException
{
    /// <summary>Standard output gone (a closed pipe): every write throws.</summary>
    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("Broken pipe");
    }

    [Fact]
    public async Task An_exception_no_one_expected_stops_the_pipeline_naming_the_stage_and_commits_nothing_past_it()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(10));
        var pipeline = PipelineLoader.Parse($"""
            name: broken
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            sinks:
              - type: console
            engine:
              shutdownTimeout: 10m
            """, "broken.yaml");

        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() =>
            PipelineHost.RunAsync(pipeline, NullLoggerFactory.Instance, new BrokenStream(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal("pipeline broken failed: sinks.console-0 failed on the batch starting at record in[0]@0: IOException: Broken pipe", failure.Message);
        Assert.DoesNotContain(KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-broken", "in"), o => o.Value > 0);
    }
}
