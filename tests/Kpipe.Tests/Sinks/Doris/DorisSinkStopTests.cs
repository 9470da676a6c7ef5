using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class DorisSinkStopTests
{
    [Fact]
    public async Task A_write_waiting_for_buffer_space_gives_up_when_the_pipeline_stops()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(2000)) DUPLICATE KEY(id)");
        h.Doris.Faults.NextLoadsStall(100, TimeSpan.FromMinutes(30));
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.MaxBytes = new Kpipe.Config.ByteSize(64 << 10);
            o.MaxBufferedBytes = new Kpipe.Config.ByteSize(128 << 10);
            o.MaxLoadsInFlight = 1;
            // Closing waits for the hanging load this long.
            o.RequestTimeout = TimeSpan.FromSeconds(2);
        }));
        var name = new string('x', 1_500);
        var values = Enumerable.Range(0, 1_000).Select(i => $$"""{"id":{{i}},"name":"{{name}}"}""").ToArray();

        var writing = Task.Run(() => h.Write(sink, h.Values("events", 0, 0, values)));
        // Blocked: a load hangs in Doris and the rest of the batch does not fit in the bound.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (h.Doris.Faults.Pending == 100 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(writing.IsCompleted);

        ((Kpipe.Sinks.ISink)sink).CancelWaits();

        await Assert.ThrowsAsync<OperationCanceledException>(() => writing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(h.Acks.Acknowledged);
        Assert.Empty(h.Acks.Failures);
    }
}
