using System.CommandLine;
using Kpipe.Config;

namespace Kpipe.Cli.Commands;

/// <summary>`kpipe convert SEED.yaml`: prints the native pipeline file equivalent to a seed settings file.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("settings") { Description = "A seed settings file (kafka_*_to_doris_setting.yaml)" };
        var command = new Command("convert", "Print the native pipeline file equivalent to a seed (Spark job) settings file.") { file };
        command.SetAction(parse =>
        {
            var pipelines = PipelineFiles.LoadAll([parse.GetValue(file)!], error);
            if (pipelines == null) return ExitCodes.InvalidConfig;
            output.WriteLine($"# Converted from {parse.GetValue(file)} by kpipe convert. Secrets became ${{VARIABLES}}: set them in the environment.");
            output.Write(PipelineYamlWriter.Write(pipelines[0]));
            return ExitCodes.Ok;
        });
        return command;
    }
}
