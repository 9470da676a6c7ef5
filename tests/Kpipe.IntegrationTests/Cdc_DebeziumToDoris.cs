using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>Debezium change events -> kpipe -> a Doris Unique Key table (the emulator) that must equal the source table.</summary>
public sealed class Cdc_DebeziumToDoris
{
    private const string Ddl = """
        CREATE TABLE inventory.devices (id VARCHAR(32) NOT NULL, device_name VARCHAR(128), `timestamp` DATETIME(6),
          location VARCHAR(128), battery_voltage DOUBLE, _seq BIGINT)
        UNIQUE KEY(id) PROPERTIES ("function_column.sequence_col" = "_seq")
        """;

    private static PipelineOptions Pipeline(EmbeddedKafka kafka, DorisEmulator doris, string topic) => PipelineLoader.Parse($"""
        name: cdc-{topic}
        source:
          bootstrapServers: {kafka.BootstrapServers}
          topics: [{topic}]
          maxRecordsPerBatch: 5000
        transforms:
          - type: debezium
            sequence: ts_ms
            columns:
              - name: id
                required: true
              - name: device_name
              - name: timestamp
                type: timestamp
              - name: location
              - name: battery_voltage
                type: double
        sinks:
          - type: doris
            feNodes: [ "{doris.FeUrl}" ]
            table: inventory.devices
            user: root
            maxAge: 200ms
        engine:
          statsInterval: 0s
        """, $"cdc-{topic}.yaml");

