using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// Debezium change events -> kpipe -> a Kafka topic: each row is written with its operation as ExtractNewRecordState
/// writes it (<c>__op</c>, <c>__deleted</c>, and <c>__seq</c> for the sequence), and never with Doris's hidden columns.
/// The topic is then a flattened change stream that a second pipeline loads into Doris.
/// </summary>
public sealed class Cdc_DebeziumToKafka
{
    private static Message<byte[]?, byte[]?> Event(long id, string op, int? qty, long lsn)
    {
        var image = qty == null ? "null" : $$"""{"id":{{id}},"qty":{{qty}}}""";
        var (before, after) = op == "d" ? (image, "null") : ("null", image);
        return new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($$"""{"id":{{id}}}"""),
            Value = Encoding.UTF8.GetBytes($$"""{"before":{{before}},"after":{{after}},"source":{"table":"orders","lsn":{{lsn}}},"op":"{{op}}","ts_ms":1}"""),
        };
    }

    [Fact]
    public async Task Change_rows_carry_op_deleted_and_seq_and_the_topic_loads_into_doris_as_a_flattened_stream()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("pg.public.orders", 1);
        kafka.CreateTopic("orders.flat", 1);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "pg.public.orders",
        [
            Event(1, "r", 5, 100), Event(2, "c", 7, 101), Event(1, "u", 6, 102), Event(2, "d", 7, 103),
        ]);

        var toKafka = PipelineHarness.Start(PipelineLoader.Parse($"""
            name: cdc-to-kafka
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [pg.public.orders]
            transforms:
              - type: debezium
                sequence: source.lsn
                columns:
                  - name: id
                    type: long
                  - name: qty
                    type: int
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: orders.flat
                keyField: id
            engine:
              commitInterval: 100ms
              statsInterval: 0s
            """, "cdc-to-kafka.yaml"));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-cdc-to-kafka", "pg.public.orders", 4, TimeSpan.FromSeconds(60));
        await toKafka.StopAsync();

        var written = KafkaTestClient.ReadAll(kafka.BootstrapServers, "orders.flat", TimeSpan.FromSeconds(30), 4);
        Assert.Equal(
        [
            ("1", """{"id":1,"qty":5,"__op":"r","__deleted":"false","__seq":100}"""),
            ("2", """{"id":2,"qty":7,"__op":"c","__deleted":"false","__seq":101}"""),
            ("1", """{"id":1,"qty":6,"__op":"u","__deleted":"false","__seq":102}"""),
            ("2", """{"id":2,"qty":7,"__op":"d","__deleted":"true","__seq":103}"""),
        ], written.Select(r => (PipelineHarness.Text(r.Message.Key), PipelineHarness.Text(r.Message.Value))));
        Assert.All(written, r => Assert.DoesNotContain("__DORIS_DELETE_SIGN__", PipelineHarness.Text(r.Message.Value), StringComparison.Ordinal));

        // The same rows, read back as ExtractNewRecordState's output, land in Doris: the delete applies, the sequence orders.
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = ["""CREATE TABLE shop.orders (id BIGINT NOT NULL, qty INT, _seq BIGINT) UNIQUE KEY(id) PROPERTIES ("function_column.sequence_col" = "_seq")"""],
        });
        var toDoris = PipelineHarness.Start(PipelineLoader.Parse($"""
            name: flat-to-doris
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [orders.flat]
            transforms:
              - type: debezium
                format: flattened
                tombstones: ignore
                sequence: __seq
                columns:
                  - name: id
                    type: long
                  - name: qty
                    type: int
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: shop.orders
                user: root
                maxAge: 100ms
            engine:
              commitInterval: 100ms
              statsInterval: 0s
            """, "flat-to-doris.yaml"));
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-flat-to-doris", "orders.flat", 4, TimeSpan.FromSeconds(60));
        await toDoris.StopAsync();

        var rows = doris.Rows("shop", "orders");
        var row = Assert.Single(rows);
        Assert.Equal((1L, 6, 102L), (Convert.ToInt64(row["id"]), Convert.ToInt32(row["qty"]), Convert.ToInt64(row["_seq"])));
    }
}
