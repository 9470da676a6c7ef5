using System.Text;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>How load bodies use memory: chunks from the sink's pool, rows written straight into them, and no
/// allocation per row.</summary>
public sealed class DorisSinkMemoryTests
{
    private const string TextTable = "CREATE TABLE db.t (id BIGINT NOT NULL, name STRING) DUPLICATE KEY(id)";

    [Fact]
    public async Task A_typed_row_larger_than_a_body_chunk_arrives_intact()
    {
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        await using var sink = h.Sink(h.Options());
        var big = BigText(200_000);
        using var rows = DorisSinkHarness.IdRowBatch();
        var batch = h.Values("events", 0, 0, null, null, null);
        for (var i = 0; i < 3; i++)
        {
            var r = rows.AddRow(i);
            rows.Columns[0].SetLong(r, i + 1);
            // A short row, the big one (which needs more than a chunk, with quotes to escape), a short row.
            rows.Columns[1].SetBytes(r, i == 1 ? Encoding.UTF8.GetBytes(big) : "short"u8);
        }
        batch.Rows = rows;

        h.Write(sink, batch);
        Assert.True(sink.Chunks.Rented > 3, $"a 200 KB row in 64 KiB chunks takes more than 3, got {sink.Chunks.Rented}");
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        var stored = h.Doris.Rows("db", "t").ToDictionary(r => (long)r["id"]!, r => (string?)r["name"]);
        Assert.Equal(3, stored.Count);
        Assert.Equal("short", stored[1]);
        Assert.Equal(big, stored[2]);
        Assert.Equal("short", stored[3]);
    }

