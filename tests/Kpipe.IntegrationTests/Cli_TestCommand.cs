using Kpipe.Cli;

namespace Kpipe.IntegrationTests;

/// <summary>`kpipe test` on the examples prints exactly the rows of the seed's tables.</summary>
public sealed class Cli_TestCommand
{
    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    private static async Task<(int Exit, string Stdout, string Stderr)> Kpipe(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KpipeCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("kafka_list_to_doris.yaml", "kafka_list_to_doris.input.jsonl")]
    [InlineData("seed/kafka_list_to_doris_setting.yaml", "kafka_list_to_doris.input.jsonl")]
    [InlineData("seed/kafka_cdc_to_doris_setting.yaml", "kafka_cdc_to_doris.input.jsonl")]
    public async Task The_seed_pipelines_print_the_seed_table(string pipeline, string input)
    {
        var (exit, stdout, stderr) = await Kpipe("test", Example(pipeline), "--input", Example(input), "--format", "table");
        Assert.True(exit == ExitCodes.Ok, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(" | ", l.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal("id | device_name | timestamp | manufacturer | model | description | location | battery_voltage", lines[0]);
        Assert.Equal("\"FD2023\" | \"Drilling Machine 2000\" | \"2024-07-19T10:00:00Z\" | \"TechTools Inc.\" | \"DTM-2000\" | \"Advanced drilling machine for industrial use\" | \"Production Line A\" | 12.5", lines[2]);
        Assert.Contains("1 message(s) in, 1 row(s) out, 0 record error(s)", stderr);
    }

    [Fact]
    public async Task The_kafka_to_doris_example_prints_the_seed_row_as_json_lines()
    {
        var (exit, stdout, _) = await Kpipe("test", Example("kafka_to_doris.yaml"), "--input", Example("kafka_to_doris.input.jsonl"), "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("""{"device_id":"FD2023","device_name":"Drilling Machine 2000","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A"}""", stdout.Trim());
    }

    [Fact]
    public async Task A_bad_record_is_reported_with_its_line_and_exit_1()
    {
        var input = Path.Combine(Path.GetTempPath(), $"kpipe-test-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(input,
        [
            File.ReadAllText(Example("kafka_list_to_doris.input.jsonl")).Trim(),
            """{"payload":[{"device_id":"X1","battery_voltage":"twelve"}]}""",
        ]);
        try
        {
            var (exit, stdout, stderr) = await Kpipe("test", Example("kafka_list_to_doris.yaml"), "--input", input, "--format", "json");
            Assert.Equal(ExitCodes.PipelineFailed, exit);
            Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("line 2: field 'battery_voltage':", stderr);
            Assert.Contains("\"twelve\"", stderr);
            Assert.Contains("2 message(s) in, 1 row(s) out, 1 record error(s)", stderr);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private const string DorisSink = "{ type: doris, feNodes: [ \"127.0.0.1:8030\" ], table: shop.orders, user: root }";

    /// <summary>Runs a debezium transform into a Doris sink: rows print as the Doris sink writes them.</summary>
    private static Task<(int Exit, string Stdout, string Stderr)> RunCdc(string transform, string[] inputLines, params string[] extra) =>
        RunCdcInto(DorisSink, transform, inputLines, extra);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunCdcInto(string sink, string transform, string[] inputLines, params string[] extra)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kpipe-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var pipeline = Path.Combine(dir, "p.yaml");
            await File.WriteAllTextAsync(pipeline, $"""
                name: cdc
                source:
                  bootstrapServers: localhost:9092
                  topics: [pg.public.orders]
                transforms:
                  - type: debezium
                {transform}
                sinks:
                  - {sink}
                """);
            var input = Path.Combine(dir, "in.jsonl");
            await File.WriteAllLinesAsync(input, inputLines);
            return await Kpipe(["test", pipeline, "--input", input, .. extra.Contains("--format") ? extra : ["--format", "json", .. extra]]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Truncate_fail_names_the_line_prints_the_summary_and_exits_1_without_a_stack_trace()
    {
        var (exit, stdout, stderr) = await RunCdc("""
                truncate: fail
                columns: [ { name: id } ]
            """,
        [
            """{"op":"c","before":null,"after":{"id":1}}""",
            """{"payload":{"source":{"connector":"postgresql","table":"orders","lsn":1},"op":"t","ts_ms":1}}""",
            """{"op":"c","before":null,"after":{"id":2}}""",
        ]);
        Assert.Equal(ExitCodes.PipelineFailed, exit);
        Assert.Equal("""{"id":"1","__DORIS_DELETE_SIGN__":0}""", stdout.Trim());
        Assert.Contains("line 2: a truncate event (transforms: debezium truncate: fail)", stderr);
        Assert.Contains("3 message(s) in, 1 row(s) out, 1 record error(s)", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Records_carry_keys_headers_and_tombstones_and_a_flattened_tombstone_deletes_its_key()
    {
        var (exit, stdout, stderr) = await RunCdc("""
                format: flattened
                columns: [ { name: id, type: long }, { name: trace, meta: key } ]
            """,
        [
            """{"key": {"id": 7}, "value": {"id": 7, "__op": "c", "__deleted": "false"}, "headers": {"traceparent": "00-ab"}}""",
            """{"key": {"id": 7}, "value": null}""",
            """{"value": null}""",
        ], "--records");
        Assert.True(exit == ExitCodes.Ok, stderr);
        Assert.Equal(
        [
            """{"id":7,"trace":"{\"id\": 7}","__DORIS_DELETE_SIGN__":0}""",
            """{"id":7,"trace":"{\"id\": 7}","__DORIS_DELETE_SIGN__":1}""",
        ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("3 message(s) in, 2 row(s) out, 0 record error(s)", stderr);
    }

    private static readonly string[] ChangeEvents =
    [
        """{"key": {"id": 7}, "value": {"op":"r","before":null,"after":{"id":7,"qty":1},"source":{"lsn":10}}}""",
        """{"key": {"id": 7}, "value": {"op":"u","before":null,"after":{"id":7,"qty":2},"source":{"lsn":11}}}""",
        """{"key": {"id": 7}, "value": {"op":"d","before":{"id":7,"qty":2},"after":null,"source":{"lsn":12}}}""",
    ];

    private const string SequencedColumns = """
                sequence: source.lsn
                columns: [ { name: id, type: long }, { name: qty, type: int } ]
            """;

    [Fact]
    public async Task Change_rows_print_as_the_doris_sink_writes_them_with_the_sequence_column_and_the_delete_sign()
    {
        var (exit, stdout, stderr) = await RunCdc(SequencedColumns, ChangeEvents, "--records");
        Assert.True(exit == ExitCodes.Ok, stderr);
        Assert.Equal(
        [
            """{"id":7,"qty":1,"_seq":10,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":7,"qty":2,"_seq":11,"__DORIS_DELETE_SIGN__":0}""",
            """{"id":7,"qty":2,"_seq":12,"__DORIS_DELETE_SIGN__":1}""",
        ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("{ type: kafka, bootstrapServers: localhost:9092, topic: orders.flat }")]
    [InlineData("{ type: console }")]
    public async Task Change_rows_print_as_a_kafka_or_console_sink_writes_them_with_op_and_deleted_and_no_doris_column(string sink)
    {
        var (exit, stdout, stderr) = await RunCdcInto(sink, SequencedColumns, ChangeEvents, "--records");
        Assert.True(exit == ExitCodes.Ok, stderr);
        Assert.Equal(
        [
            """{"id":7,"qty":1,"__op":"r","__deleted":"false","__seq":10}""",
            """{"id":7,"qty":2,"__op":"u","__deleted":"false","__seq":11}""",
            """{"id":7,"qty":2,"__op":"d","__deleted":"true","__seq":12}""",
        ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_table_format_has_a_column_for_each_piece_of_metadata()
    {
        var (exit, stdout, stderr) = await RunCdc(SequencedColumns, ChangeEvents[2..], "--records", "--format", "table");
        Assert.True(exit == ExitCodes.Ok, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(" | ", l.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal("id | qty | _seq | __DORIS_DELETE_SIGN__", lines[0]);
        Assert.Equal("7 | 2 | 12 | 1", lines[2]);
    }

    [Fact]
    public async Task Under_columns_auto_a_column_that_appears_later_gets_its_own_heading_before_the_metadata()
    {
        var (exit, stdout, stderr) = await RunCdcInto("{ type: console }", """
                columns: auto
                sequence: binlog
            """, File.ReadAllLines(EventFile("mysql_dkc_schema_evolution.jsonl")), "--format", "table");
        Assert.True(exit == ExitCodes.Ok, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')[1..^1].Select(c => c.Trim()).ToArray()).ToList();
        Assert.Equal(["id", "name", "age", "new_col", "__op", "__deleted", "__seq"], lines[0]);
        Assert.Equal(["1", "\"doris\"", "18", "", "\"c\"", "\"false\"", "4294967450"], lines[2]);
        Assert.Equal(["2", "\"kafka\"", "20", "\"schema_evolution_test\"", "\"c\"", "\"false\"", "4294967496"], lines[3]);
    }

    [Fact]
    public async Task A_null_line_is_a_tombstone_and_a_malformed_record_is_a_line_error()
    {
        var (exit, _, stderr) = await RunCdc("""
                columns: [ { name: id } ]
            """, ["null", "{\"key\": 1, \"nonsense\": 2}"], "--records");
        Assert.Equal(ExitCodes.PipelineFailed, exit);
        Assert.Contains("line 2: unknown or malformed member 'nonsense'", stderr);
        Assert.Contains("2 message(s) in, 0 row(s) out, 1 record error(s)", stderr);
    }

    private static string EventFile(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Kpipe.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "data", "debezium-events", name);
    }

    [Theory]
    [InlineData("pg_docs_message.jsonl", 2)]
    [InlineData("pg_rw_transaction_metadata.jsonl", 2)]
    [InlineData("mysql_docs_schema_change.jsonl", 1)]
    [InlineData("mysql_memiiso_schema_change.jsonl", 1)]
    [InlineData("sqlserver_docs_schema_change.jsonl", 1)]
    [InlineData("pg_docs_truncate.jsonl", 1)]
    [InlineData("oracle_docs_truncate.jsonl", 1)]
    public async Task Debeziums_non_row_messages_give_no_row_and_no_error(string file, int messages)
    {
        var (exit, stdout, stderr) = await RunCdc("""
                columns: [ { name: id, required: true } ]
            """, File.ReadAllLines(EventFile(file)));
        Assert.True(exit == ExitCodes.Ok, stderr);
        Assert.Equal("", stdout.Trim());
        Assert.Contains($"{messages} message(s) in, 0 row(s) out, 0 record error(s)", stderr);
    }
}
