using Kpipe.Transforms.Cdc;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Transforms.Cdc;

/// <summary>How each message kind of a Debezium deployment is recognised under each <c>format</c>.</summary>
public sealed class DebeziumFormatTests
{
    private static DebeziumTransform Transform(DebeziumFormat format, TombstonePolicy tombstones = TombstonePolicy.Auto, params string[] columns) =>
        new(new DebeziumOptions
        {
            Format = format,
            Tombstones = tombstones,
            Columns = [.. (columns.Length == 0 ? ["id", "op", "payload"] : columns).Select(c => new ColumnOptions { Name = c })],
        }, NullLogger.Instance);

    private const string Source = """{"version":"2.7.0.Final","connector":"postgresql","name":"pg","db":"postgres","schema":"public","table":"t","lsn":46523128}""";

    public static TheoryData<DebeziumFormat> Formats => [DebeziumFormat.Auto, DebeziumFormat.Envelope, DebeziumFormat.Flattened];

    [Theory]
    [InlineData(DebeziumFormat.Auto)]
    [InlineData(DebeziumFormat.Envelope)]
    public void Logical_messages_schema_changes_transactions_and_heartbeats_give_no_row_and_no_error(DebeziumFormat format)
    {
        var transform = Transform(format);
        var r = TransformRunner.Run([transform],
            """{"payload":{"source":""" + Source + ""","op":"m","ts_ms":1,"message":{"prefix":"foo","content":"Ymfy"}}}""",
            $$"""{"source":{{Source}},"databaseName":"inventory","schemaName":null,"ddl":"ALTER TABLE t ADD c INT","tableChanges":[]}""",
            """{"schema":null,"payload":{"status":"BEGIN","id":"571:53195829","event_count":null,"data_collections":null,"ts_ms":1}}""",
            """{"status":"END","id":"571:53195829","event_count":2,"data_collections":[{"data_collection":"s.a","event_count":2}],"ts_ms":1}""",
            """{"ts_ms":1559033904863}""");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(1, transform.Count(MessageKind.LogicalMessage));
        Assert.Equal(1, transform.Count(MessageKind.SchemaChange));
        Assert.Equal(2, transform.Count(MessageKind.Transaction));
        Assert.Equal(1, transform.Count(MessageKind.Heartbeat));
    }

    [Fact]
    public void Flattened_rows_whose_own_columns_are_named_op_or_payload_are_rows_in_every_format()
    {
        foreach (var format in new[] { DebeziumFormat.Auto, DebeziumFormat.Flattened })
        {
            var r = TransformRunner.Run([Transform(format)],
                """{"id":1,"op":"approve","amount":10,"__op":"c","__deleted":"false"}""",
                """{"id":"8d0f","aggregatetype":"Order","type":"OrderCreated","payload":null,"__op":"c","__deleted":"false"}""");
            Assert.Empty(r.Errors);
            Assert.Equal(
            [
                """{"id":"1","op":"approve","payload":null,"__DORIS_DELETE_SIGN__":0}""",
                """{"id":"8d0f","op":null,"payload":null,"__DORIS_DELETE_SIGN__":0}""",
            ], r.Rows);
        }
    }

