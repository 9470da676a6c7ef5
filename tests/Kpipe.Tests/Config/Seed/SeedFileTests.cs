using Kpipe.Config;
using Kpipe.Sinks.Doris;
using Kpipe.Tests.Transforms;
using Kpipe.Transforms.Select;

namespace Kpipe.Tests.Config.Seed;

/// <summary>The seed's own settings files, unchanged, given the seed's sample messages, give the seed's tables.</summary>
public sealed class SeedFileTests
{
    private static PipelineOptions Load(string name) => PipelineLoader.Load(RepoFiles.Path($"examples/seed/{name}"), _ => null);

    private static string Sample(string name) => File.ReadAllText(RepoFiles.Path($"examples/{name}")).Trim();

    [Fact]
    public void The_list_file_explodes_the_payload_into_the_seed_table()
    {
        var pipeline = Load("kafka_list_to_doris_setting.yaml");
        var select = Assert.IsType<SelectOptions>(Assert.Single(pipeline.Transforms));
        Assert.Equal("payload", select.Explode);
        var result = TransformRunner.Run(pipeline.Transforms, Sample("kafka_list_to_doris.input.jsonl"));
        Assert.Empty(result.Errors);
        // The seed README's table: id | device_name | timestamp | manufacturer | model | description | location | battery_voltage
        Assert.Equal(
            ["""{"id":"FD2023","device_name":"Drilling Machine 2000","timestamp":"2024-07-19T10:00:00Z","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A","battery_voltage":12.5}"""],
            result.Rows);
    }

    [Fact]
    public void The_cdc_file_keeps_the_after_image_as_the_seed_row()
    {
        var pipeline = Load("kafka_cdc_to_doris_setting.yaml");
        var result = TransformRunner.Run(pipeline.Transforms, Sample("kafka_cdc_to_doris.input.jsonl"));
        Assert.Empty(result.Errors);
        Assert.Equal(
            ["""{"id":"FD2023","device_name":"Drilling Machine 2000","timestamp":"2024-07-19T10:00:00Z","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A","battery_voltage":12.5}"""],
            result.Rows);
    }

    [Fact]
    public void The_seed_source_and_sink_mean_a_kafka_source_and_a_doris_table()
    {
        var pipeline = Load("kafka_cdc_to_doris_setting.yaml");
        Assert.Equal("host:port", pipeline.Source.BootstrapServers);
        Assert.Equal(["source_topic"], pipeline.Source.Topics);
        var doris = Assert.IsType<DorisSinkOptions>(Assert.Single(pipeline.Sinks));
        Assert.Equal(["host:8030"], doris.FeNodes);
        Assert.Equal(("database.sink_table", "root", "password"), (doris.Table, doris.User, doris.Password));
    }

    [Fact]
    public void An_unknown_operation_in_a_seed_file_is_reported_with_its_line()
    {
        var yaml = File.ReadAllText(RepoFiles.Path("examples/seed/kafka_list_to_doris_setting.yaml")).Replace("explode_column", "explode_columns");
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "seed.yaml", _ => null));
        Assert.Contains("seed.yaml:13:7: 'process.steps[3].operation': unknown operation 'explode_columns'", e.Message);
        Assert.Contains("unknown operation 'explode_columns'", e.Message);
    }

    [Fact]
    public void Convert_writes_a_native_file_that_loads_to_the_same_pipeline_without_the_password()
    {
        var pipeline = Load("kafka_list_to_doris_setting.yaml");
        var yaml = PipelineYamlWriter.Write(pipeline);
        Assert.DoesNotContain("password: password", yaml);
        Assert.Contains("password: ${DORIS_PASSWORD}", yaml);
        var reloaded = PipelineLoader.Parse(yaml, "converted.yaml", n => n == "DORIS_PASSWORD" ? "password" : null);
        var result = TransformRunner.Run(reloaded.Transforms, Sample("kafka_list_to_doris.input.jsonl"));
        Assert.Equal(TransformRunner.Run(pipeline.Transforms, Sample("kafka_list_to_doris.input.jsonl")).Rows, result.Rows);
        Assert.Equal("password", ((DorisSinkOptions)reloaded.Sinks[0]).Password);
    }
}
