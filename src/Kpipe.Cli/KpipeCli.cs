using System.CommandLine;
using Kpipe.Cli.Commands;
using Microsoft.Extensions.Logging;

namespace Kpipe.Cli;

/// <summary>The kpipe command line. Built on TextWriters so tests can run it in-process.</summary>
public static class KpipeCli
{
    private const string Examples = """
        Streaming pipelines from Kafka to Kafka and Apache Doris, declared in YAML.

        Examples:
          kpipe demo                                  run the seed's pipelines on an embedded Kafka and Doris emulator
          kpipe validate examples/kafka_to_kafka.yaml check a pipeline file
          kpipe test examples/kafka_list_to_doris.yaml --input examples/kafka_list_to_doris.input.jsonl
                                                      print the rows sample messages give, no Kafka needed
          kpipe run orders.yaml devices.yaml          run two pipelines in one process
          KAFKA=broker:9092 kpipe run pipeline.yaml   ${KAFKA} in the file takes the variable's value
          kpipe dlq replay orders.yaml                send orders' dead letters through the fixed pipeline, then exit

        Exit codes: 0 ok (also after SIGINT/SIGTERM), 1 a pipeline failed, 2 invalid pipeline file or usage,
        130 a second signal forced the exit.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Least severe log level written to stderr (Trace, Debug, Information, Warning, Error)",
            DefaultValueFactory = _ => LogLevel.Information,
            Recursive = true,
        };
        var root = new RootCommand(Examples)
        {
            RunCommand.Create(error, logLevel),
            ValidateCommand.Create(output, error),
            TestCommand.Create(output, error),
            ConvertCommand.Create(output, error),
            DemoCommand.Create(output, error, logLevel),
            DlqReplayCommand.Create(error, logLevel),
        };
        root.Options.Add(logLevel);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var e in parse.Errors) error.WriteLine($"error: {e.Message}");
            error.WriteLine("Run 'kpipe --help' for usage.");
            return Task.FromResult(ExitCodes.InvalidConfig);
        }
        // Signals are handled by ShutdownSignals (drain then exit 0); System.CommandLine's own handler would
        // cancel and exit on its own schedule.
        return parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }
}
