using Kpipe.Config;
using Kpipe.Kafka.Native;
using Kpipe.Rows;
using Kpipe.Sinks.Doris;
using Kpipe.Sinks.Kafka;
using Kpipe.Transforms.Cdc;
using Kpipe.Sources.Kafka;
using Kpipe.Transforms;

namespace Kpipe.Engine;

/// <summary>
/// What building a pipeline (<see cref="PipelineHost"/>) would refuse, found without starting anything: the
/// transforms are built as <c>run</c> builds them (a filter is parsed against the columns before it), each
/// sink is checked against the rows it would receive, and the Kafka client settings go through librdkafka's
/// own checks with no client created. Run after binding by every command, so <c>validate</c> passes exactly
/// when <c>run</c> gets past its configuration.
/// </summary>
public static class PipelineChecks
{
    /// <summary>Settings one component takes from another once every option is bound (run by every command, before
    /// <see cref="Check"/>): the debezium transform widens columns only when no Doris sink would leave its column narrow.</summary>
    public static void Settle(PipelineOptions options)
    {
        var widen = !options.Sinks.Any(s => s is DorisSinkOptions { CreateTable: false });
        foreach (var debezium in options.Transforms.OfType<DebeziumOptions>()) debezium.WidenColumns = widen;
    }

    /// <summary>Every problem as (option path, message).</summary>
    public static IEnumerable<(string Path, string Message)> Check(PipelineOptions options)
    {
        var problems = new List<(string, string)>();
        var schema = CheckTransforms(options, problems);
        if (NativeConfig.Check(KafkaConsumerFactory.BuildConfig(options.Source, options.Name)) is { } source)
            problems.Add((PropertyPath("source", options.Source.Properties, source.Key), source.Reason));
        CheckFiles("source", options.Source.Properties, problems);
        if (options.Engine.Http is { } http && !Metrics.HttpAddress.TryParse(http, out _, out var httpError, "engine.http"))
            problems.Add(("engine.http", httpError));
        for (var i = 0; i < options.Sinks.Count; i++)
        {
            // The columns, types and key of a created table come from the events' schemas.
            if (options.Sinks[i] is DorisSinkOptions { CreateTable: true } && !options.Transforms.Any(t => t is DebeziumOptions { AutoColumns: true }))
                problems.Add(($"sinks[{i}].createTable", "createTable needs the debezium transform's 'columns: auto' (the table's columns, types and key come from the events' schemas)"));
            if (options.Sinks[i] is not KafkaSinkOptions kafka) continue;
            if (kafka.KeyField != null && schema != null && schema.IndexOf(kafka.KeyField) < 0)
                problems.Add(($"sinks[{i}].keyField",
                    $"'{kafka.KeyField}' is not a column the transforms make; with transforms the key comes from a column: {string.Join(", ", schema.Names)}"));
            if (NativeConfig.Check(KafkaSink.BuildConfig(kafka, options.Name)) is { } sink)
                problems.Add((PropertyPath($"sinks[{i}]", kafka.Properties, sink.Key), sink.Reason));
            CheckFiles($"sinks[{i}]", kafka.Properties, problems);
        }
        return problems;
    }

    /// <summary>Builds the transforms and lets them go; the schema the sinks would receive.</summary>
    private static RowSchema? CheckTransforms(PipelineOptions options, List<(string, string)> problems)
    {
        try
        {
            var transforms = TransformFactory.Create(options.Transforms, null, out var schema);
            foreach (var t in transforms) (t as IDisposable)?.Dispose();
            return schema;
        }
        catch (OptionException e)
        {
            problems.Add((e.Key, e.Reason));
            return null;
        }
    }

    /// <summary>
    /// Files named by librdkafka properties (ssl.ca.location, ssl.key.location, sasl.kerberos.keytab...)
    /// are opened only when the client is created, which validation does not do (it would connect): a
    /// missing one is caught here instead. <c>probe</c> is ssl.ca.location's "search the system paths".
    /// </summary>
    private static void CheckFiles(string section, Dictionary<string, string> properties, List<(string, string)> problems)
    {
        foreach (var (key, value) in properties)
        {
            var namesFile = key.EndsWith(".location", StringComparison.Ordinal) || key == "sasl.kerberos.keytab";
            if (namesFile && value != "probe" && !File.Exists(value) && !Directory.Exists(value))
                problems.Add(($"{section}.properties.{key}", $"no such file: '{value}'"));
        }
    }

    /// <summary>A property the user gave is reported at its line; one kpipe derived from an option (the
    /// bootstrap servers) at the section.</summary>
    private static string PropertyPath(string section, Dictionary<string, string> properties, string key) =>
        properties.ContainsKey(key) ? $"{section}.properties.{key}" : section;
}
