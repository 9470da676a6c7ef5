using System.Text.RegularExpressions;
using Kpipe.Rows;
using Kpipe.Sinks.Doris;
using Kpipe.TestKit.Doris;
using Kpipe.Transforms.Cdc;
using Microsoft.Extensions.Logging.Abstractions;
using SinkTable = Kpipe.Sinks.Doris.DorisTable;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>The type map of docs/cdc.md ("Type map") is what the code does: Connect schemas to kpipe columns, and a
/// table created by <c>createTable</c> with those columns has the documented Doris types.</summary>
public sealed partial class CreateTableTypeMapTests
{
    /// <summary>The map's rows: the first schema named in the first cell, the kpipe column, the Doris type (first word).</summary>
    private static List<(string Schema, string Column, string Doris)> DocumentedMap()
    {
        var lines = File.ReadAllLines(RepoFiles.Path("docs/cdc.md"));
        var start = Array.IndexOf(lines, "### Type map");
        Assert.True(start > 0, "docs/cdc.md has a '### Type map' section");
        var rows = new List<(string, string, string)>();
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).Skip(2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var schema = FirstCode().Match(cells[0]).Groups[1].Value;
            rows.Add((cells[0].StartsWith("the sequence", StringComparison.Ordinal) ? "" : schema, cells[1].Split(' ')[0], cells[2].Split(' ')[0]));
        }
        Assert.True(rows.Count >= 10);
        return rows;
    }

    [Fact]
    public void Each_documented_connect_schema_gives_the_documented_column_type()
    {
        foreach (var (schema, column, _) in DocumentedMap().Where(r => r.Schema.Length > 0))
        {
            var logical = schema.Contains('.', StringComparison.Ordinal);
            var field = new ConnectFieldSchema("f", logical ? LogicalBase(schema) : schema, logical ? schema : null,
                new Dictionary<string, string> { ["scale"] = "2", ["connect.decimal.precision"] = "10" }, true, []);
            var expected = column == "decimal(p,s)" ? "decimal(10,2)" : column;
            Assert.True(expected == ConnectTypeMap.Of(field).ToString(), $"{schema}: documented {expected}, code {ConnectTypeMap.Of(field)}");
        }
    }

    [Fact]
    public async Task A_created_table_has_the_documented_doris_types()
    {
        await using var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions { User = "root", Password = "secret" });
        var map = DocumentedMap().Where(r => r.Schema.Length > 0).DistinctBy(r => r.Column).ToList();
        var columns = new List<(string, ColumnType)> { ("k", ColumnType.String) };
        foreach (var (_, column, _) in map)
        {
            Assert.True(ColumnType.TryParse(column == "decimal(p,s)" ? "decimal(10,2)" : column, out var type), column);
            columns.Add(($"c_{type.Kind}".ToLowerInvariant(), type));
        }
        columns.Add(("_seq", ColumnType.Long));
        var schema = new RowSchema(columns);
        var route = new RowRoute("typed", [.. Enumerable.Range(0, columns.Count)], Keys: [0], Sequence: columns.Count - 1);
        var options = new DorisSinkOptions { FeNodes = [doris.FeUrl], Table = "db.typed", User = "root", Password = "secret" };
        using var sync = new TableSchemaSync(new DorisSqlClient(options), options, "doris", NullLogger.Instance);

        Assert.Null(sync.Ensure(new SinkTable("db", "typed"), schema, route, CancellationToken.None, out _));

        var table = doris.FindTable("db", "typed");
        Assert.NotNull(table);
        Assert.Equal(DorisType.Parse("VARCHAR(65533)"), table.Columns[0].Type);
        foreach (var (_, column, dorisType) in map)
        {
            ColumnType.TryParse(column == "decimal(p,s)" ? "decimal(10,2)" : column, out var type);
            var expected = DorisType.Parse(dorisType == "DECIMAL(p,s)" ? "DECIMAL(10,2)" : dorisType);
            Assert.Equal(expected, table.FindColumn($"c_{type.Kind}".ToLowerInvariant())!.Type);
        }
        Assert.Equal(DorisType.BigInt, table.FindColumn("_seq")!.Type);
        Assert.Equal("_seq", table.SequenceColumn);
        Assert.Equal(["k"], table.KeyColumns);
        Assert.Equal("true", table.Properties["enable_unique_key_merge_on_write"]);
    }

    /// <summary>The Connect type a logical type rides on, as Debezium writes it.</summary>
    private static string LogicalBase(string name) => name switch
    {
        "io.debezium.time.Date" or "org.apache.kafka.connect.data.Date" => "int32",
        "io.debezium.time.ZonedTimestamp" or "io.debezium.time.ZonedTime" or "io.debezium.data.Json" => "string",
        "org.apache.kafka.connect.data.Decimal" or "io.debezium.data.Bits" => "bytes",
        "io.debezium.data.VariableScaleDecimal" => "struct",
        "io.debezium.data.Uuid" => "string",
        _ => "int64",
    };

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex FirstCode();
}
