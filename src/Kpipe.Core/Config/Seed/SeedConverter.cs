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
    public static PipelineOptions Convert(SeedFileOptions seed, string fileName)
    {
        var explode = ExplodePath(seed.Process.Steps);
        var columns = new List<ColumnOptions>();
        Flatten(seed.Process.Fields, "", explode, columns);
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

    private static void Flatten(IEnumerable<SeedFieldOptions> fields, string prefix, string? explode, List<ColumnOptions> columns)
    {
        foreach (var f in fields)
        {
            var path = prefix + f.Name;
            var fromType = f.FromType?.ToLowerInvariant();
            if (path == explode)
            {
                Flatten(f.Items, "", null, columns);
                continue;
            }
            if (fromType is "object" or "struct" && f.Fields.Count > 0)
            {
                Flatten(f.Fields, path + ".", explode, columns);
                continue;
            }
            columns.Add(new ColumnOptions { Name = f.Alias ?? f.Name, Path = path, Type = f.ToType ?? f.FromType ?? "string" });
        }
    }
}
