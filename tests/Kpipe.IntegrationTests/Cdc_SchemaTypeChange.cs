using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// A source column whose type changes: Debezium's events (Flink CDC's MySQL test data) add <c>age</c> as an INT32, send
/// it as an INT64 (a MySQL <c>ALTER TABLE ... MODIFY age BIGINT</c>), as an INT32 again, and then as a string. The
/// widening is followed (<c>ALTER TABLE ... MODIFY COLUMN age BIGINT</c>, through the FE's SQL endpoint as ADD COLUMN
/// is) with every row's value kept; the change to text is not, and stops the pipeline before its event is committed.
/// </summary>
public sealed class Cdc_SchemaTypeChange
{
    private const string Topic = "mysql.inventory.product";

    private static PipelineOptions Pipeline(EmbeddedKafka kafka, DorisEmulator doris, string name) => PipelineLoader.Parse($"""
        name: {name}
        source:
          bootstrapServers: {kafka.BootstrapServers}
          topics: [{Topic}]
        transforms:
          - type: debezium
            columns: auto
        sinks:
          - type: doris
            feNodes: [ "{doris.FeUrl}" ]
            table: "inventory.{"{table}"}"
            user: root
            createTable: true
            maxAge: 200ms
        engine:
          statsInterval: 0s
        """, $"{name}.yaml");

    [Fact]
    public async Task A_column_widened_from_int_to_bigint_at_the_source_is_widened_in_Doris_with_every_row_before_and_after()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var run = PipelineHarness.Start(Pipeline(kafka, doris, "widen"));

        // The first four events: no age, age INT32, age INT64 (the widening), age INT32.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, Cdc_SchemaEvolution.Events("mysql_paimon_schema_evolution.jsonl").Take(4));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-widen", Topic, 4, TimeSpan.FromSeconds(120));
        await run.StopAsync();

        var table = doris.FindTable("inventory", "product");
        Assert.NotNull(table);
        Assert.Equal("BIGINT", table.Columns.Single(c => c.Name == "age").Type.ToString());
        // The widening, then the wait for its schema change job, before the INT64 event's row was buffered.
        var statements = doris.Statements.ToList();
        var modify = statements.IndexOf("ALTER TABLE `inventory`.`product` MODIFY COLUMN `age` BIGINT NULL");
        Assert.True(modify >= 0, string.Join("\n", statements));
        Assert.StartsWith("SHOW ALTER TABLE COLUMN FROM `inventory` WHERE TableName = \"product\"", statements[modify + 1]);
        Assert.Equal(
            [(101, "scooter", (long?)null), (103, "12-pack drill bits", 18), (104, "hammer", 24), (105, "hammer", 24)],
            doris.Rows("inventory", "product").Select(r => (Convert.ToInt32(r["id"]), (string)r["name"]!, (long?)r["age"])).OrderBy(r => r.Item1));
    }

    [Fact]
    public async Task A_column_changed_to_text_stops_the_pipeline_before_the_event_is_committed()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var run = PipelineHarness.Start(Pipeline(kafka, doris, "typechange"));

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, Cdc_SchemaEvolution.Events("mysql_paimon_schema_evolution.jsonl"));
        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("column 'age' of source table 'product' changed type at the source, from long to string", failure.ToString());

        // Whatever of the earlier events loaded, the refused event's image (id 105, the 12oz hammer) did not.
        if (doris.FindTable("inventory", "product") != null)
            Assert.DoesNotContain(doris.Rows("inventory", "product"), r => Convert.ToInt32(r["id"]) == 105 && (string?)r["description"] == "12oz carpenter's hammer");
    }
}
