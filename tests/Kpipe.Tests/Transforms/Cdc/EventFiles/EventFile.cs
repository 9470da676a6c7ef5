using System.Text.Json;
using Kpipe.Transforms.Cdc;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Tests.Transforms.Cdc.EventFiles;

/// <summary>
/// Runs a file of tests/data/debezium-events (real Debezium events, origins in its SOURCES.md; one Kafka value per
/// line, <c>null</c> a tombstone) through the debezium transform, and gives each row as column → the cell's JSON.
/// </summary>
internal static class EventFile
{
    public const string Folder = "tests/data/debezium-events";

    public sealed record Result(List<Dictionary<string, string>> Rows, List<string> Errors, DebeziumTransform Transform, Kpipe.Engine.RecordBatch Batch)
    {
        public Dictionary<string, string> Single()
        {
            Assert.Empty(Errors);
            return Assert.Single(Rows);
        }
    }

    public static string[] Lines(string file) =>
        File.ReadAllLines(RepoFiles.Path($"{Folder}/{file}")).Where(l => l.Length > 0).ToArray();

    /// <summary>Columns as <c>name</c>, <c>name:type</c> or <c>name:type:semantic</c>.</summary>
    public static List<ColumnOptions> Columns(params string[] columns) =>
    [
        .. columns.Select(c => c.Split(':', 3) switch
        {
            [var n] => new ColumnOptions { Name = n },
            [var n, var t] => new ColumnOptions { Name = n, Type = t },
            [var n, var t, var s] => new ColumnOptions { Name = n, Type = t, Semantic = s },
            _ => throw new ArgumentException(c),
        }),
    ];

    public static Result Run(string file, DebeziumOptions options, string?[]? keys = null)
    {
        var transform = new DebeziumTransform(options, NullLogger.Instance);
        var lines = Lines(file);
        var messages = lines.Select((l, i) => (keys?[i], l == "null" ? null : l)).ToArray();
        var r = TransformRunner.RunWithKeys([transform], messages);
        var rows = r.Rows.Select(json =>
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        }).ToList();
        return new Result(rows, [.. r.Errors.Select(e => $"line {e.Offset - 99}: {e.Reason}")], transform, r.Batch);
    }

    public static Result Run(string file, params string[] columns) =>
        Run(file, new DebeziumOptions { Columns = Columns(columns) });
}
