using Kpipe.Engine;
using Kpipe.Tests.Transforms;
using Kpipe.Transforms.Cdc;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Transforms.Cdc;

public sealed class DebeziumTransformTests
{
    private static DebeziumTransform Transform(string? sequence = null, bool deletes = true, TruncatePolicy truncate = TruncatePolicy.Ignore) =>
        new(new DebeziumOptions
        {
            Sequence = sequence,
            Deletes = deletes,
            Truncate = truncate,
            Columns =
            [
                new ColumnOptions { Name = "id", Required = true },
                new ColumnOptions { Name = "timestamp", Type = "timestamp" },
                new ColumnOptions { Name = "battery_voltage", Type = "double" },
            ],
        }, NullLogger.Instance);

    private const string SeedMessage = """{"payload":{"before":null,"after":{"id":"FD2023","device_name":"Drilling Machine 2000","timestamp":1721383200000,"manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A","battery_voltage":12.5}}}""";

    [Fact]
    public void The_seeds_message_gives_the_seeds_row_as_an_upsert()
    {
        var r = TransformRunner.Run([Transform()], SeedMessage);
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"FD2023","timestamp":"2024-07-19T10:00:00Z","battery_voltage":12.5,"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void Creates_snapshot_reads_and_updates_upsert_the_after_image_and_deletes_carry_the_before_key()
    {
        var r = TransformRunner.Run([Transform()],
            """{"op":"c","before":null,"after":{"id":"a","battery_voltage":1}}""",
            """{"op":"r","before":null,"after":{"id":"b","battery_voltage":2}}""",
            """{"op":"u","before":{"id":"a","battery_voltage":1},"after":{"id":"a","battery_voltage":3}}""",
            """{"op":"d","before":{"id":"b","battery_voltage":2},"after":null}""");
        Assert.Empty(r.Errors);
        Assert.Equal(
        [
            """{"id":"a","timestamp":null,"battery_voltage":1,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"b","timestamp":null,"battery_voltage":2,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"a","timestamp":null,"battery_voltage":3,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"b","timestamp":null,"battery_voltage":2,"__DORIS_DELETE_SIGN__":1}""",
        ], r.Rows);
    }

    [Fact]
    public void A_delete_without_a_before_image_takes_the_key_from_the_kafka_key()
    {
        var transform = Transform();
        var result = TransformRunner.RunWithKeys([transform], [("""{"schema":{"type":"struct","fields":[{"field":"id","type":"string","optional":false}],"optional":false,"name":"k"},"payload":{"id":"gone"}}""",
            """{"schema":null,"payload":{"op":"d","before":null,"after":null,"ts_ms":5}}""")]);
        Assert.Empty(result.Errors);
        Assert.Equal(["""{"id":"gone","timestamp":null,"battery_voltage":null,"__DORIS_DELETE_SIGN__":1}"""], result.Rows);
    }

    [Fact]
    public void Flattened_rows_use_op_and_deleted_markers()
    {
        var r = TransformRunner.Run([Transform()],
            """{"id":"a","battery_voltage":1,"__op":"c","__deleted":"false"}""",
            """{"id":"a","battery_voltage":1,"__op":"d","__deleted":"true"}""");
        Assert.Equal(
        [
            """{"id":"a","timestamp":null,"battery_voltage":1,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"a","timestamp":null,"battery_voltage":1,"__DORIS_DELETE_SIGN__":1}""",
        ], r.Rows);
    }

    [Fact]
    public void Tombstones_give_no_row_and_no_error_and_are_counted()
    {
        var transform = Transform();
        var r = TransformRunner.Run([transform], null, "null", """{"schema":null,"payload":null}""");
        Assert.Empty(r.Rows);
        Assert.Empty(r.Errors);
        Assert.Equal(3, transform.Tombstones);
    }

    [Fact]
    public void Deletes_can_be_ignored_as_the_seed_did()
    {
        var r = TransformRunner.Run([Transform(deletes: false)], """{"op":"d","before":{"id":"b"},"after":null}""");
        Assert.Empty(r.Rows);
        Assert.Empty(r.Errors);
    }

    [Fact]
    public void Truncate_is_ignored_by_default_and_stops_the_pipeline_when_asked()
    {
        Assert.Empty(TransformRunner.Run([Transform()], """{"op":"t","before":null,"after":null}""").Rows);
        var e = Assert.Throws<RecordErrorException>(() => TransformRunner.Run([Transform(truncate: TruncatePolicy.Fail)], """{"op":"t","before":null,"after":null}"""));
        Assert.Contains("truncate", e.Message);
    }

    [Theory]
    [InlineData("ts_ms", 1721383200100)]
    [InlineData("source.lsn", 24023128)]
    [InlineData("binlog", (3L << 32) + 154)]
    public void The_sequence_comes_from_the_chosen_position(string sequence, long expected)
    {
        var r = TransformRunner.Run([Transform(sequence)],
            """{"op":"c","before":null,"after":{"id":"a"},"source":{"file":"mysql-bin.000003","pos":154,"lsn":24023128},"ts_ms":1721383200100}""");
        Assert.Equal([$$"""{"id":"a","timestamp":null,"battery_voltage":null,"_seq":{{expected}},"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void Typed_values_decode_from_the_embedded_schema()
    {
        // MicroTimestamp: microseconds since the epoch (Debezium MySQL connector docs, "Temporal types").
        var message = """
            {"schema":{"type":"struct","name":"dbserver1.inventory.devices.Envelope","optional":false,"fields":[
              {"field":"before","type":"struct","optional":true,"name":"dbserver1.inventory.devices.Value","fields":[
                {"field":"id","type":"string","optional":false},
                {"field":"timestamp","type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1},
                {"field":"battery_voltage","type":"double","optional":true}]},
              {"field":"after","type":"struct","optional":true,"name":"dbserver1.inventory.devices.Value","fields":[
                {"field":"id","type":"string","optional":false},
                {"field":"timestamp","type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1},
                {"field":"battery_voltage","type":"double","optional":true}]},
              {"field":"op","type":"string","optional":false},
              {"field":"ts_ms","type":"int64","optional":true}]},
             "payload":{"before":null,"after":{"id":"FD2023","timestamp":1721383200123456,"battery_voltage":12.5},"op":"c","ts_ms":1}}
            """.ReplaceLineEndings("");
        var r = TransformRunner.Run([Transform()], message);
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"FD2023","timestamp":"2024-07-19T10:00:00.123456Z","battery_voltage":12.5,"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void A_missing_required_key_an_unknown_op_and_bad_json_are_record_errors()
    {
        var r = TransformRunner.Run([Transform()],
            """{"op":"c","before":null,"after":{"battery_voltage":1}}""",
            """{"op":"x","before":null,"after":{"id":"a"}}""",
            "{broken");
        Assert.Empty(r.Rows);
        Assert.Equal(3, r.Errors.Count);
        Assert.Contains("required field 'id'", r.Errors[0].Reason);
        Assert.Contains("unknown Debezium operation 'x'", r.Errors[1].Reason);
        Assert.Contains("not valid JSON", r.Errors[2].Reason);
    }

    [Fact]
    public void An_envelope_field_given_twice_is_a_record_error_as_in_select()
    {
        // A repeated op could mean a create or a delete: refused, as the transforms refuse any field read twice.
        var r = TransformRunner.Run([Transform()],
            """{"op":"c","before":null,"after":{"id":"a"},"op":"d"}""",
            """{"payload":{"op":"c","after":{"id":"b"},"after":{"id":"c"}}}""",
            """{"op":"c","before":null,"after":{"id":"d"}}""");
        Assert.StartsWith("""{"id":"d",""", Assert.Single(r.Rows));
        Assert.Equal(2, r.Errors.Count);
        Assert.Contains("field 'op' appears more than once", r.Errors[0].Reason);
        Assert.Contains("field 'payload.after' appears more than once", r.Errors[1].Reason);
    }

    [Fact]
    public void Events_of_many_tables_become_rows_of_their_own_table_with_only_its_columns()
    {
        var transform = new DebeziumTransform(new DebeziumOptions
        {
            Tables = new Dictionary<string, List<ColumnOptions>>
            {
                ["devices"] = [new ColumnOptions { Name = "id", Required = true }, new ColumnOptions { Name = "location" }],
                ["orders"] = [new ColumnOptions { Name = "id", Required = true }, new ColumnOptions { Name = "amount", Type = "decimal(10,2)" }],
            },
        }, NullLogger.Instance);
        var r = TransformRunner.Run([transform],
            """{"op":"c","before":null,"after":{"id":"D1","location":"A","amount":9},"source":{"table":"devices"}}""",
            """{"op":"c","before":null,"after":{"id":"O1","amount":"12.5"},"source":{"table":"orders"}}""",
            """{"op":"d","before":{"id":"O1","amount":"12.5"},"after":null,"source":{"table":"orders"}}""",
            """{"op":"c","before":null,"after":{"id":"X"},"source":{"table":"unlisted"}}""");
        Assert.Equal(
        [
            """{"id":"D1","location":"A","__DORIS_DELETE_SIGN__":0}""",
            """{"id":"O1","amount":12.50,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"O1","amount":12.50,"__DORIS_DELETE_SIGN__":1}""",
        ], r.Rows);
        var rows = r.Batch.Rows!;
        Assert.Equal(["devices", "orders", "orders"], Enumerable.Range(0, rows.Count).Select(i => rows.RouteOf(i)!.Name));
        Assert.Contains("no columns are declared for source table 'unlisted'", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void Flattened_events_take_their_table_from_the_topic()
    {
        var transform = new DebeziumTransform(new DebeziumOptions
        {
            Tables = new Dictionary<string, List<ColumnOptions>> { ["devices"] = [new ColumnOptions { Name = "id" }] },
        }, NullLogger.Instance);
        // TransformRunner's records come from the topic "devices".
        var r = TransformRunner.Run([transform], """{"id":"a","__op":"u","__deleted":"false"}""");
        Assert.Equal(["""{"id":"a","__DORIS_DELETE_SIGN__":0}"""], r.Rows);
        Assert.Equal("devices", r.Batch.Rows!.RouteOf(0)!.Name);
    }

    [Theory]
    [InlineData("source.change_lsn", SequenceType.Largeint, "\"0000002b:000004f8:0004\"", "\"12103424081920004\"")]
    [InlineData("source.scn", SequenceType.Bigint, "\"13234397\"", "13234397")]
    [InlineData("source.lsn", SequenceType.Bigint, "46523128", "46523128")]
    public void The_sequence_reads_each_connectors_position(string sequence, SequenceType type, string position, string expected)
    {
        var field = sequence["source.".Length..];
        var transform = new DebeziumTransform(new DebeziumOptions
        {
            Sequence = sequence,
            SequenceType = type,
            Columns = [new ColumnOptions { Name = "id" }],
        }, NullLogger.Instance);
        var r = TransformRunner.Run([transform], $$$"""{"op":"u","before":null,"after":{"id":"a"},"source":{"{{{field}}}":{{{position}}}}}""");
        Assert.Empty(r.Errors);
        Assert.Equal([$$"""{"id":"a","_seq":{{expected}},"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void An_sql_server_lsn_beyond_63_bits_asks_for_a_largeint()
    {
        var transform = new DebeziumTransform(new DebeziumOptions { Sequence = "source.change_lsn", Columns = [new ColumnOptions { Name = "id" }] }, NullLogger.Instance);
        var r = TransformRunner.Run([transform], """{"op":"u","before":null,"after":{"id":"a"},"source":{"change_lsn":"0000802b:000004f8:0004"}}""");
        Assert.Contains("sequenceType: largeint", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void A_snapshot_read_without_a_position_sorts_before_every_change()
    {
        var transform = new DebeziumTransform(new DebeziumOptions { Sequence = "source.change_lsn", SequenceType = SequenceType.Largeint, Columns = [new ColumnOptions { Name = "id" }] }, NullLogger.Instance);
        var r = TransformRunner.Run([transform],
            """{"op":"r","before":null,"after":{"id":"a"},"source":{"change_lsn":null,"commit_lsn":"00000025:00000d98:00a2"}}""",
            """{"op":"u","before":null,"after":{"id":"a"},"source":{"change_lsn":null}}""");
        Assert.Equal(["""{"id":"a","_seq":"0","__DORIS_DELETE_SIGN__":0}"""], r.Rows);
        Assert.Contains("no sequence value at 'source.change_lsn'", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void The_sequence_may_be_a_field_of_a_flattened_row()
    {
        var transform = new DebeziumTransform(new DebeziumOptions
        {
            Format = DebeziumFormat.Flattened,
            Tombstones = TombstonePolicy.Ignore,
            Sequence = "__lsn",
            Columns = [new ColumnOptions { Name = "id" }],
        }, NullLogger.Instance);
        var r = TransformRunner.Run([transform], """{"id":10003,"__op":"r","__lsn":33832960,"__deleted":"false"}""");
        Assert.Equal(["""{"id":"10003","_seq":33832960,"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void A_semantic_hint_decodes_a_schemaless_value_as_its_schema_would()
    {
        var transform = new DebeziumTransform(new DebeziumOptions
        {
            Columns =
            [
                new ColumnOptions { Name = "day", Type = "date", Semantic = "io.debezium.time.Date" },
                new ColumnOptions { Name = "at", Type = "string", Semantic = "io.debezium.time.NanoTime" },
                new ColumnOptions { Name = "amount", Type = "decimal(10,2)", Semantic = "io.debezium.data.VariableScaleDecimal" },
                new ColumnOptions { Name = "days", Type = "json", Semantic = "array<io.debezium.time.Date>" },
            ],
        }, NullLogger.Instance);
        // 19923 days: 2024-07-19; 36000123000000 ns: 10:00:00.123; {scale 2, "MDk="}: 0x3039 = 12345, i.e. 123.45.
        var r = TransformRunner.Run([transform],
            """{"op":"c","before":null,"after":{"day":19923,"at":36000123000000,"amount":{"scale":2,"value":"MDk="},"days":[19723]}}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"day":"2024-07-19","at":"10:00:00.123000","amount":123.45,"days":["2024-01-01"],"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }
}
