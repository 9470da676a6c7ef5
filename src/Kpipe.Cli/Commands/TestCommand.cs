using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Kpipe.Config;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Transforms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Cli.Commands;

/// <summary>
/// `kpipe test`: runs a pipeline's transforms over sample messages, with no Kafka and no Doris, and prints
/// the rows the sinks would receive and every record error. This is how a pipeline is checked before it
/// is deployed.
/// </summary>
internal static class TestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("pipeline") { Description = "Pipeline YAML file (native or a seed settings file)" };
        var input = new Option<string?>("--input", "-i") { Description = "Sample messages, one JSON value per line (default: stdin)" };
        var format = new Option<string>("--format")
        {
            Description = "table (default on a terminal) or json (JSON lines; default when stdout is redirected)",
            DefaultValueFactory = _ => Console.IsOutputRedirected ? "json" : "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("test", "Run a pipeline's transforms over sample messages (JSON lines) and print the output rows and record errors. Exit 1 when a record fails.")
        {
            file, input, format,
        };
        command.SetAction(parse =>
        {
            var pipelines = PipelineFiles.LoadAll([parse.GetValue(file)!], error);
            if (pipelines == null) return ExitCodes.InvalidConfig;
            var path = parse.GetValue(input);
            if (path != null && !File.Exists(path))
            {
                error.WriteLine($"error: {path}: no such input file");
                return ExitCodes.InvalidConfig;
            }
            using var reader = path != null ? new StreamReader(path) : new StreamReader(Console.OpenStandardInput());
            return Run(pipelines[0], reader, output, error, parse.GetValue(format) == "table");
        });
        return command;
    }

    public static int Run(PipelineOptions pipeline, TextReader input, TextWriter output, TextWriter error, bool table)
    {
        IReadOnlyList<ITransform> transforms;
        try
        {
            transforms = TransformFactory.Create(pipeline.Transforms);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidConfig;
        }
        var failures = 0;
        var metrics = new PipelineMetrics();
        var errors = new RecordErrorHandler(ErrorPolicy.Skip, metrics, NullLogger.Instance, (batch, index, reason) =>
        {
            failures++;
            error.WriteLine($"line {batch.Offset(index)}: {reason}");
        });
        var topic = pipeline.Source.Topics.FirstOrDefault() ?? "input";
        var records = new List<ManagedRecord>();
        var lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            records.Add(new ManagedRecord(topic, 0, lineNumber, null, Encoding.UTF8.GetBytes(line), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        }
        var batch = ManagedBatch.Create(1, records);
        foreach (var t in transforms) t.Apply(batch, errors);
        var lines = RowText.Render(batch);
        if (table && batch.Rows != null) TableRenderer.Write(output, batch.Rows.Schema.Names, lines);
        else foreach (var l in lines) output.WriteLine(l.Json);
        error.WriteLine($"{records.Count} message(s) in, {lines.Count} row(s) out, {failures} record error(s)");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.PipelineFailed;
    }
}
