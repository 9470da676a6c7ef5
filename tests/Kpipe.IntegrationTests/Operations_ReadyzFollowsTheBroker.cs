using System.Net;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

public sealed class Operations_ReadyzFollowsTheBroker
{
    [Fact]
    public async Task Readyz_turns_503_with_the_reason_while_the_source_broker_is_down_and_200_when_it_is_back()
    {
        using var source = EmbeddedKafka.Start();
        using var sink = EmbeddedKafka.Start();
        source.CreateTopic("in", 2);
        sink.CreateTopic("out", 2);
        using var endpoint = new OperationsEndpoint();
        const string pipeline = "readyz-broker";
        var run = PipelineHarness.Start(PipelineHarness.KafkaToKafka(source.BootstrapServers, sink.BootstrapServers, "in", "out", pipeline));
        await KafkaTestClient.ProduceAsync(source.BootstrapServers, "in", PipelineHarness.Numbered(500));

        async Task<bool> Readyz(HttpStatusCode status, string text)
        {
            var (code, body) = await endpoint.GetAsync("/readyz");
            return code == status && body.Contains(text, StringComparison.Ordinal);
        }
        async Task<string> Answer() => (await endpoint.GetAsync("/readyz")).Body;

        await OperationsEndpoint.WaitUntil(() => Readyz(HttpStatusCode.OK, $"{pipeline}: ready"), TimeSpan.FromSeconds(60),
            async () => $"never ready: {await Answer()}");

        source.SetBrokerDown(1);
        await OperationsEndpoint.WaitUntil(
            () => Readyz(HttpStatusCode.ServiceUnavailable, $"{pipeline}: no broker of the source Kafka cluster is connected"),
            TimeSpan.FromSeconds(60), async () => $"still ready with the broker down: {await Answer()}");
        // Not ready is not unhealthy: a restart would not bring the broker back.
        Assert.Equal(HttpStatusCode.OK, (await endpoint.GetAsync("/healthz")).Status);

        source.SetBrokerUp(1);
        await OperationsEndpoint.WaitUntil(() => Readyz(HttpStatusCode.OK, $"{pipeline}: ready"), TimeSpan.FromSeconds(90),
            async () => $"not ready again after the broker came back: {await Answer()}");

        await run.StopAsync();
    }
}
