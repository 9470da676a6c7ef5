using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// A PostgreSQL update whose unchanged TOASTed column Debezium sends as <c>__debezium_unavailable_value</c>: the Doris
/// table keeps the stored value (a partial column update), while a later full update still replaces it.
/// </summary>
public sealed class Cdc_ToastUnavailableValue
{
    private const string Ddl = """
        CREATE TABLE inventory.customers (id INT NOT NULL, first_name VARCHAR(64), last_name VARCHAR(64), email VARCHAR(128), bio STRING)
        UNIQUE KEY(id) PROPERTIES ("enable_unique_key_merge_on_write" = "true")
        """;

    private static PipelineOptions Pipeline(EmbeddedKafka kafka, DorisEmulator doris, string topic) => PipelineLoader.Parse($"""
        name: toast
        source:
          bootstrapServers: {kafka.BootstrapServers}
          topics: [{topic}]
        transforms:
          - type: debezium
            columns:
              - {"{"} name: id, type: int, required: true {"}"}
              - {"{"} name: first_name {"}"}
              - {"{"} name: last_name {"}"}
              - {"{"} name: email {"}"}
              - {"{"} name: bio {"}"}
        sinks:
          - type: doris
            feNodes: [ "{doris.FeUrl}" ]
            table: inventory.customers
            user: root
            maxAge: 200ms
        engine:
          statsInterval: 0s
        """, "toast.yaml");

    private static Message<byte[]?, byte[]?> Event(string op, string after) => new()
    {
        Key = Encoding.UTF8.GetBytes("""{"id":1}"""),
        Value = Encoding.UTF8.GetBytes($$"""{"before":null,"after":{{after}},"source":{"connector":"postgresql","table":"customers","lsn":1},"op":"{{op}}","ts_ms":1}"""),
    };

    [Fact]
    public async Task An_update_with_an_unavailable_toasted_value_keeps_the_stored_value()
    {
        const string Topic = "pg.inventory.customers";
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Tables = [Ddl] });
        var run = PipelineHarness.Start(Pipeline(kafka, doris, Topic));

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic,
        [
            Event("c", """{"id":1,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org","bio":"long text"}"""),
            // Both TOASTed columns unchanged, then only one: two different sets of missing columns.
            Event("u", """{"id":1,"first_name":"Anne Marie","last_name":"Kretchmar","email":"__debezium_unavailable_value","bio":"__debezium_unavailable_value"}"""),
            Event("u", """{"id":1,"first_name":"Anne Marie","last_name":"K.","email":"anne@example.org","bio":"__debezium_unavailable_value"}"""),
        ]);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-toast", Topic, 3, TimeSpan.FromSeconds(120));
        var row = Assert.Single(doris.Rows("inventory", "customers"));
        Assert.Equal((1, "Anne Marie", "K.", "anne@example.org", "long text"),
            (Convert.ToInt32(row["id"]), (string?)row["first_name"], (string?)row["last_name"], (string?)row["email"], (string?)row["bio"]));
        // The whole row, then each set of present columns in a load of its own.
        Assert.True(doris.Loads.Count(l => l.Committed) >= 3);
        await run.StopAsync();
    }
}
