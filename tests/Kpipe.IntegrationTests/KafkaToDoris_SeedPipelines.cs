using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>Seed pipelines 2 and 3 end to end: embedded Kafka -> kpipe -> Doris emulator.</summary>
public sealed class KafkaToDoris_SeedPipelines
{
    private const string ReadingsDdl = "CREATE TABLE `database`.sink_table (id VARCHAR(32) NOT NULL, device_name VARCHAR(128), `timestamp` DATETIME(6), manufacturer VARCHAR(128), model VARCHAR(64), description VARCHAR(256), location VARCHAR(128), battery_voltage DOUBLE) ";

    private static string Repo(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Kpipe.sln"))) dir = dir.Parent;
        return Path.Combine(dir.FullName, relative);
    }

    /// <summary>The seed's file as it is, with only its placeholder addresses pointed at the test's Kafka and Doris.</summary>
    private static PipelineOptions SeedFile(string name, EmbeddedKafka kafka, DorisEmulator doris)
    {
        var yaml = File.ReadAllText(Repo($"examples/seed/{name}"))
            .Replace("host:port", kafka.BootstrapServers)
            .Replace("host:8030", doris.FeUrl);
        var pipeline = PipelineLoader.Parse(yaml, name);
        pipeline.Engine.StatsInterval = TimeSpan.Zero;
        ((Kpipe.Sinks.Doris.DorisSinkOptions)pipeline.Sinks[0]).MaxAge = TimeSpan.FromMilliseconds(200);
        return pipeline;
    }

