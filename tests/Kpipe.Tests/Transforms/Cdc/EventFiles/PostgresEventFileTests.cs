using Kpipe.Transforms.Cdc;
using static Kpipe.Tests.Transforms.Cdc.EventFiles.EventFile;

namespace Kpipe.Tests.Transforms.Cdc.EventFiles;

/// <summary>
/// PostgreSQL connector events. Expected values follow Debezium's PostgreSQL data type table (time.precision.mode
/// adaptive): DATE is Date (days since 1970-01-01), TIMESTAMP(1-3)/(4-6) Timestamp/MicroTimestamp of the wall
/// clock, TIMESTAMPTZ a ZonedTimestamp string, TIME(1-3) Time in ms and TIME(4-6) MicroTime in µs past midnight,
/// TIMETZ a ZonedTime string, INTERVAL a MicroDuration (µs), arrays as arrays of their element's type.
/// </summary>
public sealed class PostgresEventFileTests
{
    [Fact]
    public void Create_from_the_documentation_with_its_lsn_as_sequence()
    {
        var row = Run("pg_docs_create.jsonl", new DebeziumOptions { Sequence = "source.lsn", Columns = Columns("id:long", "first_name", "last_name", "email") }).Single();
        Assert.Equal(("1", "\"Anne\"", "\"Kretchmar\"", "\"annek@noanswer.org\"", "24023128", "0"),
            (row["id"], row["first_name"], row["last_name"], row["email"], row["_seq"], row["__DORIS_DELETE_SIGN__"]));
    }

    [Fact]
    public void A_delete_whose_before_image_holds_only_the_key()
    {
        // REPLICA IDENTITY DEFAULT: the before image has the primary key only; the other columns are not known.
        var row = Run("pg_docs_delete_key_only.jsonl", "id:long", "first_name").Single();
        Assert.Equal(("1", "null", "1"), (row["id"], row["first_name"], row["__DORIS_DELETE_SIGN__"]));
    }

    [Fact]
    public void Truncates_are_ignored_by_default_and_the_create_after_one_is_a_row()
    {
        var truncate = Run("pg_docs_truncate.jsonl", "id:long");
        Assert.Empty(truncate.Errors);
        Assert.Empty(truncate.Rows);
        Assert.Equal(1, truncate.Transform.Count(MessageKind.Truncate));

        var then = Run("pg_docs_truncate_then_create.jsonl", "id:long", "email");
        Assert.Equal(("1", "\"annek@noanswer.org\""), (then.Single()["id"], then.Rows[0]["email"]));
        Assert.Equal(1, then.Transform.Count(MessageKind.Truncate));
    }

    [Fact]
    public void Logical_decoding_messages_are_no_rows()
    {
        var r = Run("pg_docs_message.jsonl", new DebeziumOptions { Format = DebeziumFormat.Envelope, Columns = Columns("id:long") });
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(2, r.Transform.Count(MessageKind.LogicalMessage));
    }

    [Fact]
    public void Transaction_metadata_is_no_row()
    {
        var r = Run("pg_rw_transaction_metadata.jsonl", new DebeziumOptions { Columns = Columns("id") });
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(2, r.Transform.Count(MessageKind.Transaction));
    }

    [Fact]
    public void Time_types()
    {
        var row = Run("pg_dkc_time_types.jsonl", "id:long", "timestamp_without_timezone:timestamp", "timestamp_with_timezone:timestamp",
            "date_only:date", "time_without_timezone:string", "time_with_timezone:string", "interval_period:long").Single();
        Assert.Equal("\"2024-09-09T12:34:56Z\"", row["timestamp_without_timezone"]);  // 1725885296000000 µs, wall clock
        Assert.Equal("\"2024-09-09T04:34:56Z\"", row["timestamp_with_timezone"]);     // the instant as written
        Assert.Equal("\"2024-09-09\"", row["date_only"]);                             // 19975 days
        Assert.Equal("\"12:34:56\"", row["time_without_timezone"]);                   // 45296000000 µs
        Assert.Equal("\"04:34:56Z\"", row["time_with_timezone"]);                     // ZonedTime: the text
        Assert.Equal("37091106000000", row["interval_period"]);                       // MicroDuration, µs
    }