    private static string Event(string op, string id, long tsMs, string? location, double voltage = 12.5)
    {
        var image = location == null ? "null" : $$"""{"id":"{{id}}","device_name":"Drilling Machine 2000","timestamp":1721383200000,"location":"{{location}}","battery_voltage":{{voltage.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";
        var (before, after) = op == "d" ? ($$"""{"id":"{{id}}","device_name":null,"timestamp":null,"location":null,"battery_voltage":null}""", "null") : ("null", image);
        return "{\"payload\":{\"before\":" + before + ",\"after\":" + after
            + ",\"source\":{\"connector\":\"mysql\",\"file\":\"mysql-bin.000003\",\"pos\":" + tsMs + "},\"op\":\"" + op + "\",\"ts_ms\":" + tsMs + "}}";
    }

    private static Message<byte[]?, byte[]?> Msg(string id, string? value) => new()
    {
        Key = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}"""),
        Value = value == null ? null : Encoding.UTF8.GetBytes(value),
    };

    private static Task WaitCommitted(EmbeddedKafka kafka, string group, string topic, long count) =>
        PipelineHarness.WaitForCommitted(kafka.BootstrapServers, group, topic, count, TimeSpan.FromSeconds(120));

    [Fact]
    public async Task An_insert_lands_an_update_overlays_a_delete_removes_and_a_tombstone_changes_nothing()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("dbserver1.inventory.devices", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Tables = [Ddl] });
        var run = PipelineHarness.Start(Pipeline(kafka, doris, "dbserver1.inventory.devices"));
        var topic = "dbserver1.inventory.devices";

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic,
            [Msg("FD2023", Event("c", "FD2023", 1000, "Production Line A")), Msg("FD2024", Event("c", "FD2024", 1001, "Production Line C"))]);
        await WaitCommitted(kafka, "kpipe-cdc-" + topic, topic, 2);
        var inserted = doris.Rows("inventory", "devices");
        Assert.Equal(["FD2023", "FD2024"], inserted.Select(r => (string)r["id"]!));
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0), inserted[0]["timestamp"]);
        Assert.Equal("Production Line A", inserted[0]["location"]);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, [Msg("FD2023", Event("u", "FD2023", 2000, "Production Line B", 11.9))]);
        await WaitCommitted(kafka, "kpipe-cdc-" + topic, topic, 3);
        var updated = doris.Rows("inventory", "devices").Single(r => (string)r["id"]! == "FD2023");
        Assert.Equal("Production Line B", updated["location"]);
        Assert.Equal(11.9, updated["battery_voltage"]);

        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, [Msg("FD2023", Event("d", "FD2023", 3000, null)), Msg("FD2023", null)]);
        await WaitCommitted(kafka, "kpipe-cdc-" + topic, topic, 5);
        var metrics = await run.StopAsync();

        Assert.Equal(["FD2024"], doris.Rows("inventory", "devices").Select(r => (string)r["id"]!));
        Assert.Equal(5, metrics.RecordsIn);
        Assert.Equal(0, metrics.RecordsSkipped);
        Assert.Equal(1, metrics.RecordsFiltered); // the tombstone: recognised, counted, no row
    }

    [Fact]
    public async Task Events_replayed_out_of_order_leave_the_newest_state_with_a_sequence_column()
    {
        using var kafka = EmbeddedKafka.Start();
        const string topic = "replayed";
        kafka.CreateTopic(topic, 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Tables = [Ddl] });
        // The newest update (ts 3000) arrives first; an older update and an older delete are replayed after it.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic,
        [
            Msg("A", Event("u", "A", 3000, "newest")),
            Msg("A", Event("u", "A", 1000, "old")),
            Msg("A", Event("d", "A", 2000, null)),
            Msg("B", Event("c", "B", 5000, "kept")),
            Msg("B", Event("d", "B", 4000, null)),
        ]);
        var run = PipelineHarness.Start(Pipeline(kafka, doris, topic));
        await WaitCommitted(kafka, "kpipe-cdc-" + topic, topic, 5);
        await run.StopAsync();

        var rows = doris.Rows("inventory", "devices").ToDictionary(r => (string)r["id"]!, r => r["location"]);
        Assert.Equal(new Dictionary<string, object?> { ["A"] = "newest", ["B"] = "kept" }, rows);
    }

    [Fact]
    public async Task A_snapshot_of_100000_rows_then_updates_and_deletes_equals_the_source_table()
    {
        using var kafka = EmbeddedKafka.Start();
        const string topic = "snapshot";
        kafka.CreateTopic(topic, 8);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Tables = [Ddl] });

        // The source table, computed independently of kpipe: id -> location, null when deleted.
        var expected = new Dictionary<string, string?>();
        var events = new List<Message<byte[]?, byte[]?>>();
        long ts = 1;
        for (var i = 0; i < 100_000; i++)
        {
            var id = $"D{i}";
            expected[id] = $"L{i}";
            events.Add(Msg(id, Event("r", id, ts++, $"L{i}")));
        }
        var random = new Random(42);
        for (var n = 0; n < 30_000; n++)
        {
            var id = $"D{random.Next(100_000)}";
            if (random.Next(4) == 0)
            {
                expected[id] = null;
                events.Add(Msg(id, Event("d", id, ts++, null)));
                events.Add(Msg(id, null));
            }
            else
            {
                var op = expected[id] == null ? "c" : "u";
                expected[id] = $"U{n}";
                events.Add(Msg(id, Event(op, id, ts++, $"U{n}")));
            }
        }
        var run = PipelineHarness.Start(Pipeline(kafka, doris, topic));
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, events);
        await WaitCommitted(kafka, "kpipe-cdc-" + topic, topic, events.Count);
        var metrics = await run.StopAsync();

        Assert.Equal(events.Count, metrics.RecordsIn);
        Assert.Equal(0, metrics.RecordsSkipped);
        var actual = doris.Rows("inventory", "devices").ToDictionary(r => (string)r["id"]!, r => (string?)r["location"]);
        var want = expected.Where(kv => kv.Value != null).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(want.Count, actual.Count);
        Assert.Equal(want.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task The_change_streams_of_many_tables_land_in_their_own_doris_tables()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("dbserver1.inventory.devices", 2);
        kafka.CreateTopic("dbserver1.inventory.orders", 2);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables =
            [
                "CREATE TABLE inventory.devices (id VARCHAR(32) NOT NULL, location VARCHAR(64)) UNIQUE KEY(id)",
                "CREATE TABLE inventory.orders (id VARCHAR(32) NOT NULL, amount DECIMAL(10,2)) UNIQUE KEY(id)",
            ],
        });
        var pipeline = PipelineLoader.Parse($$"""
            name: many-tables
            source:
              bootstrapServers: {{kafka.BootstrapServers}}
              topicPattern: 'dbserver1\.inventory\..*'
            transforms:
              - type: debezium
                tables:
                  devices:
                    - { name: id, required: true }
                    - { name: location }
                  orders:
                    - { name: id, required: true }
                    - { name: amount, type: "decimal(10,2)" }
            sinks:
              - type: doris
                feNodes: [ "{{doris.FeUrl}}" ]
                table: "inventory.{table}"
                user: root
                maxAge: 200ms
            engine:
              statsInterval: 0s
            """, "many-tables.yaml");
        static Message<byte[]?, byte[]?> Change(string table, string id, string op, string image) => new()
        {
            Key = Encoding.UTF8.GetBytes(id),
            Value = Encoding.UTF8.GetBytes("{\"payload\":{"
                + (op == "d" ? $"\"before\":{image},\"after\":null" : $"\"before\":null,\"after\":{image}")
                + $",\"op\":\"{op}\",\"source\":{{\"table\":\"{table}\"}}}}}}"),
        };
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "dbserver1.inventory.devices",
        [
            Change("devices", "D1", "c", """{"id":"D1","location":"Line A"}"""),
            Change("devices", "D2", "c", """{"id":"D2","location":"Line B"}"""),
            Change("devices", "D1", "u", """{"id":"D1","location":"Line C"}"""),
        ]);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "dbserver1.inventory.orders",
        [
            Change("orders", "O1", "c", """{"id":"O1","amount":"10.5"}"""),
            Change("orders", "O2", "c", """{"id":"O2","amount":"99.99"}"""),
            Change("orders", "O2", "d", """{"id":"O2","amount":"99.99"}"""),
        ]);
        var run = PipelineHarness.Start(pipeline);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long Committed() => KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-many-tables", "dbserver1.inventory.devices").Values.Sum()
            + KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-many-tables", "dbserver1.inventory.orders").Values.Sum();
        while (Committed() < 6 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var metrics = await run.StopAsync();

        Assert.Equal(6, metrics.RecordsWritten);
        Assert.Equal(new Dictionary<string, object?> { ["D1"] = "Line C", ["D2"] = "Line B" },
            doris.Rows("inventory", "devices").ToDictionary(r => (string)r["id"]!, r => r["location"]));
        var order = Assert.Single(doris.Rows("inventory", "orders"));
        Assert.Equal("O1", order["id"]);
        Assert.Equal(10.50m, order["amount"]);
    }
}
