using System.CommandLine;

namespace Kpipe.Cli.Commands;

internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("pipeline") { Arity = ArgumentArity.OneOrMore, Description = "Pipeline YAML files" };
        var command = new Command("validate", "Check pipeline files without running them: every problem is printed with its file, line and column.")
        {
            files,
        };
        command.SetAction(parse =>
        {
            var pipelines = PipelineFiles.LoadAll(parse.GetValue(files)!, error);
            if (pipelines == null) return ExitCodes.InvalidConfig;
            foreach (var p in pipelines)
                output.WriteLine($"ok: pipeline '{p.Name}': {p.Transforms.Count} transform(s), {p.Sinks.Count} sink(s)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