    [Fact]
    public void Timestamp_date_and_time_with_microseconds()
    {
        var row = Run("pg_rw_timestamp.jsonl", "id:long", "ts:timestamp", "d:date", "t:string").Single();
        Assert.Equal("\"2022-10-14T23:55:31.98936Z\"", row["ts"]);  // 1665791731989360 µs
        Assert.Equal("\"2022-10-14\"", row["d"]);                   // 19279 days
        Assert.Equal("\"23:55:31.989360\"", row["t"]);              // 86131989360 µs
    }

    [Fact]
    public void Arrays_decode_element_by_element()
    {
        var r = Run("pg_dkc_arrays.jsonl", "id:long", "smallint_array:json", "numeric_array:json", "bool_array:json", "date_array:json",
            "timestamp_array:json", "time_array:json", "uuid_array:json", "json_array:json", "text_array:json");
        Assert.Empty(r.Errors);
        var (create, delete) = (r.Rows[0], r.Rows[1]);
        Assert.Equal("[100,200,300]", create["smallint_array"]);
        Assert.Equal("[\"123.45\",\"678.90\"]", create["numeric_array"]);
        Assert.Equal("[true,false,true]", create["bool_array"]);
        Assert.Equal("[\"2024-01-01\",\"2024-01-02\"]", create["date_array"]);   // 19723, 19724 days
        Assert.Equal("[\"2022-01-01T10:00:00\",\"2023-01-01T10:00:00\",\"2024-01-01T10:00:00\"]", create["timestamp_array"]);
        Assert.Equal("[\"10:00:00\",\"11:00:00\",\"12:00:00\"]", create["time_array"]);
        Assert.Equal("[\"550e8400-e29b-41d4-a716-446655440000\",\"550e8400-e29b-41d4-a716-446655440001\",\"550e8400-e29b-41d4-a716-446655440002\"]", create["uuid_array"]);
        Assert.Equal("[{\"key\": \"value1\"},{\"key\": \"value2\"},{\"key\": \"value3\"}]", create["json_array"]);
        Assert.Equal("[\"text1\",\"text2\",\"text3\"]", create["text_array"]);
        Assert.Equal(("1", "1"), (delete["id"], delete["__DORIS_DELETE_SIGN__"]));
        Assert.Equal(create["date_array"], delete["date_array"]);
    }

    [Fact]
    public void Numerics_in_double_mode()
    {
        var row = Run("pg_rw_numeric_double.jsonl", "o_key:long", "o_smallint:int", "o_integer:int", "o_bigint:long", "o_real:double",
            "o_double:double", "o_numeric:decimal(10,3)", "o_numeric_6_3:decimal(6,3)", "o_money:decimal(10,2)").Single();
        Assert.Equal(("0", "32767", "2147483647", "9223372036854775807"), (row["o_key"], row["o_smallint"], row["o_integer"], row["o_bigint"]));
        Assert.Equal(("9.999", "9.999999", "123456.789", "123.456", "123.12"),
            (row["o_real"], row["o_double"], row["o_numeric"], row["o_numeric_6_3"], row["o_money"]));
    }

    [Fact]
    public void Flattened_rows_with_schema_their_lsn_as_sequence_and_a_tombstone_that_deletes()
    {
        var row = Run("pg_memiiso_flattened.jsonl", new DebeziumOptions
        {
            Format = DebeziumFormat.FlattenedSchema,
            Tombstones = TombstonePolicy.Ignore,
            Sequence = "__lsn",
            Columns = Columns("id:long", "order_date:date", "purchaser:long", "quantity:int", "product_id:long"),
        }).Single();
        Assert.Equal(("10003", "\"2016-02-19\"", "1002", "2", "106", "33832960", "0"),   // order_date: 16850 days
            (row["id"], row["order_date"], row["purchaser"], row["quantity"], row["product_id"], row["_seq"], row["__DORIS_DELETE_SIGN__"]));

        // ExtractNewRecordState's default delete.tombstone.handling.mode=tombstone: the delete is the tombstone alone.
        var r = Run("pg_memiiso_flattened_then_tombstone.jsonl", new DebeziumOptions { Format = DebeziumFormat.FlattenedSchema, Columns = Columns("id:long", "quantity:int") },
            [null, """{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"testc.inventory.orders.Key"},"payload":{"id":10003}}"""]);
        Assert.Empty(r.Errors);
        Assert.Equal([("10003", "2", "0"), ("10003", "null", "1")], r.Rows.Select(x => (x["id"], x["quantity"], x["__DORIS_DELETE_SIGN__"])));
    }

