using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// A change the Doris table cannot follow: Debezium's events (Flink CDC's MySQL test data) add <c>age</c> as an INT32,
/// then send it as an INT64 (and later as a string). Under <c>errors.policy: fail</c> the pipeline stops on that event
/// with an error naming the column and both types, and the event's image never reaches Doris.
/// </summary>
public sealed class Cdc_SchemaTypeChange
{
    [Fact]
    public async Task A_column_whose_type_changes_stops_the_pipeline_before_the_event_is_committed()
    {
        const string Topic = "mysql.inventory.product";
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var options = PipelineLoader.Parse($"""
            name: typechange
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
            """, "typechange.yaml");
        var run = PipelineHarness.Start(options);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, Cdc_SchemaEvolution.Events("mysql_paimon_schema_evolution.jsonl"));
        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("column 'age' of source table 'product' changed type at the source, from int to long", failure.ToString());

        // Whatever of the earlier events (ids 101, 103) loaded, the refused event's row (id 104) did not.
        if (doris.FindTable("inventory", "product") != null)
            Assert.DoesNotContain(doris.Rows("inventory", "product"), r => Convert.ToInt32(r["id"]) == 104);
    }
}
