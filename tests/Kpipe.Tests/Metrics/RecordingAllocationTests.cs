using System.Diagnostics.Metrics;
using Kpipe.Engine;
using Kpipe.Sinks.Kafka;

namespace Kpipe.Tests.Metrics;

public sealed class RecordingAllocationTests
{
    [Fact]
    public void Recording_per_batch_instruments_allocates_nothing_while_an_exporter_listens()
    {
        long seen = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name.StartsWith("Kpipe.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref seen));
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref seen));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref seen));
        listener.Start();
        var engine = new EngineInstruments("alloc", ["select", "filter"]);
        var sink = new KafkaSinkInstruments("alloc", "kafka-0", "out");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        engine.Batch(500);
        engine.Transformed(0, started);
        sink.Delivered(500, started);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            engine.Batch(500);
            engine.Transformed(0, started);
            engine.Transformed(1, started);
            sink.Delivered(500, started);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(Interlocked.Read(ref seen) >= 500);
    }
}
