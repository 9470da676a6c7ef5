using Kpipe.Cli;

namespace Kpipe.IntegrationTests;

/// <summary>
/// `validate` passes exactly when `run` gets past its configuration: each kind of file that validate used to
/// accept and run refused is now refused by both, with the same lines, and every example is accepted by both
/// (they share one loading path; `run` of a valid file would start consuming, so the examples are checked
/// through that path, PipelineFiles, directly).
/// </summary>
public sealed class Cli_ValidateMatchesRun
{
    private static async Task<(int Exit, string Stderr)> Kpipe(params string[] args)
    {
        var error = new StringWriter();
        var exit = await KpipeCli.RunAsync(args, new StringWriter(), error);
        return (exit, error.ToString());
    }

    private static string WriteFile(string yaml, string name = "pipeline.yaml")
    {
        var dir = Directory.CreateTempSubdirectory("kpipe-validate-").FullName;
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, yaml);
        return file;
    }

    private const string Head = "name: p\nsource:\n  bootstrapServers: localhost:9092\n  topics: [in]\n";

    public static TheoryData<string, string> SlippedThrough => new()
    {
        { Head + "transforms:\n  - type: select\n    columns: [{name: volts, type: double}]\n  - type: filter\n    where: voltage > 10\nsinks: [{type: console}]\n",
            "9:5: 'transforms[1].where': at column 1: unknown column 'voltage'; columns: volts" },
        { Head + "sinks:\n  - type: doris\n    feNodes: [fe:8030]\n    table: db.t\n    user: root\n    headers:\n      two_phase_commit: \"true\"\n",
            "11:7: 'sinks[0].headers.two_phase_commit': the Doris sink sets or cannot work with the Stream Load header 'two_phase_commit'" },
        { Head + "sinks:\n  - type: kafka\n    bootstrapServers: localhost:9092\n    topic: ~\n",
            "8:12: 'sinks[0].topic' is required and cannot be empty; give a text value" },
        { Head + "transforms:\n  - type: select\n    columns: [{name: id, path: after.id}]\nsinks:\n  - type: kafka\n    bootstrapServers: localhost:9092\n    topic: out\n    keyField: after.id\n",
            "12:5: 'sinks[0].keyField': 'after.id' is not a column the transforms make; with transforms the key comes from a column: id" },
        { Head + "sinks:\n  - type: doris\n    feNodes: [fe:8030]\n    table: db.t\n    user: root\n    maxRetries: -1\n",
            "10:17: 'sinks[0].maxRetries' must be at least 0; got -1" },
    };

    [Theory]
    [MemberData(nameof(SlippedThrough))]
    public async Task Validate_refuses_what_run_refuses_with_the_same_message(string yaml, string expected)
    {
        var file = WriteFile(yaml);
        var validate = await Kpipe("validate", file);
        var run = await Kpipe("run", file);
        var test = await Kpipe("test", file, "--input", "/dev/null");
        Assert.Equal((ExitCodes.InvalidConfig, ExitCodes.InvalidConfig, ExitCodes.InvalidConfig), (validate.Exit, run.Exit, test.Exit));
        Assert.StartsWith($"error: {file}:{expected}", validate.Stderr);
        Assert.Equal(validate.Stderr, run.Stderr);
        Assert.Equal(validate.Stderr, test.Stderr);
    }

    [Fact]
    public async Task A_seed_file_is_refused_at_the_seed_key_by_validate_run_test_and_convert()
    {
        var seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed", "kafka_list_to_doris_setting.yaml"));
        var file = WriteFile(seed.Replace("table: database.sink_table", "table: sink_table"), "kafka_list_to_doris_setting.yaml");
        var results = new[] { await Kpipe("validate", file), await Kpipe("run", file), await Kpipe("test", file, "--input", "/dev/null"), await Kpipe("convert", file) };
        Assert.All(results, r => Assert.Equal(ExitCodes.InvalidConfig, r.Exit));
        Assert.All(results, r => Assert.Equal($"error: {file}:55:3: 'sink.table': name the database: database.table, or set 'database'\n", r.Stderr.ReplaceLineEndings("\n")));
    }

    /// <summary>Every example and the seed's files as they were handed over (/work/shared/seed, when this
    /// machine has it; examples/seed holds the same files).</summary>
    public static TheoryData<string> Examples()
    {
        var files = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml", SearchOption.AllDirectories)) files.Add(f);
        if (Directory.Exists("/work/shared/seed"))
            foreach (var f in Directory.GetFiles("/work/shared/seed", "*.yaml")) files.Add(f);
        return files;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_is_accepted_by_validate_and_by_runs_loading(string file)
    {
        var (exit, stderr) = await Kpipe("validate", file);
        Assert.True(exit == ExitCodes.Ok, stderr);
        var runs = LoadLikeRun(file, out var runErrors);
        Assert.True(runs != null, runErrors);
    }

    private static List<global::Kpipe.Config.PipelineOptions>? LoadLikeRun(string file, out string errors)
    {
        var error = new StringWriter();
        var loaded = global::Kpipe.Cli.Commands.PipelineFiles.LoadAll([file], error);
        errors = error.ToString();
        return loaded;
    }
}
