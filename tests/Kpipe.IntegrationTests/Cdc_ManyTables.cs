using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// One pipeline, 1,000 source tables: Debezium events of 1,000 distinct <c>source.table</c>s in one topic, routed by
/// <c>columns: auto</c> to 1,000 Doris tables that <c>createTable</c> makes, every row of every table checked. Its
/// memory is measured by the bench (<c>many-tables</c>, docs/cdc.md), not asserted here.
/// </summary>
public sealed class Cdc_ManyTables
{
    [Fact]
    public async Task A_thousand_source_tables_reach_a_thousand_Doris_tables_with_every_row()
    {
        const string Topic = "mysql.shop";
        const int Tables = 1000, Rows = 3;
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var options = PipelineLoader.Parse($"""
            name: many-tables
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [{Topic}]
            transforms:
              - type: debezium
                columns: auto
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: "shop.{"{table}"}"
                user: root
                createTable: true
                maxAge: 500ms
            engine:
              statsInterval: 0s
            """, "many-tables.yaml");
        var run = PipelineHarness.Start(options);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, ManyTablesEvents.Create(Tables, Rows));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-many-tables", Topic, Tables * Rows, TimeSpan.FromSeconds(120));
        await run.StopAsync();

        for (var t = 1; t <= Tables; t++)
        {
            var name = ManyTablesEvents.TableName(t);
            Assert.True(doris.FindTable("shop", name) is { } table && table.KeyColumns.SequenceEqual(["id"]), $"table {name} was not created keyed on id");
            var expected = Enumerable.Range(1, Rows).Select(r => ManyTablesEvents.Row(t, r)).Select(r => (r.Id, (string?)r.Name, r.Qty));
            var stored = doris.Rows("shop", name).Select(r => (Convert.ToInt32(r["id"]), (string?)r["name"], Convert.ToInt64(r["qty"]))).OrderBy(r => r.Item1);
            Assert.Equal(expected, stored);
        }
    }
}
