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
        var input = new Option<string?>("--input", "-i") { Description = "Sample messages, one JSON value per line (default: stdin); the line null is a tombstone" };
        var records = new Option<bool>("--records")
        {
            Description = "Each input line is a whole Kafka record: {\"key\": ..., \"value\": ..., \"headers\": {...}, \"topic\": ..., \"timestamp\": ...}",
        };
        var format = new Option<string>("--format")
        {
            Description = "table (default on a terminal) or json (JSON lines; default when stdout is redirected)",
            DefaultValueFactory = _ => Console.IsOutputRedirected ? "json" : "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("test", "Run a pipeline's transforms over sample messages (JSON lines) and print the output rows and record errors. Exit 1 when a record fails.")
        {
            file, input, format, records,
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
            return Run(pipelines[0], reader, output, error, parse.GetValue(format) == "table", parse.GetValue(records));
        });
        return command;
    }

    public static int Run(PipelineOptions pipeline, TextReader input, TextWriter output, TextWriter error, bool table, bool records = false)
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
        // Record errors are counted where a running pipeline counts them (skipped records); the input is every
        // line read, run or not.
        var metrics = new PipelineMetrics();
        var errors = new RecordErrorHandler(ErrorPolicy.Skip, metrics, NullLogger.Instance, (batch, index, reason) =>
            error.WriteLine($"line {batch.Offset(index)}: {reason}"));
        var topic = pipeline.Source.Topics.FirstOrDefault() ?? "input";
        var problems = new List<(int Line, string Reason)>();
        var messages = TestInput.Read(input, records, topic, problems);
        foreach (var (line, reason) in problems) error.WriteLine($"line {line}: {reason}");
        var stopped = 0;

        // One batch per message, so a message that stops the pipeline (truncate: fail) is named by its line and
        // the rows before it are still shown, as a running pipeline would have written them.
        // Rows are printed as the first sink writes them: a change row's metadata as Doris's columns for a Doris
        // sink (delete sign, sequence), as __op/__deleted/__seq for the others.
        var form = pipeline.Sinks.FirstOrDefault() is Kpipe.Sinks.Doris.DorisSinkOptions ? RowMetadataForm.Doris : RowMetadataForm.Debezium;
        var lines = new List<(string Json, string[] Cells, IReadOnlyList<string> Names)>();
        var columns = new List<string>();
        IReadOnlyList<string> metadata = [];
        foreach (var message in messages)
        {
            var batch = ManagedBatch.Create(1, [message]);
            try
            {
                foreach (var t in transforms) t.Apply(batch, errors);
            }
            catch (RecordErrorException e)
            {
                stopped = 1;
                error.WriteLine($"line {message.Offset}: {WithoutRecordPrefix(e.Message)}");
                error.WriteLine($"the pipeline would stop here; messages after line {message.Offset} were not run");
                break;
            }
            IReadOnlyList<string> rowNames = [];
            if (batch.Rows != null)
            {
                rowNames = RowText.Names(batch.Rows, form);
                foreach (var n in batch.Rows.Schema.Names)
                    if (!columns.Contains(n)) columns.Add(n);
                metadata = RowMetadata.Names(batch.Rows, form);
            }
            foreach (var (json, cells) in RowText.Render(batch, form)) lines.Add((json, cells, rowNames));
        }
        if (table && columns.Count > 0)
        {
            // Cells by name: under columns: auto the columns grow as events bring new ones, and a row from before a
            // column appeared has no cell for it; the metadata stays last, under its own headings.
            string[] names = [.. columns, .. metadata];
            TableRenderer.Write(output, names, [.. lines.Select(l => (l.Json, names.Select(n => IndexOf(l.Names, n) is var c and >= 0 ? l.Cells[c] : "").ToArray()))]);
        }
        else foreach (var l in lines) output.WriteLine(l.Json);
        var failures = metrics.RecordsSkipped + problems.Count + stopped;
        error.WriteLine($"{messages.Count + problems.Count} message(s) in, {lines.Count} row(s) out, {failures} record error(s)");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.PipelineFailed;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    /// <summary>The engine names the record as <c>record topic[p]@offset: reason</c>; here the line says where.</summary>
    private static string WithoutRecordPrefix(string message)
    {
        if (!message.StartsWith("record ", StringComparison.Ordinal)) return message;
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? message : message[(colon + 2)..];
    }
}
