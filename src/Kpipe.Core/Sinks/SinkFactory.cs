using Kpipe.Engine;
using Kpipe.Sinks.Console;
using Kpipe.Sinks.Kafka;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks;

/// <summary>Creates the running sink for each sink's options.</summary>
public static class SinkFactory
{
    public static ISink Create(SinkOptions options, int index, string pipelineName, RecordErrorHandler errors, ILoggerFactory loggers, Stream stdout) =>
        options switch
        {
            KafkaSinkOptions kafka => new KafkaSink(WithName(kafka, $"kafka-{index}"), pipelineName, errors, loggers.CreateLogger<KafkaSink>()),
            Doris.DorisSinkOptions doris => new Doris.DorisSink(WithName(doris, $"doris-{index}"), pipelineName, errors, loggers.CreateLogger<Doris.DorisSink>()),
            ConsoleSinkOptions console => new ConsoleSink(WithName(console, $"console-{index}"), stdout),
            _ => throw new NotSupportedException($"no sink for {options.GetType().Name}"),
        };

    private static T WithName<T>(T options, string name) where T : SinkOptions
    {
        options.Name ??= name;
        return options;
    }
}