    [Fact]
    public void Format_flattened_reads_a_row_without_markers_as_a_row_even_with_op_and_payload_columns()
    {
        var r = TransformRunner.Run([Transform(DebeziumFormat.Flattened)], """{"id":2,"op":"d","payload":"{\"a\":1}"}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"2","op":"d","payload":"{\"a\":1}","__DORIS_DELETE_SIGN__":0}"""], r.Rows);
    }

    [Fact]
    public void Format_flattened_recognises_what_the_SMT_passes_on_unflattened()
    {
        var transform = Transform(DebeziumFormat.Flattened);
        var r = TransformRunner.Run([transform],
            $$"""{"source":{{Source}},"op":"t","ts_ms":1}""",
            $$$"""{"source":{{{Source}}},"op":"m","ts_ms":1,"message":{"prefix":"foo","content":"Ymfy"}}""",
            $$"""{"source":{{Source}},"ts_ms":1,"databaseName":"testDB","schemaName":"dbo","ddl":null,"tableChanges":[]}""",
            """{"status":"BEGIN","id":"1:2","event_count":null,"data_collections":null,"ts_ms":1}""");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(1, transform.Count(MessageKind.Truncate));
        Assert.Equal(1, transform.Count(MessageKind.LogicalMessage));
        Assert.Equal(1, transform.Count(MessageKind.SchemaChange));
        Assert.Equal(1, transform.Count(MessageKind.Transaction));
    }

    [Fact]
    public void Format_flattened_schema_tells_kinds_apart_by_the_schema_name()
    {
        var transform = Transform(DebeziumFormat.FlattenedSchema);
        var r = TransformRunner.Run([transform],
            """{"schema":{"type":"struct","name":"io.debezium.connector.mysql.SchemaChangeValue","fields":[{"field":"id","type":"string"}]},"payload":{"id":"x"}}""",
            """{"schema":{"type":"struct","name":"io.debezium.connector.common.TransactionMetadataValue","fields":[{"field":"id","type":"string"}]},"payload":{"id":"x"}}""",
            """{"schema":{"type":"struct","name":"srv.db.t.Value","fields":[{"field":"id","type":"string"},{"field":"payload","type":"string"}]},"payload":{"id":"x","payload":"p"}}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"x","op":null,"payload":"p","__DORIS_DELETE_SIGN__":0}"""], r.Rows);
        Assert.Equal(1, transform.Count(MessageKind.SchemaChange));
        Assert.Equal(1, transform.Count(MessageKind.Transaction));
    }

    [Fact]
    public void Format_envelope_refuses_a_message_that_is_no_debezium_message()
    {
        var r = TransformRunner.Run([Transform(DebeziumFormat.Envelope)], """{"id":1,"name":"x"}""");
        Assert.Empty(r.Rows);
        Assert.Contains("not a Debezium message", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void A_tombstone_on_a_flattened_topic_deletes_the_row_its_key_names()
    {
        var r = TransformRunner.RunWithKeys([Transform(DebeziumFormat.Flattened)],
        [
            ("""{"id":10003}""", """{"id":10003,"__op":"r","__deleted":"false"}"""),
            ("""{"schema":{"type":"struct","fields":[{"field":"id","type":"int32"}]},"payload":{"id":10003}}""", null),
        ]);
        Assert.Empty(r.Errors);
        Assert.Equal(
        [
            """{"id":"10003","op":null,"payload":null,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":"10003","op":null,"payload":null,"__DORIS_DELETE_SIGN__":1}""",
        ], r.Rows);
    }

    [Fact]
    public void A_tombstone_after_an_envelope_delete_is_ignored_unless_asked()
    {
        var ignored = Transform(DebeziumFormat.Envelope);
        var r = TransformRunner.RunWithKeys([ignored], [("""{"id":1}""", null)]);
        Assert.Empty(r.Rows);
        Assert.Equal(1, ignored.Tombstones);
        r = TransformRunner.RunWithKeys([Transform(DebeziumFormat.Envelope, TombstonePolicy.Delete)], [("""{"id":1}""", null)]);
        Assert.Equal(["""{"id":"1","op":null,"payload":null,"__DORIS_DELETE_SIGN__":1}"""], r.Rows);
    }

    [Fact]
    public void Tombstone_deletes_cannot_be_combined_with_a_sequence()
    {
        var options = new DebeziumOptions { Format = DebeziumFormat.Flattened, Sequence = "__lsn", Columns = [new ColumnOptions { Name = "id" }] };
        Assert.Contains(options.Validate(), e => e.Key == "tombstones");
        options.Tombstones = TombstonePolicy.Ignore;
        Assert.DoesNotContain(options.Validate(), e => e.Key == "tombstones");
    }

    [Fact]
    public void Heartbeat_topics_give_no_row()
    {
        var transform = Transform(DebeziumFormat.Envelope);
        var records = new[] { new Kpipe.Engine.ManagedRecord("__debezium-heartbeat.pg", 0, 1, null, """{"ts_ms":1}"""u8.ToArray()) };
        var batch = Kpipe.Engine.ManagedBatch.Create(1, records);
        var errors = new Kpipe.Engine.RecordErrorHandler(Kpipe.Engine.ErrorPolicy.Fail, new Kpipe.Engine.PipelineMetrics(), NullLogger.Instance);
        transform.Apply(batch, errors);
        Assert.Equal(0, batch.Rows!.Count);
        Assert.Equal(1, transform.Count(MessageKind.Heartbeat));
    }

    [Fact]
    public void Under_auto_a_row_with_id_and_status_columns_is_no_transaction_marker()
    {
        var transform = Transform(DebeziumFormat.Auto, TombstonePolicy.Auto, "id", "status");
        var r = TransformRunner.Run([transform], """{"id":7,"status":"BEGIN","amount":3}""", """{"id":8,"ddl":"x","customer":1}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"7","status":"BEGIN","__DORIS_DELETE_SIGN__":0}""", """{"id":"8","status":null,"__DORIS_DELETE_SIGN__":0}"""], r.Rows);
        Assert.Equal(0, transform.Count(MessageKind.Transaction));
    }
}
