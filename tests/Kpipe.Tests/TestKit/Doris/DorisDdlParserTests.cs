using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisDdlParserTests
{
    [Fact]
    public void Parses_columns_types_keys_and_sequence_property()
    {
        var t = DorisTableDefinition.Parse("""
            -- the orders table
            CREATE TABLE IF NOT EXISTS `shop`.`orders` (
                `id` VARCHAR(32) NOT NULL COMMENT "order id",
                v DOUBLE NULL,
                ts DATETIME(6),
                d DATE,
                amount DECIMAL(10,2) DEFAULT "0",
                n INT,
                b BIGINT NOT NULL DEFAULT -1,
                flag BOOLEAN,
                tiny TINYINT, small SMALLINT, large LARGEINT, f FLOAT,
                c CHAR(3), s STRING, j JSON,
                created DATETIME DEFAULT CURRENT_TIMESTAMP,
                INDEX idx_s (s) USING INVERTED COMMENT 'search'
            ) ENGINE = OLAP
            UNIQUE KEY(`id`)
            COMMENT 'orders'
            PARTITION BY RANGE(d) (PARTITION p2024 VALUES LESS THAN ("2025-01-01"))
            DISTRIBUTED BY HASH(`id`) BUCKETS AUTO
            PROPERTIES (
                "replication_allocation" = "tag.location.default: 1",
                "enable_unique_key_merge_on_write" = "true",
                "function_column.sequence_col" = "ts"
            );
            """);

        Assert.Equal(("shop", "orders", DorisKeysType.Unique), (t.Database, t.Name, t.KeysType));
        Assert.Equal(["id"], t.KeyColumns);
        Assert.Equal(16, t.Columns.Count);
        Assert.Equal("ts", t.SequenceColumn);
        Assert.Equal(DorisType.DateTime(6), t.SequenceType);

        var id = t.FindColumn("ID")!;
        Assert.Equal((DorisTypeKind.Varchar, 32, false, true), (id.Type.Kind, id.Type.Length, id.IsNullable, id.IsKey));
        Assert.True(t.FindColumn("v")!.IsNullable);
        Assert.Equal(DorisType.Decimal(10, 2), t.FindColumn("amount")!.Type);
        Assert.Equal("0", t.FindColumn("amount")!.DefaultValue);
        Assert.Equal(("-1", false), (t.FindColumn("b")!.DefaultValue, t.FindColumn("b")!.IsNullable));
        Assert.Equal("CURRENT_TIMESTAMP", t.FindColumn("created")!.DefaultValue);
        Assert.Equal(
            ["VARCHAR(32)", "DOUBLE", "DATETIME(6)", "DATE", "DECIMAL(10, 2)", "INT", "BIGINT", "BOOLEAN", "TINYINT", "SMALLINT",
             "LARGEINT", "FLOAT", "CHAR(3)", "STRING", "JSON", "DATETIME"],
            t.Columns.Select(c => c.Type.ToString()));
        Assert.Equal("true", t.Properties["enable_unique_key_merge_on_write"]);
    }

    [Fact]
    public void Duplicate_key_default_database_and_hidden_sequence_type()
    {
        var dup = DorisTableDefinition.Parse("create table events (k BIGINT, v STRING) duplicate key (k)", defaultDatabase: "logs");
        Assert.Equal(("logs", "events", DorisKeysType.Duplicate), (dup.Database, dup.Name, dup.KeysType));

        var noKey = DorisTableDefinition.Parse("CREATE TABLE db.x (a INT, b INT)");
        Assert.Equal((DorisKeysType.Duplicate, "a"), (noKey.KeysType, noKey.KeyColumns.Single()));

        var hidden = DorisTableDefinition.Parse(
            "CREATE TABLE db.h (id INT, v INT) UNIQUE KEY(id) PROPERTIES('function_column.sequence_type' = 'bigint')");
        Assert.True(hidden.HasHiddenSequence);
        Assert.Equal(DorisType.BigInt, hidden.SequenceType);
    }

    [Theory]
    [InlineData("CREATE TABLE t (a INT)", "no database")]
    [InlineData("CREATE TABLE db.t (a INT, b INT) UNIQUE KEY(b)", "ordered prefix")]
    [InlineData("CREATE TABLE db.t (a INT, b INT SUM) AGGREGATE KEY(a)", "not supported")]
    [InlineData("CREATE TABLE db.t (a ARRAY<INT>)", "not supported")]
    [InlineData("CREATE TABLE db.t (a INT, b INT) DUPLICATE KEY(a) PROPERTIES('function_column.sequence_col' = 'b')", "UNIQUE_KEYS")]
    [InlineData("CREATE TABLE db.t (a DOUBLE, b INT) UNIQUE KEY(a)", "key")]
    [InlineData("CREATE TABLE db.t (a INT, a INT)", "Duplicate column")]
    public void Refuses_what_it_cannot_emulate(string ddl, string message)
    {
        var ex = Assert.ThrowsAny<Exception>(() => DorisTableDefinition.Parse(ddl));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_matches_ddl()
    {
        var built = new DorisTableBuilder("shop", "orders")
            .Column("id", "VARCHAR(32)", nullable: false)
            .Column("ts", DorisType.DateTime(3))
            .UniqueKey("id")
            .SequenceColumn("ts")
            .Build();
        var parsed = DorisTableDefinition.Parse(
            "CREATE TABLE shop.orders (id VARCHAR(32) NOT NULL, ts DATETIME(3)) UNIQUE KEY(id) PROPERTIES('function_column.sequence_col'='ts')");

        Assert.Equal(parsed.Columns, built.Columns);
        Assert.Equal((parsed.KeysType, parsed.SequenceColumn), (built.KeysType, built.SequenceColumn));
    }

    [Fact]
    public async Task Emulator_refuses_a_second_table_with_the_same_name()
    {
        await using var doris = await DorisEmulator.StartAsync();
        doris.CreateTable("CREATE TABLE db.t (a INT)");
        Assert.Throws<InvalidOperationException>(() => doris.CreateTable("CREATE TABLE db.t (a INT)"));
        Assert.NotNull(doris.FindTable("db", "t"));
        Assert.Null(doris.FindTable("db", "T"));
    }
}
