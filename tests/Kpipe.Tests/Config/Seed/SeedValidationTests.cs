using Kpipe.Config;

namespace Kpipe.Tests.Config.Seed;

/// <summary>A seed settings file gets the checks a native file gets, reported at the seed key that caused them.</summary>
public sealed class SeedValidationTests
{
    private static string Seed(Func<string, string> change) =>
        change(File.ReadAllText(RepoFiles.Path("examples/seed/kafka_list_to_doris_setting.yaml")));

    private static string Reject(string yaml) =>
        string.Join("\n", Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "kafka_list_to_doris_setting.yaml", _ => null)).Errors);

    [Fact]
    public void The_seed_files_pass_every_check()
    {
        foreach (var name in new[] { "kafka_list_to_doris_setting.yaml", "kafka_cdc_to_doris_setting.yaml" })
            PipelineLoader.Load(RepoFiles.Path($"examples/seed/{name}"), _ => null);
    }

    [Fact]
    public void A_table_without_its_database_is_reported_at_the_seed_table_key()
    {
        var errors = Reject(Seed(s => s.Replace("table: database.sink_table", "table: sink_table")));
        Assert.Equal("kafka_list_to_doris_setting.yaml:55:3: 'sink.table': name the database: database.table, or set 'database'", errors);
    }

    [Fact]
    public void An_unknown_to_type_is_reported_at_that_field()
    {
        var errors = Reject(Seed(s => s.Replace("to_type: double", "to_type: doubel")));
        Assert.Equal("kafka_list_to_doris_setting.yaml:52:11: 'process.fields[0].items[7].to_type': unknown type 'doubel'; valid types: string, bool, int, long, double, decimal(p,s), date, timestamp, json", errors);
    }

    [Fact]
    public void A_doris_address_that_is_not_http_is_reported_at_fe_nodes()
    {
        var errors = Reject(Seed(s => s.Replace("feNodes: host:8030", "feNodes: \"host:8030, ftp://x\"")));
        Assert.Equal("kafka_list_to_doris_setting.yaml:54:3: 'sink.feNodes': 'ftp://x' is not a Doris HTTP address (host:port or https://host:port)", errors);
    }
}
