using System.Net;
using System.Net.Sockets;
using System.Text;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Sinks.Doris;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class DorisSinkTests
{
    private const string IdTable = "CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id)";

    [Fact]
    public async Task Typed_rows_land_with_their_values_in_the_configured_zone()
    {
        await using var h = await DorisSinkHarness.StartAsync("""
            CREATE TABLE db.t (
                id BIGINT NOT NULL, name VARCHAR(32), ts DATETIME(6), d DATE, amount DECIMAL(20, 6),
                v DOUBLE, ok BOOLEAN, `order` INT
            ) DUPLICATE KEY(id)
            """);
        await using var sink = h.Sink(h.Options(configure: o => o.TimeZone = "Europe/Berlin"));
        using var rows = new RowBatch(new RowSchema([
            ("id", ColumnType.Long), ("name", ColumnType.String), ("ts", ColumnType.Timestamp), ("d", ColumnType.Date),
            ("amount", new ColumnType(ColumnKind.Decimal, 20, 6)), ("v", ColumnType.Double), ("ok", ColumnType.Bool),
            ("order", ColumnType.Int),
        ]));
        var batch = h.Values("events", 0, 100, null, null);
        // 2024-07-19T10:00:00.123456Z is 12:00:00.123456 in Berlin (summer time).
        var micros = (new DateTime(2024, 7, 19, 10, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10 + 123456;
        var r0 = rows.AddRow(0);
        rows.Columns[0].SetLong(r0, 1);
        rows.Columns[1].SetBytes(r0, "Zoë \"quoted\"\nline"u8);
        rows.Columns[2].SetLong(r0, micros);
        rows.Columns[3].SetLong(r0, DateOnly.FromDateTime(new DateTime(2024, 2, 29)).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);
        rows.Columns[4].SetBytes(r0, "12345678901234.123456"u8);
        rows.Columns[5].SetDouble(r0, 0.1);
        rows.Columns[6].SetLong(r0, 1);
        rows.Columns[7].SetLong(r0, 7);
        var r1 = rows.AddRow(1);
        rows.Columns[0].SetLong(r1, 2);
        var dropped = rows.AddRow(1);
        rows.Columns[0].SetLong(dropped, 3);
        rows.Drop(dropped);
        batch.Rows = rows;

        h.Write(sink, batch);
        rows.Clear(); // the engine reuses the row batch at once: the sink must have copied the rows
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Equal([batch.Id], h.Acks.Acknowledged);
        var stored = h.Doris.Rows("db", "t");
        Assert.Equal(2, stored.Count);
        var first = stored.Single(r => (long)r["id"]! == 1);
        Assert.Equal("Zoë \"quoted\"\nline", first["name"]);
        Assert.Equal(new DateTime(2024, 7, 19, 12, 0, 0).AddTicks(1234560), first["ts"]);
        Assert.Equal(new DateOnly(2024, 2, 29), first["d"]);
        Assert.Equal(12345678901234.123456m, first["amount"]);
        Assert.Equal(0.1, first["v"]);
        Assert.Equal(true, first["ok"]);
        Assert.Equal(7, first["order"]);
        var second = stored.Single(r => (long)r["id"]! == 2);
        Assert.Null(second["name"]);
        Assert.Null(second["ts"]);
        var load = Assert.Single(h.Doris.Loads);
        Assert.Equal("kpipe_orders_db_t_events_0_100_101", load.Label);
    }

    [Fact]
    public async Task Values_without_transforms_are_loaded_as_json_lines()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options());

        h.Write(sink, h.Values("events", 0, 0, """{"id":1,"name":"a"}""", "{\n  \"id\": 2,\n  \"name\": \"multi-line\"\n}", """{"id":3,"extra":true}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal([1L, 2, 3], h.Ids());
        Assert.Equal("multi-line", h.Doris.Rows("db", "t").Single(r => (long)r["id"]! == 2)["name"]);
    }

    [Fact]
    public async Task A_value_that_is_not_a_json_object_fails_the_write_under_fail_and_buffers_nothing()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options());

        var error = Assert.Throws<RecordErrorException>(() => h.Write(sink, h.Values("events", 0, 0, """{"id":1}""", "[1,2]")));
        Assert.Contains("events[0]@1", error.Message);
        Assert.Contains("not a JSON object", error.Message);
        await sink.FlushAsync(CancellationToken.None);
        await sink.DisposeAsync();
        Assert.Empty(h.Doris.Loads);
    }

    [Fact]
    public async Task Values_that_are_not_json_objects_are_skipped_under_skip()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(), ErrorPolicy.Skip);

        var batch = h.Values("events", 0, 0, """{"id":1}""", "not json", null, "42", """{"id":5}""");
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal(3, h.Metrics.RecordsSkipped);
        Assert.Equal(3, batch.DroppedCount);
        Assert.Equal([1L, 5], h.Ids());
    }

    [Fact]
    public async Task Loads_through_the_fe_follow_the_redirect_with_body_and_credentials()
    {
        const string password = "s3cret-P@ss:word";
        await using var h = await DorisSinkHarness.StartAsync(IdTable, new DorisEmulatorOptions { User = "loader", Password = password });
        await using var sink = h.Sink(h.Options());
        var rows = DorisSinkHarness.IdRowBatch();

        h.Write(sink, h.IdRows(rows, "events", 1, 0, 1, 50));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        var load = Assert.Single(h.Doris.Loads);
        Assert.Equal("Success", load.Status);
        Assert.Equal(50, load.NumberLoadedRows);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), h.Ids());
        Assert.DoesNotContain(password, h.Log.All);
    }

    [Fact]
    public async Task Loads_go_straight_to_a_be_when_be_nodes_are_given()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.FeNodes = [];
            o.BeNodes = [h.Doris.BeUrl.Replace("http://", "", StringComparison.Ordinal)];
        }));

        h.Write(sink, h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 1, 0, 1, 10));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal(10, h.Ids().Length);
    }

    [Fact]
    public async Task Server_errors_dropped_connections_and_transient_failures_are_retried_without_duplicates()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxRows = 25));
        h.Doris.Faults.NextLoadsFailWithHttpStatus(2, 503);
        h.Doris.Faults.NextLoadsDropConnection(2);
        h.Doris.Faults.NextLoadsFail(1, "[E-235]too many versions");
        h.Doris.Faults.NextLoadsFail(1, "[TIMEOUT]load timeout");
        var rows = DorisSinkHarness.IdRowBatch();

        for (var b = 0; b < 4; b++)
            h.Write(sink, h.IdRows(rows, "events", 2, b * 50, b * 100 + 1, 100));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(4);

        Assert.Equal(4, h.Acks.Acknowledged.Count);
        Assert.Empty(h.Acks.Failures);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), h.Ids());
        Assert.Equal(0, h.Doris.Faults.Pending);
        Assert.Contains("retry", h.Log.All);
    }

    [Fact]
    public async Task A_response_lost_after_the_commit_is_recognised_by_its_label_and_not_loaded_twice()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options());
        h.Doris.Faults.NextLoadsDropConnectionAfterCommit(1);

        h.Write(sink, h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 1, 0, 1, 20));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), h.Ids());
        var loads = h.Doris.Loads;
        Assert.Equal(2, loads.Count);
        Assert.True(loads[0].Committed);
        Assert.False(loads[0].ResponseSent);
        Assert.Equal("Label Already Exists", loads[1].Status);
        Assert.Equal("FINISHED", loads[1].ExistingJobStatus);
        Assert.Equal(loads[0].Label, loads[1].Label);
        Assert.Contains("already committed", h.Log.All);
    }

    [Fact]
    public async Task A_load_that_times_out_after_its_commit_is_not_loaded_twice()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o => o.RequestTimeout = TimeSpan.FromSeconds(1)));
        h.Doris.Faults.Inject(DorisFault.Stall(TimeSpan.FromSeconds(30), afterCommit: true));

        h.Write(sink, h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 1, 0, 1, 5));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal([1L, 2, 3, 4, 5], h.Ids());
        Assert.Contains(h.Doris.Loads, l => l is { Status: "Label Already Exists", ExistingJobStatus: "FINISHED" });
    }

    [Fact]
    public async Task Publish_timeout_counts_as_committed()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options());
        h.Doris.Faults.NextLoadsPublishTimeout(1);

        h.Write(sink, h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 1, 0, 1, 5));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Single(h.Doris.Loads);
        Assert.Equal(5, h.Ids().Length);
    }

    [Fact]
    public async Task Rejected_rows_fail_the_batch_under_fail_with_dorises_reason()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(4)) DUPLICATE KEY(id)");
        await using var sink = h.Sink(h.Options());

        var batch = h.Values("events", 3, 40, """{"id":1,"name":"ok"}""", """{"id":2,"name":"much too long"}""");
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        var error = Assert.IsType<RecordErrorException>(h.Acks.Failures[batch.Id]);
        Assert.Contains("too many filtered rows", error.Message);
        Assert.Contains("the length of input is too long than schema", error.Message);
        Assert.Contains("events[3]@40", error.Message);
        Assert.Empty(h.Doris.Rows("db", "t"));
        Assert.Single(h.Doris.Loads); // a data error is not retried

        // The sink stays failed: later batches fail without loading.
        var later = h.Values("events", 3, 42, """{"id":3}""");
        h.Write(sink, later);
        await h.Acks.WaitForAsync(2);
        Assert.True(h.Acks.Failures.ContainsKey(later.Id));
        Assert.Single(h.Doris.Loads);
    }

    [Fact]
    public async Task Rejected_rows_are_skipped_and_counted_under_skip()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(4)) DUPLICATE KEY(id)");
        await using var sink = h.Sink(h.Options(), ErrorPolicy.Skip);

        var batch = h.Values("events", 0, 0, """{"id":1,"name":"ok"}""", """{"id":2,"name":"much too long"}""");
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        // Only the rejected row's record is skipped; the good row of the same load is loaded (DorisSinkIsolationTests).
        Assert.Equal([batch.Id], h.Acks.Acknowledged);
        Assert.Equal(1, h.Metrics.RecordsSkipped);
        Assert.True(batch.IsDropped(1));
        Assert.Contains("the length of input is too long than schema", h.Log.All);

        // The sink goes on.
        h.Write(sink, h.Values("events", 0, 2, """{"id":3,"name":"ok"}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(2);
        Assert.Equal([1L, 3L], h.Ids());
    }

    [Fact]
    public async Task Rows_filtered_within_max_filter_ratio_are_committed_without_them_and_logged()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(4)) DUPLICATE KEY(id)");
        await using var sink = h.Sink(h.Options(configure: o => o.MaxFilterRatio = 0.5));

        h.Write(sink, h.Values("events", 0, 0, """{"id":1,"name":"ok"}""", """{"id":2,"name":"much too long"}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal([1L], h.Ids());
        Assert.Contains("the length of input is too long than schema", h.Log.All);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wrong_credentials_stop_at_once_with_a_message_naming_the_user_but_not_the_password(bool direct)
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable, new DorisEmulatorOptions { User = "loader", Password = "right-one" });
        const string wrong = "Wr0ng-Passw0rd";
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.Password = wrong;
            if (direct)
            {
                o.FeNodes = [];
                o.BeNodes = [h.Doris.BeUrl];
            }
        }));

        var batch = h.Values("events", 0, 0, """{"id":1}""");
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        var error = Assert.IsType<DorisLoadException>(h.Acks.Failures[batch.Id]);
        Assert.Contains("'loader'", error.Message);
        Assert.Contains("password", error.Message);
        Assert.DoesNotContain(wrong, error.Message);
        Assert.DoesNotContain("right-one", error.Message);
        Assert.DoesNotContain(wrong, h.Log.All);
        Assert.DoesNotContain("retry", h.Log.All);
        Assert.True(h.Doris.Loads.Count <= 1);
    }

    [Fact]
    public async Task An_unreachable_fe_is_skipped_for_the_next_one()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        var closed = ClosedPort();
        await using var sink = h.Sink(h.Options(configure: o => o.FeNodes = [$"127.0.0.1:{closed}", h.Doris.FeUrl]));

        h.Write(sink, h.Values("events", 0, 0, """{"id":1}"""));
        await sink.FlushAsync(CancellationToken.None);
        h.Write(sink, h.Values("events", 0, 1, """{"id":2}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(2);

        Assert.Equal(2, h.Acks.Acknowledged.Count);
        Assert.Equal([1L, 2], h.Ids());
        Assert.Contains($"127.0.0.1:{closed} unreachable", h.Log.All);
    }

    [Fact]
    public async Task Retries_that_never_succeed_fail_the_batch()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxRetries = 2));
        h.Doris.Faults.NextLoadsFailWithHttpStatus(3, 500);

        var batch = h.Values("events", 0, 0, """{"id":1}""");
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        var error = Assert.IsType<DorisLoadException>(h.Acks.Failures[batch.Id]);
        Assert.Contains("after 2 retries", error.Message);
        Assert.Contains("HTTP 500", error.Message);
        Assert.Equal(3, h.Doris.Loads.Count);
        Assert.Empty(h.Doris.Rows("db", "t"));
    }

    [Fact]
    public async Task Max_age_flushes_without_being_asked()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxAge = TimeSpan.FromMilliseconds(200)));

        h.Write(sink, h.Values("events", 0, 0, """{"id":1}""", """{"id":2}"""));
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal([1L, 2], h.Ids());
    }

    [Fact]
    public async Task A_flush_makes_one_load_per_partition()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options());
        var rows = DorisSinkHarness.IdRowBatch();

        h.Write(sink, h.IdRows(rows, "events", 3, 10, 1, 30));
        h.Write(sink, h.IdRows(rows, "events", 3, 20, 31, 30));
        Assert.Empty(h.Acks.Acknowledged);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(2);

        Assert.Equal(2, h.Acks.Acknowledged.Count);
        var loads = h.Doris.Loads.OrderBy(l => l.Label, StringComparer.Ordinal).ToList();
        Assert.Equal(3, loads.Count);
        Assert.Equal(["kpipe_orders_db_t_events_0_10_29", "kpipe_orders_db_t_events_1_10_29", "kpipe_orders_db_t_events_2_10_29"],
            loads.Select(l => l.Label));
        Assert.All(loads, l => Assert.Equal(20, l.NumberLoadedRows));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), h.Ids());
    }

    [Fact]
    public async Task Max_rows_cuts_a_partition_into_loads_committed_in_offset_order()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.MaxRows = 10;
            o.MaxLoadsInFlight = 4;
        }));

        h.Write(sink, h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 1, 0, 1, 35));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal(["kpipe_orders_db_t_events_0_0_9", "kpipe_orders_db_t_events_0_10_19", "kpipe_orders_db_t_events_0_20_29", "kpipe_orders_db_t_events_0_30_34"],
            h.Doris.Loads.Select(l => l.Label));
        // Duplicate Key rows keep arrival order: the loads of one partition ran one after the other.
        Assert.Equal(Enumerable.Range(1, 35).Select(i => (long)i),
            h.Doris.Rows("db", "t").Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task A_batch_spread_over_loads_is_acknowledged_only_when_all_are_committed()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        await using var sink = h.Sink(h.Options(configure: o => o.MaxRows = 10));
        // The first load commits at once; the second fails twice before it commits.
        h.Doris.Faults.Inject(DorisFault.Stall(TimeSpan.FromMilliseconds(1)));
        h.Doris.Faults.NextLoadsFailWithHttpStatus(2, 502);

        var batch = h.IdRows(DorisSinkHarness.IdRowBatch(), "events", 2, 0, 1, 30);
        h.Write(sink, batch);
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(1);

        Assert.Equal([batch.Id], h.Acks.Acknowledged);
        Assert.Equal(30, h.Ids().Length);
    }

    [Fact]
    public async Task Closing_the_sink_loads_what_is_buffered()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        var sink = h.Sink(h.Options());

        h.Write(sink, h.Values("events", 0, 0, """{"id":1}"""));
        await sink.DisposeAsync();

        Assert.Single(h.Acks.Acknowledged);
        Assert.Equal([1L], h.Ids());
    }

    [Fact]
    public async Task Headers_the_sink_sets_itself_are_refused()
    {
        await using var h = await DorisSinkHarness.StartAsync(IdTable);
        var error = Assert.Throws<ArgumentException>(() => h.Sink(h.Options(configure: o => o.Headers["two_phase_commit"] = "true")));
        Assert.Contains("two_phase_commit", error.Message);
        Assert.Throws<ArgumentException>(() => h.Sink(h.Options(configure: o => o.Headers["group_commit"] = "async_mode")));
    }

    [Fact]
    public async Task Extra_headers_are_passed_to_doris()
    {
        await using var h = await DorisSinkHarness.StartAsync("CREATE TABLE db.t (id BIGINT NOT NULL, name VARCHAR(32)) UNIQUE KEY(id)");
        await using var sink = h.Sink(h.Options(configure: o =>
        {
            o.Headers["merge_type"] = "DELETE";
        }));
        await using (var seed = h.Sink(h.Options()))
        {
            h.Write(seed, h.Values("events", 0, 0, """{"id":1}""", """{"id":2}"""));
            await seed.FlushAsync(CancellationToken.None);
            await h.Acks.WaitForAsync(1);
        }

        h.Write(sink, h.Values("events", 0, 2, """{"id":1}"""));
        await sink.FlushAsync(CancellationToken.None);
        await h.Acks.WaitForAsync(2);

        Assert.Equal([2L], h.Ids());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