    [Fact]
    public void Flattened_rows_with_columns_named_op_and_payload()
    {
        var r = Run("derived_flattened_reserved_names.jsonl", new DebeziumOptions
        {
            Format = DebeziumFormat.Flattened,
            Columns = Columns("id", "op", "amount:int", "aggregatetype", "payload:json"),
        });
        Assert.Empty(r.Errors);
        Assert.Equal(("\"1\"", "\"approve\"", "10"), (r.Rows[0]["id"], r.Rows[0]["op"], r.Rows[0]["amount"]));
        Assert.Equal(("\"8d0f1a3e-6f57-4a43-9d0e-2b2f3f1f7c11\"", "\"Order\"", "null"), (r.Rows[1]["id"], r.Rows[1]["aggregatetype"], r.Rows[1]["payload"]));
        // The same rows under format auto: the SMT's __op and __deleted mark them as flattened.
        var auto = Run("derived_flattened_reserved_names.jsonl", "id", "op");
        Assert.Equal(["\"approve\"", "null"], auto.Rows.Select(x => x["op"]));
    }

    [Fact]
    public void All_types_without_schema_decode_by_semantic_hints()
    {
        var row = Run("pg_seatunnel_all_types.jsonl", "id:long", "f1:bool", "f44:date:io.debezium.time.Date", "f45:string:io.debezium.time.MicroTime",
            "f46:string:io.debezium.time.Time", "f48:string:io.debezium.time.ZonedTime", "f51:timestamp:io.debezium.time.MicroTimestamp",
            "f52:timestamp:io.debezium.time.Timestamp", "f53:timestamp:io.debezium.time.ZonedTimestamp", "f58:bool").Single();
        Assert.Equal(("1", "true", "true"), (row["id"], row["f1"], row["f58"]));
        Assert.Equal("\"2024-12-17\"", row["f44"]);               // 20074 days
        Assert.Equal("\"18:00:34\"", row["f45"]);                 // 64834000000 µs
        Assert.Equal("\"18:00:38\"", row["f46"]);                 // 64838000 ms
        Assert.Equal("\"09:00:00+08:00\"", row["f48"]);
        Assert.Equal("\"2024-12-18T18:00:49Z\"", row["f51"]);     // 1734544849000000 µs
        Assert.Equal("\"2024-12-17T18:00:51Z\"", row["f52"]);     // 1734458451000 ms
        Assert.Equal("\"2024-12-17T18:00:52.458Z\"", row["f53"]);
    }

    [Fact]
    public void An_update_whose_toasted_column_is_unavailable_updates_only_the_columns_it_has()
    {
        // Debezium's unavailable.value.placeholder (default __debezium_unavailable_value) stands for a TOASTed value
        // that did not change and that logical decoding did not send: the stored email must stay.
        var r = Run("derived_pg_toast_placeholder.jsonl", "id:long", "first_name", "last_name", "email");
        var row = r.Single();
        Assert.Equal(("1", "\"Anne Marie\"", "\"Kretchmar\"", "0"), (row["id"], row["first_name"], row["last_name"], row["__DORIS_DELETE_SIGN__"]));
        Assert.False(row.ContainsKey("email"));
        var route = r.Batch.Rows!.RouteOf(0)!;
        Assert.True(route.Partial);
        Assert.Equal(["id", "first_name", "last_name"], route.Columns.Select(c => r.Batch.Rows.Schema.Names[c]));
    }
}
