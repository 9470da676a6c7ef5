using Kpipe.Cli;

namespace Kpipe.IntegrationTests;

public sealed class Cli_BrokenPipelineFile
{
    private static async Task<(int Exit, string Stdout, string Stderr)> Kpipe(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KpipeCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string WriteFile(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-broken-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public async Task Run_rejects_a_misspelled_key_naming_the_line_the_key_and_the_valid_keys()
    {
        var file = WriteFile("""
            name: broken
            source:
              bootstrapServers: localhost:9092
              topics: [in]
              maxRecordsPerBtach: 100
            sinks:
              - type: console
            """);
        var (exit, _, stderr) = await Kpipe("run", file);
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Contains($"{file}:5:3:", stderr);
        Assert.Contains("unknown key 'maxRecordsPerBtach' in 'source'", stderr);
        Assert.Contains("did you mean 'maxRecordsPerBatch'", stderr);
        Assert.Contains("valid keys: bootstrapServers, groupId, maxRecordsPerBatch, properties, startFrom, topicPattern, topics", stderr);
    }

    [Fact]
    public async Task Validate_reports_every_problem_of_the_file_with_its_line()
    {
        var file = WriteFile("""
            name: broken
            source:
              topics: [in]
              startFrom: yesterday
            sinks:
              - type: kafak
            engine:
              commitInterval: often
            """);
        var (exit, _, stderr) = await Kpipe("validate", file);
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Contains($"{file}:3:3: 'source' is missing the required key 'bootstrapServers'", stderr);
        Assert.Contains($"{file}:6:11: 'sinks[0]': unknown type 'kafak'; valid types: console, doris, kafka", stderr);
        Assert.Contains($"{file}:8:19: 'engine.commitInterval' must be a duration", stderr);
    }

    [Fact]
    public async Task Validate_accepts_every_example_and_says_so()
    {
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml", SearchOption.AllDirectories);
        Assert.True(examples.Length >= 7, $"{examples.Length} examples found");
        var (exit, stdout, stderr) = await Kpipe(["validate", .. examples]);
        Assert.True(exit == ExitCodes.Ok, stderr);
        Assert.Contains("ok: pipeline 'kafka-to-kafka'", stdout);
        Assert.Contains("ok: pipeline 'inventory-cdc': 1 transform(s), 1 sink(s)", stdout);
        Assert.Equal(examples.Length, stdout.Split('\n').Count(l => l.StartsWith("ok: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_missing_file_is_a_config_error_not_a_crash()
    {
        var (exit, _, stderr) = await Kpipe("run", "/nonexistent/pipeline.yaml");
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Contains("/nonexistent/pipeline.yaml: cannot read the file", stderr);
    }
}
