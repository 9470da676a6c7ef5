using System.Text.Json;
using Kpipe.Rows;
using Kpipe.Tests.Transforms;
using Kpipe.Transforms.Cdc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Transforms.Cdc;

/// <summary><c>columns: auto</c>: columns, types and keys from the events' schemas; new fields become new columns.</summary>
public sealed class DebeziumAutoColumnsTests
{
    private static DebeziumTransform Auto(string? sequence = null) =>
        new(new DebeziumOptions { AutoColumns = true, Sequence = sequence }, NullLogger.Instance);

    /// <summary>Each event of a file with the Kafka key Debezium would give it: the row's id.</summary>
    private static (string? Key, string? Value)[] Keyed(string file) =>
    [
        .. File.ReadLines(RepoFiles.Path($"tests/data/debezium-events/{file}")).Where(l => l.Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return ((string?)$$"""{"id":{{doc.RootElement.GetProperty("payload").GetProperty("after").GetProperty("id").GetRawText()}}}""", (string?)line);
        }),
    ];

    [Fact]
    public void A_field_the_source_adds_becomes_a_column_and_only_the_rows_that_carry_it_list_it()
    {
        using var transform = Auto(sequence: "binlog");
        var r = TransformRunner.RunWithKeys([transform], Keyed("mysql_dkc_schema_evolution.jsonl"));
        Assert.Empty(r.Errors);
        // The sequence and the delete sign are the rows' metadata, not columns (the Doris sink writes them last).
        Assert.Equal(["id int", "name string", "age int", "new_col string"],
            transform.Schema.Names.Zip(transform.Schema.Types, (n, t) => $"{n} {t}"));
        Assert.Equal(("_seq", ColumnType.Long), (r.Batch.Rows!.SequenceName, r.Batch.Rows.Sequence!.Type));
        Assert.Equal(
        [
            """{"id":1,"name":"doris","age":18,"_seq":""" + Binlog(r, 0) + ""","__DORIS_DELETE_SIGN__":0}""",
            """{"id":2,"name":"kafka","age":20,"new_col":"schema_evolution_test","_seq":""" + Binlog(r, 1) + ""","__DORIS_DELETE_SIGN__":0}""",
        ], r.Rows);
        var routes = Enumerable.Range(0, r.Batch.Rows!.Count).Select(row => r.Batch.Rows.RouteOf(row)!).ToList();
        Assert.All(routes, route => Assert.Equal("schema_evolution", route.Name));
        Assert.All(routes, route => Assert.Equal([0], route.Keys!));
    }

    private static string Binlog(TransformRunner.Result r, int row) => r.Batch.Rows!.Sequence!.GetLong(row).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_field_widened_from_int_to_long_moves_its_table_to_a_long_column_and_a_change_to_text_is_a_record_error()
    {
        using var transform = Auto();
        var r = TransformRunner.RunWithKeys([transform], Keyed("mysql_paimon_schema_evolution.jsonl"));
        // Debezium's events give age as INT32, then INT64, INT32 again, then STRING. The INT64 event widens the table's
        // age to a long column (the sink widens the Doris column); the INT32 event after it fits; text fits neither.
        Assert.Equal(
        [
            (104L, "column 'age' of source table 'product' changed type at the source, from long to string; kpipe widens a column only from int to long or double: alter the Doris column (and restart), or route the rows elsewhere"),
        ], r.Errors);
        Assert.Equal(
        [
            """{"id":101,"name":"scooter","description":"Small 2-wheel scooter","weight":3.14,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":103,"name":"12-pack drill bits","description":"12-pack of drill bits with sizes ranging from #40 to #3","weight":0.8,"age":18,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":104,"name":"hammer","description":"12oz carpenter's hammer","weight":0.75,"age":24,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":105,"name":"hammer","description":"14oz carpenter's hammer","weight":0.875,"age":24,"__DORIS_DELETE_SIGN__":0}""",
        ], r.Rows);
        string AgeType(int row)
        {
            var route = r.Batch.Rows!.RouteOf(row)!;
            return transform.Schema.Types[route.Columns.Single(c => transform.Schema.Names[c] == "age")].ToString();
        }
        // The rows of the widened schema name the long column; rows of the INT32 schema keep theirs (they fit either).
        Assert.Equal(["int", "long", "int"], [AgeType(1), AgeType(2), AgeType(3)]);
    }

    [Fact]
    public void A_pipeline_with_a_Doris_sink_that_does_not_create_tables_keeps_a_widened_field_a_record_error()
    {
        // That sink would not widen its INT column, and Doris loads a value out of its range as NULL (strict mode off).
        var options = Kpipe.Config.PipelineLoader.Parse("""
            name: p
            source: { bootstrapServers: "k:9092", topics: [t] }
            transforms: [ { type: debezium, columns: auto } ]
            sinks: [ { type: doris, feNodes: ["fe:8030"], table: "db.{table}", user: root } ]
            """, "p.yaml");
        var debezium = Assert.IsType<DebeziumOptions>(Assert.Single(options.Transforms));
        Assert.False(debezium.WidenColumns);
        using var transform = new DebeziumTransform(debezium, NullLogger.Instance);
        var r = TransformRunner.RunWithKeys([transform], Keyed("mysql_paimon_schema_evolution.jsonl"));
        Assert.Equal((102L, "column 'age' of source table 'product' changed type at the source, from int to long; kpipe widens a column only for a Doris sink with createTable: true: alter the Doris column (and restart), or route the rows elsewhere"), r.Errors[0]);
    }

    [Fact]
    public void A_tombstone_with_a_schemaless_key_deletes_by_the_key_columns_of_the_tables_earlier_events()
    {
        using var transform = new DebeziumTransform(new DebeziumOptions { AutoColumns = true, Format = DebeziumFormat.FlattenedSchema }, NullLogger.Instance);
        const string Row = """{"schema":{"type":"struct","optional":false,"name":"devices.Value","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}]},"payload":{"id":1,"name":"a"}}""";
        // The key converter without schemas: the key is the bare {"id": 1}; the tombstone (null value) deletes that row.
        var r = TransformRunner.RunWithKeys([transform], [("""{"id":1}""", Row), ("""{"id":1}""", null)]);
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":1,"name":"a","__DORIS_DELETE_SIGN__":0}""", """{"id":1,"__DORIS_DELETE_SIGN__":1}"""], r.Rows);
        var delete = r.Batch.Rows!.RouteOf(1)!;
        Assert.Equal(("devices", "id int"), (delete.Name, string.Join(",", delete.Keys!.Select(k => $"{transform.Schema.Names[k]} {transform.Schema.Types[k]}"))));
        // The row's own route and the delete's share the id column: the same Doris key.
        Assert.Equal(r.Batch.Rows.RouteOf(0)!.Keys, delete.Keys);
    }

    [Fact]
    public void A_tombstone_with_a_schemaless_key_of_a_table_not_seen_yet_is_a_record_error()
    {
        using var transform = new DebeziumTransform(new DebeziumOptions { AutoColumns = true, Format = DebeziumFormat.FlattenedSchema }, NullLogger.Instance);
        var r = TransformRunner.RunWithKeys([transform], [("""{"id":1}""", null)]);
        Assert.Empty(r.Rows);
        Assert.StartsWith("a tombstone of source table 'devices' has a key without a schema, and no event of the table with a schema came before it", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void An_event_without_a_schema_is_a_record_error_under_columns_auto()
    {
        using var transform = Auto();
        var r = TransformRunner.Run([transform], """{"op":"c","before":null,"after":{"id":1},"source":{"table":"t"}}""");
        Assert.Contains("columns: auto reads the columns from the event's schema", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void The_key_columns_come_from_the_kafka_keys_schema_when_it_has_one()
    {
        using var transform = Auto();
        const string Key = """{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"region"},{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"db.t.Key"},"payload":{"region":"eu","id":7}}""";
        const string Value = """{"schema":{"type":"struct","fields":[{"type":"struct","optional":true,"field":"after","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":false,"field":"region"},{"type":"int32","optional":true,"field":"qty"}]},{"type":"struct","optional":false,"field":"source","fields":[{"type":"string","optional":true,"field":"table"}]},{"type":"string","optional":false,"field":"op"}],"optional":false,"name":"db.t.Envelope"},"payload":{"after":{"id":7,"region":"eu","qty":3},"source":{"table":"t"},"op":"c"}}""";
        var r = TransformRunner.RunWithKeys([transform], [(Key, Value)]);
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":7,"region":"eu","qty":3,"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
        var route = r.Batch.Rows!.RouteOf(0)!;
        Assert.Equal(["region", "id"], route.Keys!.Select(k => transform.Schema.Names[k]));
    }

    [Theory]
    [InlineData("int16", null, "", "int")]
    [InlineData("int64", null, "", "long")]
    [InlineData("int32", "io.debezium.time.Date", "", "date")]
    [InlineData("int64", "io.debezium.time.MicroTimestamp", "", "timestamp")]
    [InlineData("string", "io.debezium.time.ZonedTimestamp", "", "timestamp")]
    [InlineData("int64", "io.debezium.time.MicroTime", "", "string")]
    [InlineData("bytes", "org.apache.kafka.connect.data.Decimal", "scale=2,connect.decimal.precision=10", "decimal(10,2)")]
    [InlineData("bytes", "org.apache.kafka.connect.data.Decimal", "scale=4", "decimal(38,4)")]
    [InlineData("struct", "io.debezium.data.VariableScaleDecimal", "", "string")]
    [InlineData("string", "io.debezium.data.Json", "", "json")]
    [InlineData("float32", null, "", "double")]
    [InlineData("boolean", null, "", "bool")]
    [InlineData("bytes", null, "", "string")]
    [InlineData("array", null, "", "json")]
    public void Connect_types_map_to_column_types(string type, string? name, string parameters, string expected)
    {
        var p = parameters.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        Assert.Equal(expected, ConnectTypeMap.Of(new ConnectFieldSchema("f", type, name, p, true, [])).ToString());
    }
}
