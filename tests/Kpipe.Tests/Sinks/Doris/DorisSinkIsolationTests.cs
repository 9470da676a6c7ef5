using System.Text;
using Kpipe.Engine;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>Loads Doris rejects on data quality: only the rejected rows' records go to the error policy.</summary>
public sealed class DorisSinkIsolationTests
{
    private const string Table = "CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(16)) DUPLICATE KEY(id)";

    private static string Row(int id, bool bad) =>
        bad ? $$"""{"id":{{id}},"name":"much too long for sixteen bytes"}""" : $$"""{"id":{{id}},"name":"n{{id}}"}""";

    [Fact]
    public async Task Good_rows_that_shared_a_load_with_rejected_rows_are_loaded_and_only_the_bad_records_are_skipped()
    {
        await using var h = await DorisSinkHarness.StartAsync(Table);
        await using var sink = h.Sink(h.Options(), ErrorPolicy.Skip);
        var bad = new HashSet<int> { 3, 40, 41, 99 };

        var batch = h.Values("events", 0, 0, [.. Enumerable.Range(0, 100).Select(i => Row(i, bad.Contains(i)))]);
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Equal([batch.Id], h.Acks.Acknowledged);
        Assert.Equal(Enumerable.Range(0, 100).Where(i => !bad.Contains(i)).Select(i => (long)i), h.Ids());
        Assert.Equal(4, h.Metrics.RecordsSkipped);
        Assert.Equal(bad.Order(), Enumerable.Range(0, 100).Where(batch.IsDropped));
        // The ErrorURL report named the rows: one more load holds all the good ones, labelled by what it leaves out.
        var committed = Assert.Single(h.Doris.Loads, l => l.Committed);
        Assert.Matches("^kpipe_orders_db_t_events_0_0_99_x[0-9a-f]{12}$", committed.Label);
        Assert.Contains("Doris rejected the row: column_name[name], the length of input is too long than schema", h.Log.All);
        // The rejected load is one summary line, however many rows it held.
        Assert.Single(h.Log.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Isolating_the_same_load_again_after_a_restart_loads_nothing_twice()
    {
        await using var h = await DorisSinkHarness.StartAsync(Table);
        var values = Enumerable.Range(0, 20).Select(i => Row(i, i == 7)).ToArray();
        await using (var first = h.Sink(h.Options(), ErrorPolicy.Skip))
        {
            h.Write(first, h.Values("events", 0, 0, values));
            await first.FlushAsync(CancellationToken.None);
            await h.Acks.WaitForAsync(1);
        }
        // The offsets were not committed (a crash): the same records come again, to a new sink.
        await using var second = h.Sink(h.Options(), ErrorPolicy.Skip);
        h.Write(second, h.Values("events", 0, 0, values));
        await second.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(2);

        Assert.Equal(19, h.Ids().Length);
        Assert.Equal(19, h.Ids().Distinct().Count());
        Assert.Contains(h.Doris.Loads, l => l.Status == "Label Already Exists");
    }

    [Fact]
    public async Task Without_a_usable_report_the_rows_are_loaded_apart_until_the_bad_record_is_alone()
    {
        await using var h = await DorisSinkHarness.StartAsync(Table);
        await using var sink = h.Sink(h.Options(), ErrorPolicy.Skip);

        // Broken JSON stops Doris's reader at that line: the report names only it, in a form that matches no row.
        var records = Enumerable.Range(0, 16).Select(i => DorisSinkHarness.Record("events", 0, i, Row(i, false))).ToList();
        var broken = Encoding.UTF8.GetBytes("""{"id":9,"name":"bad""").Concat(new byte[] { 0xFF, 0xFE }).Concat("\"}"u8.ToArray()).ToArray();
        records[9] = records[9] with { Value = broken };
        var batch = h.Batch(records);
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.True(h.Acks.Acknowledged.Contains(batch.Id), string.Join("; ", h.Acks.Failures.Values.Select(e => e.Message)) + "\n" + h.Log.All);
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i != 9).Select(i => (long)i), h.Ids());
        Assert.Equal(1, h.Metrics.RecordsSkipped);
        Assert.True(batch.IsDropped(9));
    }
}