    private static async Task Produce(EmbeddedKafka kafka, string topic, params string[] values) =>
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic,
            values.Select(v => new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(v) }));

    private static async Task WaitForRows(DorisEmulator doris, string db, string table, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (doris.Rows(db, table).Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
    }

    private static string Line(string file) => File.ReadAllText(Repo($"examples/{file}")).Trim();

    [Fact]
    public async Task The_seed_list_file_loads_the_seed_table()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("source_topic", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Password = "password", Tables = [ReadingsDdl + "DUPLICATE KEY(id)"] });
        var pipeline = SeedFile("kafka_list_to_doris_setting.yaml", kafka, doris);

        await Produce(kafka, "source_topic", Line("kafka_list_to_doris.input.jsonl"));
        var run = PipelineHarness.Start(pipeline);
        await WaitForRows(doris, "database", "sink_table", 1);
        var metrics = await run.StopAsync();

        var row = Assert.Single(doris.Rows("database", "sink_table"));
        Assert.Equal("FD2023", row["id"]);
        Assert.Equal("Drilling Machine 2000", row["device_name"]);
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0), row["timestamp"]);
        Assert.Equal("TechTools Inc.", row["manufacturer"]);
        Assert.Equal("DTM-2000", row["model"]);
        Assert.Equal("Advanced drilling machine for industrial use", row["description"]);
        Assert.Equal("Production Line A", row["location"]);
        Assert.Equal(12.5, row["battery_voltage"]);
        Assert.Equal(1, metrics.RecordsWritten);
        Assert.Equal(1, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, pipeline.Source.GroupId ?? $"kpipe-{pipeline.Name}", "source_topic")[0]);
    }

    [Fact]
    public async Task The_seed_cdc_file_overlays_the_after_image_onto_a_unique_key_table()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("source_topic", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { Password = "password", Tables = [ReadingsDdl + "UNIQUE KEY(id)"] });
        var pipeline = SeedFile("kafka_cdc_to_doris_setting.yaml", kafka, doris);

        var insert = Line("kafka_cdc_to_doris.input.jsonl");
        var update = insert.Replace("\"battery_voltage\": 12.5", "\"battery_voltage\": 11.9").Replace("Production Line A", "Production Line B");
        await Produce(kafka, "source_topic", insert, update);
        var run = PipelineHarness.Start(pipeline);
        await WaitForRows(doris, "database", "sink_table", 1);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (doris.Rows("database", "sink_table")[0]["location"] as string != "Production Line B" && DateTime.UtcNow < deadline) await Task.Delay(100);
        await run.StopAsync();

        var row = Assert.Single(doris.Rows("database", "sink_table"));
        Assert.Equal("FD2023", row["id"]);
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0), row["timestamp"]);
        Assert.Equal("Production Line B", row["location"]);
        Assert.Equal(11.9, row["battery_voltage"]);
    }

    [Fact]
    public async Task Doris_faults_during_loads_leave_every_row_exactly_once_and_offsets_at_the_end()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("devices", 4);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = ["CREATE TABLE demo.devices (device_id VARCHAR(32) NOT NULL, n BIGINT) DUPLICATE KEY(device_id)"],
        });
        var pipeline = PipelineLoader.Parse($"""
            name: faults
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [devices]
              maxRecordsPerBatch: 500
            transforms:
              - type: select
                columns:
                  - name: device_id
                  - name: n
                    type: long
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: demo.devices
                user: root
                maxRows: 1000
                maxAge: 200ms
                retryBackoff: 50ms
            engine:
              statsInterval: 0s
            """, "faults.yaml");
        doris.Faults.NextLoadsFailWithHttpStatus(2, 503);
        doris.Faults.NextLoadsDropConnection(1);
        doris.Faults.NextLoadsDropConnectionAfterCommit(2);

        const int count = 5_000;
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "devices", Enumerable.Range(0, count).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"d{i}"),
            Value = Encoding.UTF8.GetBytes($$"""{"device_id":"d{{i}}","n":{{i}}}"""),
        }));
        var run = PipelineHarness.Start(pipeline);
        await WaitForRows(doris, "demo", "devices", count);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-faults", "devices", count, TimeSpan.FromSeconds(30));
        var metrics = await run.StopAsync();

        var ns = doris.Rows("demo", "devices").Select(r => Convert.ToInt64(r["n"])).Order().ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), ns);
        Assert.Equal(count, metrics.RecordsWritten);
        Assert.Equal(count, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-faults", "devices").Values.Sum());
        Assert.Contains(doris.Loads, l => l.Status == DorisLoadStatus.LabelAlreadyExists);
        Assert.Equal(0, doris.Faults.Pending);
    }

    [Fact]
    public async Task A_row_doris_rejects_is_skipped_and_counted_under_the_skip_policy_never_silently_dropped()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("devices", 1);
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = ["CREATE TABLE demo.devices (device_id VARCHAR(8) NOT NULL, n BIGINT) DUPLICATE KEY(device_id)"],
        });
        var pipeline = PipelineLoader.Parse($"""
            name: rejects
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [devices]
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: demo.devices
                user: root
                maxAge: 200ms
            errors:
              policy: skip
            engine:
              statsInterval: 0s
            """, "rejects.yaml");
        await Produce(kafka, "devices", """{"device_id":"ok1","n":1}""", """{"device_id":"much-too-long-for-varchar-8","n":2}""", """{"device_id":"ok3","n":3}""");
        var run = PipelineHarness.Start(pipeline);
        await PipelineHarness.WaitForCommitted(kafka.BootstrapServers, "kpipe-rejects", "devices", 3, TimeSpan.FromSeconds(60));
        var metrics = await run.StopAsync();

        // Doris failed the load (max_filter_ratio 0); the records of that load were skipped and counted, and the
        // offsets moved past them: nothing was lost without a trace.
        Assert.Equal(3, KafkaTestClient.GetCommittedOffsets(kafka.BootstrapServers, "kpipe-rejects", "devices").Values.Sum());
        Assert.Equal(3, metrics.RecordsIn);
        Assert.Equal(metrics.RecordsIn, metrics.RecordsWritten + metrics.RecordsSkipped + metrics.RecordsFiltered);
        Assert.True(metrics.RecordsSkipped >= 1, metrics.ToString());
        Assert.Contains(doris.Loads, l => l.Status == DorisLoadStatus.Fail && l.NumberFilteredRows == 1);
    }
}
