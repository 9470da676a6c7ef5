using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Flattened rows with schemas (ExtractNewRecordState, the value converter with schemas) under <c>columns: auto</c>, keyed
/// by a key converter without schemas: a delete arrives as a tombstone whose key is the bare <c>{"id": 2}</c>, and the
/// row it names is deleted from the Doris table <c>createTable</c> made.
/// </summary>
public sealed class Cdc_TombstoneSchemalessKey
{
    [Fact]
    public async Task A_tombstone_whose_key_has_no_schema_deletes_its_row()
    {
        const string Topic = "pg.public.devices";
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        var options = PipelineLoader.Parse($"""
            name: tombstones
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [{Topic}]
            transforms:
              - type: debezium
                format: flattened-schema
                columns: auto
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: "public.{"{table}"}"
                user: root
                createTable: true
                maxAge: 200ms
            engine:
              statsInterval: 0s
            """, "tombstones.yaml");
        var run = PipelineHarness.Start(options);

        static Message<byte[]?, byte[]?> Row(int id, string name) => new()
        {
            Key = Encoding.UTF8.GetBytes($$"""{"id":{{id}}}"""),
            Value = Encoding.UTF8.GetBytes($$$"""{"schema":{"type":"struct","optional":false,"name":"pg.public.devices.Value","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}]},"payload":{"id":{{{id}}},"name":"{{{name}}}"}}"""),
        };
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic,
            [Row(1, "a"), Row(2, "b"), Row(3, "c"), new Message<byte[]?, byte[]?> { Key = """{"id":2}"""u8.ToArray(), Value = null }]);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-tombstones", Topic, 4, TimeSpan.FromSeconds(60));
        await run.StopAsync();

        Assert.Equal([(1, "a"), (3, "c")],
            doris.Rows("public", "devices").Select(r => (Convert.ToInt32(r["id"]), (string)r["name"]!)).OrderBy(r => r.Item1));
    }
}
