using Kpipe.Rows;
using Kpipe.Sinks.Doris;
using Kpipe.TestKit.Doris;
using Microsoft.Extensions.Logging.Abstractions;
using SinkTable = Kpipe.Sinks.Doris.DorisTable;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>createTable against the emulator's SQL endpoint: what an existing table gets, and what is refused.</summary>
public sealed class TableSchemaSyncTests
{
    private static readonly RowSchema Schema = new([("id", ColumnType.Int), ("name", ColumnType.String), ("note", ColumnType.String), ("__DORIS_DELETE_SIGN__", ColumnType.Int)]);

    private static TableSchemaSync Sync(DorisEmulator doris, string password = "secret")
    {
        var options = new DorisSinkOptions { FeNodes = [doris.FeUrl], Table = "shop.t", User = "root", Password = password, MaxRetries = 0 };
        return new TableSchemaSync(new DorisSqlClient(options), options, "doris", NullLogger.Instance);
    }

    private static Task<DorisEmulator> Start() => DorisEmulator.StartAsync(new DorisEmulatorOptions { User = "root", Password = "secret" });

    [Fact]
    public async Task A_table_made_by_hand_gets_the_columns_it_lacks_and_keeps_its_own()
    {
        await using var doris = await Start();
        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, name VARCHAR(32), extra INT) UNIQUE KEY(id)");
        using var sync = Sync(doris);
        Assert.Null(sync.Ensure(new SinkTable("shop", "t"), Schema, new RowRoute("t", [0, 1, 2, 3], Keys: [0]), CancellationToken.None, out _));
        Assert.Equal(["id", "name", "extra", "note"], doris.FindTable("shop", "t")!.Columns.Select(c => c.Name));
        Assert.Equal(["DESC `shop`.`t`", "ALTER TABLE `shop`.`t` ADD COLUMN `note` STRING NULL"], doris.Statements);
    }

    [Fact]
    public async Task A_key_other_than_the_tables_is_refused_and_nothing_is_altered()
    {
        await using var doris = await Start();
        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, name VARCHAR(32)) UNIQUE KEY(id)");
        using var sync = Sync(doris);
        var route = new RowRoute("t", [0, 1, 2, 3], Keys: [0, 1]);
        var refused = sync.Ensure(new SinkTable("shop", "t"), Schema, route, CancellationToken.None, out _);
        Assert.Equal("the source's key (id, name) is not the key of Doris table `shop`.`t` (id); Doris cannot change a Unique Key table's key: recreate the table, or route the rows elsewhere", refused);
        Assert.DoesNotContain(doris.Statements, s => s.StartsWith("ALTER", StringComparison.Ordinal));
        // Remembered: the next rows of the route are refused without asking Doris again.
        var asked = doris.Statements.Count;
        Assert.Equal(refused, sync.Ensure(new SinkTable("shop", "t"), Schema, route, CancellationToken.None, out _));
        Assert.Equal(asked, doris.Statements.Count);
    }

    [Fact]
    public async Task An_int_value_column_whose_rows_now_carry_longs_is_widened_keeping_its_nullability_and_values()
    {
        await using var doris = await Start();
        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, qty INT NOT NULL, note INT) UNIQUE KEY(id)");
        using (var client = new Kpipe.Tests.TestKit.Doris.StreamLoadTestClient(doris))
            Assert.Equal("Success", (await client.LoadAsync("shop", "t", """{"id":1,"qty":7,"note":3}""" + "\n", ("format", "json"), ("read_json_by_line", "true"))).Str("Status"));
        using var sync = Sync(doris);
        var schema = new RowSchema([("id", ColumnType.Int), ("qty", ColumnType.Long), ("note", ColumnType.Double)]);
        Assert.Null(sync.Ensure(new SinkTable("shop", "t"), schema, new RowRoute("t", [0, 1, 2], Keys: [0]), CancellationToken.None, out _));
        Assert.Equal(
        [
            "DESC `shop`.`t`",
            "ALTER TABLE `shop`.`t` MODIFY COLUMN `qty` BIGINT NOT NULL",
            "SHOW ALTER TABLE COLUMN FROM `shop` WHERE TableName = \"t\" ORDER BY CreateTime DESC LIMIT 1",
            "DESC `shop`.`t`",
            "ALTER TABLE `shop`.`t` MODIFY COLUMN `note` DOUBLE NULL",
            "SHOW ALTER TABLE COLUMN FROM `shop` WHERE TableName = \"t\" ORDER BY CreateTime DESC LIMIT 1",
            "DESC `shop`.`t`",
        ], doris.Statements);
        Assert.Equal(["id INT", "qty BIGINT", "note DOUBLE"], doris.FindTable("shop", "t")!.Columns.Select(c => $"{c.Name} {c.Type}"));
        var row = Assert.Single(doris.Rows("shop", "t"));
        Assert.Equal((7L, 3.0), ((long)row["qty"]!, (double)row["note"]!));
    }

    [Fact]
    public async Task A_widening_waits_for_Doris_to_finish_its_schema_change_job()
    {
        // As in Doris, the column keeps its type until the job is FINISHED: here after two looks at it.
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { User = "root", Password = "secret", SchemaChangeRunningPolls = 2 });
        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, qty INT) UNIQUE KEY(id)");
        using var sync = Sync(doris);
        var schema = new RowSchema([("id", ColumnType.Int), ("qty", ColumnType.Long)]);
        Assert.Null(sync.Ensure(new SinkTable("shop", "t"), schema, new RowRoute("t", [0, 1], Keys: [0]), CancellationToken.None, out _));
        Assert.Equal(2, doris.Statements.Count(s => s.StartsWith("SHOW ALTER TABLE COLUMN", StringComparison.Ordinal)));
        Assert.Equal("BIGINT", doris.FindTable("shop", "t")!.Columns[1].Type.ToString());
    }

    [Fact]
    public async Task A_key_column_widened_at_the_source_is_refused_and_not_altered()
    {
        await using var doris = await Start();
        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, name VARCHAR(32)) UNIQUE KEY(id)");
        using var sync = Sync(doris);
        var schema = new RowSchema([("id", ColumnType.Long), ("name", ColumnType.String)]);
        var refused = sync.Ensure(new SinkTable("shop", "t"), schema, new RowRoute("t", [0, 1], Keys: [0]), CancellationToken.None, out var unreachable);
        Assert.False(unreachable);
        Assert.Equal("column `id` of the source widened to BIGINT, but it is a key column of Doris table `shop`.`t` (int); kpipe does not change a key column's type: alter the table by hand, or route the rows elsewhere", refused);
        Assert.DoesNotContain(doris.Statements, s => s.StartsWith("ALTER", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_table_without_a_key_is_not_created()
    {
        await using var doris = await Start();
        using var sync = Sync(doris);
        var refused = sync.Ensure(new SinkTable("shop", "t"), Schema, new RowRoute("t", [0, 1, 3]), CancellationToken.None, out _);
        Assert.StartsWith("Doris table `shop`.`t` does not exist and cannot be created: the rows name no key columns", refused);
        Assert.Null(doris.FindTable("shop", "t"));
    }

    [Fact]
    public async Task Refused_credentials_are_reported_without_the_password()
    {
        await using var doris = await Start();
        using var sync = Sync(doris, password: "hunter2");
        var refused = sync.Ensure(new SinkTable("shop", "t"), Schema, new RowRoute("t", [0, 1, 3], Keys: [0]), CancellationToken.None, out _);
        Assert.NotNull(refused);
        Assert.Contains("Access denied for root", refused);
        Assert.DoesNotContain("hunter2", refused);
        Assert.Null(doris.FindTable("shop", "t"));
    }

    [Fact]
    public void An_FE_that_does_not_answer_is_reported_as_unreachable_and_asked_again_next_time()
    {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        var options = new DorisSinkOptions { FeNodes = ["127.0.0.1:1"], Table = "shop.t", User = "root", Password = "secret", MaxRetries = 0 };
        using var sync = new TableSchemaSync(new DorisSqlClient(options), options, "doris", NullLogger.Instance);
        var route = new RowRoute("t", [0, 1, 3], Keys: [0]);
        var first = sync.Ensure(new SinkTable("shop", "t"), Schema, route, CancellationToken.None, out var unreachable);
        Assert.True(unreachable);
        Assert.StartsWith("cannot read Doris table `shop`.`t`: 127.0.0.1:1: ", first);
        Assert.DoesNotContain("secret", first);
        sync.Ensure(new SinkTable("shop", "t"), Schema, route, CancellationToken.None, out unreachable);
        Assert.True(unreachable);
    }
}
