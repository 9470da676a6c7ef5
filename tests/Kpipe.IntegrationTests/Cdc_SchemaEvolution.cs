using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Tables that follow the source: with <c>columns: auto</c> and <c>createTable: true</c> a missing Doris table is created
/// from the first event's schema, and a column the source adds mid-stream (Debezium's own MySQL events, before and after
/// <c>ALTER TABLE ... ADD COLUMN new_col</c>) is added to the Doris table before the rows carrying it load.
/// </summary>
public sealed class Cdc_SchemaEvolution
{
    private static PipelineOptions Pipeline(EmbeddedKafka kafka, DorisEmulator doris, string topic, string name) => PipelineLoader.Parse($"""
        name: {name}
        source:
          bootstrapServers: {kafka.BootstrapServers}
          topics: [{topic}]
        transforms:
          - type: debezium
            sequence: binlog
            columns: auto
        sinks:
          - type: doris
            feNodes: [ "{doris.FeUrl}" ]
            table: "test.{"{table}"}"
            user: root
            createTable: true
            maxAge: 200ms
        engine:
          statsInterval: 0s
        """, $"{name}.yaml");

    internal static string EventFile(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Kpipe.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "data", "debezium-events", name);
    }

    /// <summary>The file's events, each keyed by its row's id as Debezium keys them (the files hold values only).</summary>
    internal static List<Message<byte[]?, byte[]?>> Events(string file) =>
    [
        .. File.ReadLines(EventFile(file)).Where(l => l.Length > 0).Select(line =>
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var id = doc.RootElement.GetProperty("payload").GetProperty("after").GetProperty("id").GetRawText();
            return new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($$"""{"id":{{id}}}"""), Value = Encoding.UTF8.GetBytes(line) };
        }),
    ];

    [Fact]
    public async Task A_column_added_at_the_source_reaches_the_created_Doris_table_with_every_value()
    {
        const string Topic = "mysql.test.schema_evolution";
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var run = PipelineHarness.Start(Pipeline(kafka, doris, Topic, "evolve"));

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, Events("mysql_dkc_schema_evolution.jsonl"));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-evolve", Topic, 2, TimeSpan.FromSeconds(120));

        var table = doris.FindTable("test", "schema_evolution");
        Assert.NotNull(table);
        // Created from the first event (id INT32 key, name STRING, age INT32, the binlog sequence), then new_col added.
        Assert.Equal(["id INT", "name STRING", "age INT", "_seq BIGINT", "new_col STRING"],
            table.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(["id"], table.KeyColumns);
        Assert.Equal("_seq", table.SequenceColumn);
        Assert.Equal("true", table.Properties["enable_unique_key_merge_on_write"]);
        Assert.Contains(doris.Statements, s => s.StartsWith("ALTER TABLE `test`.`schema_evolution` ADD COLUMN `new_col` STRING", StringComparison.Ordinal));

        var rows = doris.Rows("test", "schema_evolution");
        Assert.Equal([(1, "doris", 18, null), (2, "kafka", 20, "schema_evolution_test")],
            rows.Select(r => (Convert.ToInt32(r["id"]), (string?)r["name"], Convert.ToInt32(r["age"]), (string?)r["new_col"])));
        await run.StopAsync();
    }
}
