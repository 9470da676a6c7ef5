using Kpipe.Transforms.Cdc;
using static Kpipe.Tests.Transforms.Cdc.EventFiles.EventFile;

namespace Kpipe.Tests.Transforms.Cdc.EventFiles;

/// <summary>
/// SQL Server and Oracle connector events. SQL Server (time.precision.mode adaptive): DATE is Date, TIME(0-3) Time
/// (ms), TIME(7) NanoTime (ns), DATETIME/SMALLDATETIME/DATETIME2(0-3) Timestamp (ms), DATETIME2(7) NanoTimestamp,
/// DATETIMEOFFSET a ZonedTimestamp string; its position is change_lsn, three hexadecimal parts. Oracle: NUMBER
/// without a fixed scale is a VariableScaleDecimal {scale, value}, DATE a Timestamp, TIMESTAMP(6) a MicroTimestamp,
/// TIMESTAMP WITH TIME ZONE a ZonedTimestamp; its position is scn, a decimal string.
/// </summary>
public sealed class SqlServerAndOracleEventFileTests
{
    [Fact]
    public void Sql_server_create_ordered_by_its_change_lsn()
    {
        var row = Run("sqlserver_aks_persons.jsonl", new DebeziumOptions
        {
            Sequence = "source.change_lsn",
            SequenceType = SequenceType.Largeint,
            Columns = Columns("PersonID:long", "Name", "Age:int"),
        }).Single();
        // 0000002b:000004f8:0004: (0x2b << 48) | (0x4f8 << 16) | 4 = 12103424081920004, as LARGEINT text.
        Assert.Equal(("7", "\"Targarien\"", "125", "\"12103424081920004\""), (row["PersonID"], row["Name"], row["Age"], row["_seq"]));
    }

    [Fact]
    public void Sql_server_schema_change_topic_message_is_no_row()
    {
        // Its source names the table 'customers': before kpipe recognised schema changes it became a junk row there.
        var r = Run("sqlserver_docs_schema_change.jsonl", new DebeziumOptions { Tables = new() { ["customers"] = Columns("id:long") } });
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(1, r.Transform.Count(MessageKind.SchemaChange));
    }

    private static readonly string[] SqlServerTemporalColumns =
    [
        "id:long", "f1:bool", "f2:int", "f16", "f29", "f35:date:io.debezium.time.Date", "f36:string:io.debezium.time.NanoTime",
        "f37:string:io.debezium.time.Time", "f38:timestamp:io.debezium.time.Timestamp", "f39:timestamp:io.debezium.time.NanoTimestamp",
        "f40:timestamp:io.debezium.time.Timestamp", "f41:timestamp:io.debezium.time.ZonedTimestamp", "f43:timestamp:io.debezium.time.Timestamp",
    ];

    [Theory]
    [InlineData("sqlserver_seatunnel_full_types.jsonl")]          // no schema: the semantic hints decide
    [InlineData("sqlserver_seatunnel_full_types_schema.jsonl")]   // the schema decides, the same way
    public void Sql_server_full_types_with_or_without_schema(string file)
    {
        var row = Run(file, new DebeziumOptions { Sequence = "source.change_lsn", SequenceType = SequenceType.Largeint, Columns = Columns(SqlServerTemporalColumns) }).Single();
        Assert.Equal(("1", "true", "1", "\"1\"", "\"AQ==\""), (row["id"], row["f1"], row["f2"], row["f16"], row["f29"]));
        Assert.Equal("\"2024-12-16\"", row["f35"]);                   // 20073 days
        Assert.Equal("\"21:02:03\"", row["f36"]);                     // 75723000000000 ns
        Assert.Equal("\"21:02:04\"", row["f37"]);                     // 75724000 ms
        Assert.Equal("\"2024-12-16T21:02:05Z\"", row["f38"]);         // 1734382925000 ms
        Assert.Equal("\"2024-12-16T21:02:07Z\"", row["f39"]);         // 1734382927000000000 ns
        Assert.Equal("\"2024-12-16T21:02:08Z\"", row["f40"]);
        Assert.Equal("\"2024-12-16T21:02:09.799Z\"", row["f41"]);
        Assert.Equal("\"2024-12-16T21:02:00Z\"", row["f43"]);
        // A snapshot read has no change_lsn: it sorts before every streamed change.
        Assert.Equal("\"0\"", row["_seq"]);
    }

    [Fact]
    public void Oracle_create_from_the_documentation_ordered_by_its_scn()
    {
        var row = Run("oracle_docs_create.jsonl", new DebeziumOptions { Sequence = "source.scn", Columns = Columns("ID:long", "FIRST_NAME", "LAST_NAME", "EMAIL") }).Single();
        Assert.Equal(("1004", "\"Anne\"", "\"Kretchmar\"", "\"annek@noanswer.org\"", "2122185"),
            (row["ID"], row["FIRST_NAME"], row["LAST_NAME"], row["EMAIL"], row["_seq"]));
    }

    [Fact]
    public void Oracle_truncate_is_ignored_by_default()
    {
        var r = Run("oracle_docs_truncate.jsonl", "ID:long");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Rows);
        Assert.Equal(1, r.Transform.Count(MessageKind.Truncate));
    }

    private static readonly string[] OracleColumns =
    [
        "F1:int", "F2:decimal(10,0):io.debezium.data.VariableScaleDecimal", "F7:string:io.debezium.data.VariableScaleDecimal",
        "F9:long:io.debezium.data.VariableScaleDecimal", "F10", "F21", "F27:timestamp:io.debezium.time.Timestamp",
        "F28:timestamp:io.debezium.time.MicroTimestamp", "F29:timestamp:io.debezium.time.MicroTimestamp",
        "F30:timestamp:io.debezium.time.ZonedTimestamp", "F31:timestamp:io.debezium.time.ZonedTimestamp",
    ];

    [Theory]
    [InlineData("oracle_seatunnel_all_types.jsonl")]
    [InlineData("oracle_seatunnel_all_types_schema.jsonl")]
    public void Oracle_all_types_with_or_without_schema(string file)
    {
        var row = Run(file, new DebeziumOptions { Sequence = "source.scn", Columns = Columns(OracleColumns) }).Single();
        Assert.Equal("1", row["F1"]);
        Assert.Equal(("1", "\"1\"", "1"), (row["F2"], row["F7"], row["F9"]));   // {scale 0, "AQ=="}: the byte 1
        Assert.Equal(("null", "\"a\""), (row["F10"], row["F21"]));
        Assert.Equal("\"2024-12-17T15:23:32Z\"", row["F27"]);                  // 1734449012000 ms
        Assert.Equal("\"2024-12-17T15:23:34Z\"", row["F28"]);                  // 1734449014000000 µs
        Assert.Equal("\"2024-12-17T15:23:35Z\"", row["F29"]);
        Assert.Equal("\"2024-12-17T15:23:37.618Z\"", row["F30"]);
        Assert.Equal("\"2024-12-17T15:23:38.79Z\"", row["F31"]);
        Assert.Equal("0", row["_seq"]);                                         // scn "0" in this capture
    }
}
