using Kpipe.Transforms.Cdc;
using static Kpipe.Tests.Transforms.Cdc.EventFiles.EventFile;

namespace Kpipe.Tests.Transforms.Cdc.EventFiles;

/// <summary>
/// MySQL connector events. Expected values follow Debezium's MySQL data type table: Date is days since 1970-01-01,
/// Timestamp milliseconds and MicroTimestamp microseconds since the epoch of the wall-clock DATETIME (no zone),
/// MicroTime microseconds past midnight, ZonedTimestamp an ISO-8601 instant, Decimal the big-endian two's-complement
/// unscaled value with its schema's scale, Bits the little-endian bytes of BIT(n). Worked values are in the comments.
/// </summary>
public sealed class MySqlEventFileTests
{
    [Fact]
    public void Example_table_create_then_delete()
    {
        var r = Run("mysql_dkc_example_table.jsonl", "id:long", "name", "birth_date:date", "float_column:double", "decimal_column:decimal(10,2)",
            "datetime_column:timestamp", "date_column:date", "time_column:string", "varchar_column", "binary_column", "is_active:int");
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Rows.Count);
        var (create, delete) = (r.Rows[0], r.Rows[1]);
        Assert.Equal("8", create["id"]);
        Assert.Equal("\"Jfohn Doe\"", create["name"]);
        Assert.Equal("\"1994-05-20\"", create["birth_date"]);              // 8905 days
        Assert.Equal("45.67", create["float_column"]);
        Assert.Equal("123.45", create["decimal_column"]);                   // "MDk=" = 0x3039 = 12345, scale 2
        Assert.Equal("\"2024-04-12T10:30:00Z\"", create["datetime_column"]); // 1712917800000 ms, the DATETIME's wall clock
        Assert.Equal("\"2024-04-12\"", create["date_column"]);              // 19825 days
        Assert.Equal("\"10:30:00\"", create["time_column"]);                // 37800000000 µs
        Assert.Equal("null", create["varchar_column"]);
        Assert.Equal("\"EjRWeJCrze8AAA==\"", create["binary_column"]);      // BINARY as base64 (binary.handling.mode=bytes)
        Assert.Equal("2", create["is_active"]);
        Assert.Equal("0", create["__DORIS_DELETE_SIGN__"]);
        // The delete carries the before image, the same row, with the delete sign.
        Assert.Equal(create.Where(c => c.Key != "__DORIS_DELETE_SIGN__"), delete.Where(c => c.Key != "__DORIS_DELETE_SIGN__"));
        Assert.Equal("1", delete["__DORIS_DELETE_SIGN__"]);
    }

    [Fact]
    public void Full_types()
    {
        var row = Run("mysql_dkc_full_types.jsonl", "id:long", "tiny_un_c:int", "int_un_c:long", "big_c:long", "big_un_c:long", "real_c:double",
            "decimal_c:decimal(8,4)", "numeric_c:decimal(6,0)", "big_decimal_c:decimal(38,1)", "bit1_c:bool", "date_c:date", "time_c:string",
            "datetime_c:timestamp", "timestamp_c:timestamp", "year_c:int", "enum_c", "set_c", "json_c:json").Single();
        Assert.Equal("1", row["id"]);
        Assert.Equal("255", row["tiny_un_c"]);
        Assert.Equal("4294967295", row["int_un_c"]);
        Assert.Equal("9223372036854775807", row["big_c"]);
        // BIGINT UNSIGNED in bigint.unsigned.handling.mode=long wraps: 18446744073709551615 arrives as -1 (Debezium's docs).
        Assert.Equal("-1", row["big_un_c"]);
        Assert.Equal("123.102", row["real_c"]);
        Assert.Equal("123.4567", row["decimal_c"]);          // "EtaH" = 1234567, scale 4
        Assert.Equal("346", row["numeric_c"]);               // "AVo=" = 346, scale 0
        Assert.Equal("34567892.1", row["big_decimal_c"]);    // "FJqkSQ==" = 345678921, scale 1
        Assert.Equal("false", row["bit1_c"]);                // BIT(1) is a boolean
        Assert.Equal("\"2020-07-17\"", row["date_c"]);       // 18460 days
        Assert.Equal("\"18:00:22\"", row["time_c"]);         // 64822000000 µs
        Assert.Equal("\"2020-07-17T18:00:22Z\"", row["datetime_c"]); // 1595008822000 ms
        Assert.Equal("\"2020-07-17T10:00:22Z\"", row["timestamp_c"]); // ZonedTimestamp, UTC
        Assert.Equal("2021", row["year_c"]);                 // io.debezium.time.Year: the year as an int
        Assert.Equal("\"red\"", row["enum_c"]);
        Assert.Equal("\"a,b\"", row["set_c"]);
        Assert.Equal("{\"key1\":\"value1\"}", row["json_c"]);  // io.debezium.data.Json: the document itself
    }

    [Fact]
    public void Create_update_delete()
    {
        var r = Run("mysql_dkc_dml.jsonl", "id:long", "name", "age:int");
        Assert.Empty(r.Errors);
        Assert.Equal(["18", "48", "48"], r.Rows.Select(x => x["age"]));
        Assert.Equal(["0", "0", "1"], r.Rows.Select(x => x["__DORIS_DELETE_SIGN__"]));
        Assert.All(r.Rows, x => Assert.Equal("1", x["id"]));
    }

    [Fact]
    public void A_column_added_at_the_source_arrives_in_the_second_event()
    {
        var r = Run("mysql_dkc_schema_evolution.jsonl", "id:long", "name", "age:int", "new_col");
        Assert.Empty(r.Errors);
        Assert.Equal(["null", "\"schema_evolution_test\""], r.Rows.Select(x => x["new_col"]));
        Assert.Equal(["\"doris\"", "\"kafka\""], r.Rows.Select(x => x["name"]));
    }

    [Fact]
    public void Paimon_schema_evolution_the_age_column_widens_then_becomes_a_string()
    {
        var r = Run("mysql_paimon_schema_evolution.jsonl", "id:long", "weight:double", "age:string");
        Assert.Empty(r.Errors);
        Assert.Equal(["101", "103", "104", "105", "105"], r.Rows.Select(x => x["id"]));
        Assert.Equal(["3.14", "0.8", "0.75", "0.875", "0.75"], r.Rows.Select(x => x["weight"]));
        Assert.Equal(["null", "\"18\"", "\"24\"", "\"24\"", "\"24\""], r.Rows.Select(x => x["age"]));
    }

    [Fact]
    public void Products_with_schema()
    {
        var row = Run("mysql_flink_products_schema.jsonl", "id:long", "name", "description", "weight:double").Single();
        Assert.Equal(("101", "\"scooter\"", "\"Small 2-wheel scooter\"", "3.140000104904175"), (row["id"], row["name"], row["description"], row["weight"]));
    }

    [Fact]
    public void Products_without_schema_in_binlog_order()
    {
        var r = Run("mysql_flink_products_schemaless.jsonl", new DebeziumOptions { Sequence = "binlog", Columns = Columns("id:long", "description", "weight:double") });
        Assert.Empty(r.Errors);
        Assert.Equal(16, r.Rows.Count);
        Assert.Equal("\"18oz carpenter hammer\"", r.Rows[9]["description"]);    // the update of 106
        Assert.Equal("5.099999904632568", r.Rows[10]["weight"]);                // the update of 107
        Assert.Equal(("111", "1"), (r.Rows[15]["id"], r.Rows[15]["__DORIS_DELETE_SIGN__"]));
        // mysql-bin.000003: file 3 above the position; the snapshot's rows share position 154.
        Assert.Equal([.. new long[] { 154, 154, 154, 154, 154, 154, 154, 154, 154, 362, 717, 1068, 1394, 1707, 2090, 2443 }.Select(p => ((3L << 32) + p).ToString())],
            r.Rows.Select(x => x["_seq"]));
    }

    [Fact]
    public void Snapshot_read_then_a_delete_of_another_table()
    {
        var r = Run("mysql_memiiso_order_read_and_delete.jsonl", new DebeziumOptions
        {
            Tables = new()
            {
                ["orders"] = Columns("order_number:long", "order_date:date", "purchaser:long", "quantity:int", "product_id:long"),
                ["customers"] = Columns("id:long", "email"),
            },
        });
        Assert.Empty(r.Errors);
        Assert.Equal("10004", r.Rows[0]["order_number"]);
        Assert.Equal("\"2016-02-21\"", r.Rows[0]["order_date"]);   // 16852 days
        Assert.Equal(("1003", "1", "107"), (r.Rows[0]["purchaser"], r.Rows[0]["quantity"], r.Rows[0]["product_id"]));
        Assert.Equal(("1004", "\"annek@noanswer.org\"", "1"), (r.Rows[1]["id"], r.Rows[1]["email"], r.Rows[1]["__DORIS_DELETE_SIGN__"]));
    }

    [Fact]
    public void All_types_through_flink_cdc()
    {
        var row = Run("mysql_paimon_all_types.jsonl", "_id:long", "pt:decimal(2,1)", "_bit1:bool", "_bit:long", "_bit_bits:string",
            "_bigint_unsigned:decimal(20,0)", "_numeric:decimal(8,3)", "_fixed:string", "_decimal:decimal(8,0)", "_decimal_unsigned_zerofill:long",
            "_big_decimal:string", "_date:date", "_datetime:timestamp", "_datetime3:timestamp", "_datetime6:timestamp", "_datetime_p2:string",
            "_timestamp:timestamp", "_timestamp0:timestamp", "_time:string", "_json:json", "_year:int", "_set", "_varbin").Single();
        Assert.Equal("1", row["_id"]);
        Assert.Equal("1.1", row["pt"]);                                   // "Cw==" = 11, scale 1
        Assert.Equal("true", row["_bit1"]);
        Assert.Equal("1991", row["_bit"]);                                // "xwcAAAAAAAA=": c7 07 little-endian = 0x07c7
        Assert.Equal("20000000000", row["_bigint_unsigned"]);             // BIGINT UNSIGNED as Decimal (precise mode)
        Assert.Equal("12345.110", row["_numeric"]);                       // 12345110, scale 3
        Assert.Equal("\"123456789876543212345678987654321.110\"", row["_fixed"]); // 40 digits: beyond Doris's 38, kept as text
        Assert.Equal("11111", row["_decimal"]);
        Assert.Equal("33333", row["_decimal_unsigned_zerofill"]);
        Assert.Equal("\"2222222222222222400000000000.0000000000\"", row["_big_decimal"]); // 38 digits, scale 10
        Assert.Equal("\"2023-03-23\"", row["_date"]);                     // 19439 days
        Assert.Equal("\"2023-03-23T14:30:05Z\"", row["_datetime"]);       // 1679581805000 ms
        Assert.Equal("\"2023-03-23T14:30:05.123Z\"", row["_datetime3"]);  // 1679581805123 ms
        Assert.Equal("\"2023-03-23T14:30:05.123456Z\"", row["_datetime6"]); // MicroTimestamp 1679581805123456
        Assert.Equal("\"2023-03-24T14:30:05.120000\"", row["_datetime_p2"]); // as text: no zone, the source never gave one
        Assert.Equal("\"2023-03-23T22:00:10.123456Z\"", row["_timestamp"]);
        Assert.Equal("\"2023-03-23T07:10:00Z\"", row["_timestamp0"]);
        Assert.Equal("\"10:13:23\"", row["_time"]);                       // 36803000000 µs
        Assert.Equal("{\"a\": \"b\"}", row["_json"]);
        Assert.Equal("2023", row["_year"]);
        Assert.Equal("\"a,b\"", row["_set"]);
        Assert.Equal("\"bW9yZSBieXRlcw==\"", row["_varbin"]);             // base64 of "more bytes"
    }

    [Fact]
    public void Bits_as_a_bit_string_need_the_path_of_their_column()
    {
        var r = Run("mysql_paimon_all_types.jsonl", new DebeziumOptions
        {
            Columns = [new() { Name = "bits", Path = "_bit", Type = "string" }],
        });
        Assert.Equal("\"0000000000000000000000000000000000000000000000000000011111000111\"", r.Single()["bits"]); // BIT(64), 1991
    }

    [Fact]
    public void Schemaless_events_with_a_delete_and_its_tombstone()
    {
        var r = Run("mysql_rw_schemaless.jsonl", new DebeziumOptions { Sequence = "binlog", Columns = Columns("id:long", "name", "is_adult:bool", "email") });
        Assert.Empty(r.Errors);
        Assert.Equal(["1", "2", "2", "1", "3"], r.Rows.Select(x => x["id"]));
        Assert.Equal(["\"tom\"", "\"alex\"", "\"chi\"", "\"tom\"", "\"mike\""], r.Rows.Select(x => x["name"]));
        Assert.Equal(["false", "true", "true", "false", "true"], r.Rows.Select(x => x["is_adult"]));
        Assert.Equal(["0", "0", "0", "1", "0"], r.Rows.Select(x => x["__DORIS_DELETE_SIGN__"]));
        Assert.Equal([.. new long[] { 3522, 3833, 4154, 4501, 4812 }.Select(p => ((1L << 32) + p).ToString())], r.Rows.Select(x => x["_seq"]));

        var tombstone = Run("mysql_rw_delete_then_tombstone.jsonl", "id:long", "name");
        Assert.Empty(tombstone.Errors);
        Assert.Equal(("1", "1"), (Assert.Single(tombstone.Rows)["id"], tombstone.Rows[0]["__DORIS_DELETE_SIGN__"]));
        Assert.Equal(1, tombstone.Transform.Tombstones);
    }

    [Fact]
    public void Decimals_in_string_mode_and_a_date_hinted_as_text()
    {
        var row = Run("mysql_rw_decimal_string.jsonl", "O_ORDERKEY:long", "O_CUSTKEY:long", "O_ORDERSTATUS", "O_TOTALPRICE:decimal(15,2)", "O_ORDERDATE:date").Single();
        Assert.Equal(("5", "44485", "\"F\"", "144659.20", "\"1994-07-30\""),
            (row["O_ORDERKEY"], row["O_CUSTKEY"], row["O_ORDERSTATUS"], row["O_TOTALPRICE"], row["O_ORDERDATE"]));
    }

    [Fact]
    public void Schema_change_topic_messages_are_no_rows()
    {
        foreach (var file in new[] { "mysql_docs_schema_change.jsonl", "mysql_memiiso_schema_change.jsonl" })
        {
            var r = Run(file, new DebeziumOptions { Format = DebeziumFormat.Envelope, Columns = Columns("id:long") });
            Assert.Empty(r.Errors);
            Assert.Empty(r.Rows);
            Assert.Equal(1, r.Transform.Count(MessageKind.SchemaChange));
        }
    }
}
