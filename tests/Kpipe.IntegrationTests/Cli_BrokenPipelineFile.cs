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

    [Theory]
    [InlineData("validate", "source: {bootstrapServers: localhost:9092, topics: [in]\nsinks:\n  - type: console\n", "2:9: not valid YAML: this '{' is never closed; close it with '}'")]
    [InlineData("run", "source: {bootstrapServers: localhost:9092, topics: [in]\nsinks:\n  - type: console\n", "2:9: not valid YAML: this '{' is never closed; close it with '}'")]
    [InlineData("validate", "source:\n  bootstrapServers: localhost:9092\n  topics: [in\nsinks:\n  - type: console\n", "4:11: not valid YAML: this '[' is never closed; close it with ']'")]
    [InlineData("run", "source:\n  bootstrapServers: localhost:9092\n  topics: [in\nsinks:\n  - type: console\n", "4:11: not valid YAML: this '[' is never closed; close it with ']'")]
    [InlineData("run", "sinks: [{type: console}]\nsource: [unclosed\n", "4:1: not valid YAML: While parsing a flow sequence, did not find expected ',' or ']' (the '[' at line 3, column 9 is not closed)")]
    public async Task An_unclosed_bracket_is_one_line_with_its_position_not_a_stack_trace(string command, string yaml, string expected)
    {
        var file = WriteFile("name: broken\n" + yaml);
        var (exit, _, stderr) = await Kpipe(command, file);
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal($"error: {file}:{expected}", stderr.Split('\n')[0].Split(" (or write")[0]);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Exception", stderr);
    }

    [Fact]
    public async Task A_missing_file_is_a_config_error_not_a_crash()
    {
        var (exit, _, stderr) = await Kpipe("run", "/nonexistent/pipeline.yaml");
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Contains("/nonexistent/pipeline.yaml: cannot read the file", stderr);
    }
}