    [Fact]
    public async Task A_raw_value_larger_than_a_body_chunk_arrives_intact()
    {
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        await using var sink = h.Sink(h.Options());
        var big = BigText(200_000);
        var value = $$"""{"id":7,"name":{{System.Text.Json.JsonSerializer.Serialize(big)}}}""";

        h.Write(sink, h.Values("events", 0, 0, """{"id":6,"name":"a"}""", value, """{"id":8,"name":"b"}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Equal(big, h.Doris.Rows("db", "t").Single(r => (long)r["id"]! == 7)["name"]);
        Assert.Equal([6L, 7, 8], h.Ids());
    }

    [Fact]
    public async Task Bodies_are_chunked_and_every_chunk_returns_to_the_pool_after_the_loads()
    {
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxBytes = ByteSize.FromMiB(1)));
        using var rows = DorisSinkHarness.IdRowBatch();

        // 20,000 rows over 2 partitions: about 250 KB of body each, several 64 KiB chunks per load.
        h.Write(sink, h.IdRows(rows, "events", 2, 0, 1, 20_000));
        Assert.True(sink.Chunks.Rented >= 6, $"expected the bodies in several chunks, got {sink.Chunks.Rented}");
        Assert.Equal(sink.Chunks.RentedBytes, sink.BufferedBytes);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);
        await WaitUntilAsync(() => sink.BufferedBytes == 0);

        Assert.Equal(20_000, h.Ids().Length);
        Assert.Equal(0, sink.Chunks.Rented);
        Assert.Equal(0, sink.BufferedBytes);
        Assert.True(sink.Chunks.Pooled >= 6, $"the chunks should wait in the pool for the next loads, {sink.Chunks.Pooled} do");
    }

    [Fact]
    public async Task The_loads_of_many_small_tables_each_hold_one_small_chunk_and_go_out_as_one_load_per_table()
    {
        const int Tables = 300;
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        for (var t = 1; t < Tables; t++) h.Doris.CreateTable($"CREATE TABLE db.t{t} (id BIGINT NOT NULL, name STRING) DUPLICATE KEY(id)");
        // A memory bound that 300 full-size (64 KiB) chunks would overrun, forcing loads out at every row.
        await using var sink = h.Sink(h.Options(table: "db.{table}", o => (o.MaxBytes, o.MaxBufferedBytes) = (ByteSize.FromMiB(1), ByteSize.FromMiB(2))));
        using var rows = DorisSinkHarness.IdRowBatch();
        // Two rows of each table, routed as the debezium transform routes the rows of many source tables.
        var batch = h.IdRows(rows, "cdc", 1, 0, 0, 2 * Tables);
        rows.Routes = [.. Enumerable.Range(0, Tables).Select(t => new RowRoute(t == 0 ? "t" : $"t{t}", [0, 1]))];
        for (var r = 0; r < rows.Count; r++) rows.SetRoute(r, r % Tables);

        h.Write(sink, batch);
        // Every open load holds the smallest chunk, not a full one: 300 tables cost 1.2 MB, not 19 MB.
        Assert.Equal(Tables, sink.Chunks.Rented);
        Assert.Equal(Tables * (long)BodyChunkPool.FirstChunkSize, sink.BufferedBytes);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        // One load per table: the bound never had to send a table's rows before its load was complete.
        Assert.Equal(Tables, h.Doris.Loads.Count);
        Assert.Equal([0L, 300], h.Ids());
        Assert.Equal([299L, 599], h.Ids("db", "t299"));
        Assert.All(Enumerable.Range(1, Tables - 1), t => Assert.Equal([(long)t, t + 300], h.Ids("db", $"t{t}")));
    }

    [Fact]
    public void A_body_grows_by_doubling_chunks_up_to_the_largest()
    {
        var pool = new BodyChunkPool(64 * 1024, 1 << 20);
        using var body = new LoadBody(pool);
        body.Write(new byte[200_000]);
        Assert.Equal(200_000, body.Length);
        // 4 + 8 + 16 + 32 KiB, then 64 KiB chunks.
        Assert.Equal(4096 + 8192 + 16384 + 32768 + 3 * 65536, body.Capacity);
        Assert.Equal(7, pool.Rented);
        body.Dispose();
        Assert.Equal(0, pool.RentedBytes);
        Assert.Equal(7, pool.Pooled);
    }

    [Fact]
    public async Task A_row_that_would_take_a_load_over_max_bytes_starts_the_next_load()
    {
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        var maxBytes = new ByteSize(64 * 1024);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxBytes = maxBytes));
        using var rows = DorisSinkHarness.IdRowBatch();
        var batch = h.Values("events", 0, 0, Enumerable.Repeat<string?>(null, 100).ToArray());
        for (var i = 0; i < 100; i++)
        {
            var r = rows.AddRow(i);
            rows.Columns[0].SetLong(r, i);
            // 1,000-byte names: rows do not divide the 64 KiB evenly, so some row always straddles the limit.
            rows.Columns[1].SetBytes(r, Encoding.ASCII.GetBytes(new string((char)('a' + i % 26), 1000)));
        }
        batch.Rows = rows;

        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), h.Ids());
        Assert.True(h.Doris.Loads.Count >= 2);
        Assert.All(h.Doris.Loads, l => Assert.True(l.LoadBytes <= maxBytes.Bytes, $"load {l.Label} has {l.LoadBytes} bytes"));
        Assert.All(h.Doris.Rows("db", "t"), r => Assert.Equal(1000, ((string)r["name"]!).Length));
    }

    [Fact]
    public async Task Writing_rows_allocates_almost_nothing_per_row()
    {
        await using var h = await DorisSinkHarness.StartAsync(TextTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxRows = 50_000));
        using var rows = DorisSinkHarness.IdRowBatch();
        const int batches = 40, perBatch = 2_500;

        long allocated = 0;
        for (var b = 0; b < batches; b++)
        {
            // The batch and its rows are made outside the measurement, as the source and a select transform would.
            var batch = h.IdRows(rows, "events", 4, (long)b * perBatch / 4, (long)b * perBatch, perBatch);
            var before = GC.GetAllocatedBytesForCurrentThread();
            sink.Write(batch, h.Acks);
            if (b >= batches / 4) allocated += GC.GetAllocatedBytesForCurrentThread() - before; // after warm-up
            batch.Rows = null;
        }
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(batches);

        var measuredRows = (batches - batches / 4) * perBatch;
        Assert.Equal(batches * perBatch, h.Ids().Length);
        Assert.True(allocated < 200L * measuredRows, $"{allocated / (double)measuredRows:0.0} bytes allocated per row");
    }

    private static string BigText(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; text.Length < length; i++) text.Append(i % 50 == 0 ? "\"quoted\" é " : "0123456789");
        return text.ToString();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(10);
    }
}
