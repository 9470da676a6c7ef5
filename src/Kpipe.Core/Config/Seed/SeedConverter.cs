using Kpipe.Sinks.Doris;
using Kpipe.Transforms.Select;

namespace Kpipe.Config.Seed;

/// <summary>
/// Gives a seed settings file the meaning it had in the Spark jobs: the value cast to a string and parsed
/// as JSON (the from_json step names a column "from_json" that does not exist, so Spark would fail there;
/// here it parses the value, as the job intended); select_column and explode_column pick and explode an
/// array; the fields tree declares the columns (name, alias, to_type); the sink is a Doris table.
/// </summary>
public static class SeedConverter
{
    public static PipelineOptions Convert(SeedFileOptions seed, string fileName) => Convert(seed, fileName, new Dictionary<string, string>());

    /// <summary>As <see cref="Convert(SeedFileOptions, string)"/>, filling <paramref name="origins"/> with the
    /// seed key each native option came from (<c>sinks[0].table</c> -> <c>sink.table</c>), so a problem found in
    /// the converted options is reported where the seed file wrote it.</summary>
    /// <param name="seed">The bound seed file.</param>
    /// <param name="fileName">The file's name, which gives the pipeline's name.</param>
    /// <param name="origins">Filled with native option path -> seed option path.</param>
    public static PipelineOptions Convert(SeedFileOptions seed, string fileName, IDictionary<string, string> origins)
    {
        var explode = ExplodePath(seed.Process.Steps);
        var columns = new List<ColumnOptions>();
        Flatten(seed.Process.Fields, "", explode, columns, "process.fields", origins);
        origins["transforms[0]"] = "process";
        origins["transforms[0].columns"] = "process.fields";
        origins["transforms[0].explode"] = "process.steps";
        origins["source"] = "source";
        origins["source.bootstrapServers"] = "source.bootstrapServers";
        origins["source.topics"] = "source.topic";
        origins["sinks[0]"] = "sink";
        foreach (var key in new[] { "feNodes", "table", "user", "password" }) origins[$"sinks[0].{key}"] = $"sink.{key}";
        var name = Path.GetFileNameWithoutExtension(fileName).Replace("_setting", "");
        return new PipelineOptions
        {
            Name = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()),
            Source = new Sources.Kafka.KafkaSourceOptions { BootstrapServers = seed.Source.BootstrapServers, Topics = [seed.Source.Topic] },
            Transforms = [new SelectOptions { Explode = explode, Columns = columns }],
            Sinks =
            [
                new DorisSinkOptions
                {
                    FeNodes = seed.Sink.FeNodes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
                    Table = seed.Sink.Table,
                    User = seed.Sink.User,
                    Password = seed.Sink.Password,
                },
            ],
        };
    }

    /// <summary>
    /// The array exploded, as a path in the parsed value: select_column "data.payload" makes "payload" a
    /// column holding data.payload, and explode_column "payload" explodes it.
    /// </summary>
    private static string? ExplodePath(IEnumerable<SeedStepOptions> steps)
    {
        var aliases = new Dictionary<string, string>();
        string? dataColumn = null;
        string? explode = null;
        foreach (var step in steps)
        {
            switch (step.Operation)
            {
                case "from_json":
                    dataColumn = step.ToValue ?? "data";
                    break;
                case "select_column" when step.Value is { } v:
                    var path = dataColumn != null && v.StartsWith(dataColumn + ".", StringComparison.Ordinal) ? v[(dataColumn.Length + 1)..] : v;
                    aliases[path.Split('.')[^1]] = path;
                    break;
                case "explode_column" when step.Value is { } column:
                    explode = aliases.GetValueOrDefault(column, column);
                    break;
            }
        }
        return explode;
    }

    private static void Flatten(IEnumerable<SeedFieldOptions> fields, string prefix, string? explode, List<ColumnOptions> columns,
        string seedPath, IDictionary<string, string> origins)
    {
        var index = 0;
        foreach (var f in fields)
        {
            var path = prefix + f.Name;
            var fromType = f.FromType?.ToLowerInvariant();
            var field = $"{seedPath}[{index++}]";
            if (path == explode)
            {
                Flatten(f.Items, "", null, columns, field + ".items", origins);
                continue;
            }
            if (fromType is "object" or "struct" && f.Fields.Count > 0)
            {
                Flatten(f.Fields, path + ".", explode, columns, field + ".fields", origins);
                continue;
            }
            var column = $"transforms[0].columns[{columns.Count}]";
            origins[column] = field;
            origins[column + ".name"] = field + (f.Alias != null ? ".alias" : ".name");
            origins[column + ".path"] = field + ".name";
            origins[column + ".type"] = field + (f.ToType != null ? ".to_type" : ".from_type");
            columns.Add(new ColumnOptions { Name = f.Alias ?? f.Name, Path = path, Type = f.ToType ?? f.FromType ?? "string" });
        }
    }
}
