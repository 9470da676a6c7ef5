using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Rows;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class DorisSinkVolumeTests
{
    [Fact]
    public async Task Two_million_rows_arrive_with_buffers_kept_under_the_bound()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL) DUPLICATE KEY(id)");
        var bound = ByteSize.FromMiB(16);
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.MaxBufferedBytes = bound;
            o.MaxBytes = ByteSize.FromMiB(4);
            o.MaxRows = 1_000_000;
            o.MaxLoadsInFlight = 2;
        }));
        const int total = 2_000_000, recordsPerBatch = 100, rowsPerRecord = 200, partitions = 4;
        const int batches = total / (recordsPerBatch * rowsPerRecord);
        using var rows = new RowBatch(new RowSchema([("id", ColumnType.Long)]));

        // Write blocks when the bound is reached: run it on a thread of its own, as the engine's consumer thread.
        // Each record explodes into 200 rows (as an array would), which keeps the test about rows, not records.
        await Task.Factory.StartNew(() =>
        {
            long id = 0;
            for (var b = 0; b < batches; b++)
            {
                var batch = h.Batch(Enumerable.Range(0, recordsPerBatch)
                    .Select(i => DorisSinkHarness.Record("events", i % partitions, (long)b * recordsPerBatch / partitions + i / partitions, null)));
                rows.Clear();
                for (var i = 0; i < recordsPerBatch; i++)
                    for (var j = 0; j < rowsPerRecord; j++)
                        rows.Columns[0].SetLong(rows.AddRow(i), id++);
                batch.Rows = rows;
                h.Write(sink, batch);
            }
        }, TaskCreationOptions.LongRunning);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(batches, timeoutSeconds: 120);

        Assert.Empty(h.Acks.Failures);
        Assert.Equal(batches, h.Acks.Acknowledged.Count);
        Assert.All(h.Doris.Loads, l => Assert.Equal("Success", l.Status));
        Assert.Equal(total, h.Doris.Loads.Sum(l => l.NumberLoadedRows));
        Assert.True(sink.PeakBufferedBytes <= bound.Bytes, $"peak {sink.PeakBufferedBytes} bytes above the bound {bound.Bytes}");
        Assert.True(sink.PeakBufferedBytes > bound.Bytes / 4, $"peak {sink.PeakBufferedBytes}: the bound was never approached, the test proves nothing");
        Assert.Equal(0, sink.BufferedBytes);
    }
}
