using System.Net;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisDataQualityTests : IAsyncLifetime
{
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS demo.t (
            `id` VARCHAR(8) NOT NULL COMMENT 'key',
            v DOUBLE,
            ts DATETIME(6),
            d DATE,
            amount DECIMAL(10, 2),
            n INT,
            b BIGINT,
            flag BOOLEAN,
            big LARGEINT,
            doc JSON,
            tag VARCHAR(4) DEFAULT "none"
        ) ENGINE=OLAP
        DUPLICATE KEY(`id`)
        DISTRIBUTED BY HASH(`id`) BUCKETS 4
        PROPERTIES ("replication_num" = "1");
        """;

    private static readonly (string, string)[] Json = [("format", "json"), ("read_json_by_line", "true")];

    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync();
        _doris.CreateTable(Ddl);
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private static (string, string)[] With(params (string, string)[] more) => [.. Json, .. more];

    private Task<HttpAnswer> Load(string body, params (string, string)[] headers) => _client.LoadAsync("demo", "t", body, With(headers));

    private IReadOnlyDictionary<string, object?> Only() => Assert.Single(_doris.Rows("demo", "t"));

    [Fact]
    public async Task One_filtered_row_fails_the_load_with_an_error_url_listing_the_reason()
    {
        var answer = await Load("{\"id\":\"ok\"}\n{\"id\":null,\"n\":1}\n{\"id\":\"ok2\"}", ("label", "dq-1"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Fail", answer.Str("Status"));
        Assert.Equal("[DATA_QUALITY_ERROR]too many filtered rows", answer.Str("Message"));
        Assert.Equal(3, answer.Long("NumberTotalRows"));
        Assert.Equal(1, answer.Long("NumberFilteredRows"));
        Assert.Equal(0, answer.Long("NumberLoadedRows"));
        Assert.Empty(_doris.Rows("demo", "t"));

        var url = answer.Str("ErrorURL")!;
        Assert.StartsWith($"{_doris.BeUrl}/api/_load_error_log?file=__shard_", url, StringComparison.Ordinal);
        var log = await _client.GetAsync(url);
        var line = Assert.Single(log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Reason: column_name[id], null value for not null column, type=VARCHAR(8). src line [{\"id\":null,\"n\":1}]; ", line);
        Assert.Equal([line], _doris.ErrorLog(url));
    }

    [Fact]
    public async Task Under_max_filter_ratio_the_load_succeeds_and_reports_filtered_rows()
    {
        var answer = await Load("{\"id\":\"a\"}\n{\"id\":\"toolongid\"}\n{\"id\":\"c\"}\n{\"nothing\":1}", ("max_filter_ratio", "0.5"));

        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal(4, answer.Long("NumberTotalRows"));
        Assert.Equal(2, answer.Long("NumberLoadedRows"));
        Assert.Equal(2, answer.Long("NumberFilteredRows"));
        var log = await _client.GetAsync(answer.Str("ErrorURL")!);
        Assert.Contains("column_name[id], the length of input is too long than schema. first 32 bytes of input str: [toolongid] schema length: 8; actual length: 9;", log, StringComparison.Ordinal);
        Assert.Contains("All fields is null, this is a invalid row.. src line [{\"nothing\":1}]", log, StringComparison.Ordinal);
        Assert.Equal(["a", "c"], _doris.Rows("demo", "t").Select(r => (string)r["id"]!));
    }

    [Fact]
    public async Task Strings_that_look_like_numbers_load_into_numeric_columns()
    {
        var answer = await Load("{\"id\":\"a\",\"v\":\"1.25\",\"amount\":\"12.345\",\"n\":\" 42 \",\"b\":\"7.000\",\"flag\":\"true\",\"big\":\"170141183460469231731687303715884105727\"}");

        Assert.Equal("Success", answer.Str("Status"));
        var row = Only();
        Assert.Equal(1.25, row["v"]);
        Assert.Equal(12.35m, row["amount"]);
        Assert.Equal(42, row["n"]);
        Assert.Equal(7L, row["b"]);
        Assert.Equal(true, row["flag"]);
        Assert.Equal(Int128.MaxValue, row["big"]);
    }

    [Fact]
    public async Task Unconvertible_values_become_null_unless_strict_mode()
    {
        var lenient = await Load("{\"id\":\"a\",\"n\":\"abc\",\"d\":\"2024-02-30\",\"amount\":123456789012}", ("label", "lenient"));
        Assert.Equal("Success", lenient.Str("Status"));
        var row = Only();
        Assert.Null(row["n"]);
        Assert.Null(row["d"]);
        Assert.Null(row["amount"]);

        var strict = await Load("{\"id\":\"b\",\"n\":\"abc\"}", ("label", "strict"), ("strict_mode", "true"));
        Assert.Equal("Fail", strict.Str("Status"));
        var log = await _client.GetAsync(strict.Str("ErrorURL")!);
        Assert.Contains("column(n) value is incorrect while strict mode is true, src value is abc", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fractions_do_not_load_into_integer_columns()
    {
        await Load("{\"id\":\"a\",\"n\":1.5,\"b\":2.0}");
        var row = Only();
        Assert.Null(row["n"]);
        Assert.Equal(2L, row["b"]);
    }

    [Fact]
    public async Task Datetimes_accept_the_t_form_and_convert_zone_suffixes_to_the_load_timezone()
    {
        var body = string.Join('\n',
            "{\"id\":\"plain\",\"ts\":\"2024-07-19 10:00:00.123456\",\"d\":\"2024-07-19\"}",
            "{\"id\":\"t\",\"ts\":\"2024-07-19T10:00:00\"}",
            "{\"id\":\"z\",\"ts\":\"2024-07-19T10:00:00Z\"}",
            "{\"id\":\"off\",\"ts\":\"2024-07-19T10:00:00+02:00\"}");
        Assert.Equal("Success", (await Load(body, ("label", "tz-default"))).Str("Status"));
        Assert.Equal("Success", (await Load("{\"id\":\"utc\",\"ts\":\"2024-07-19T10:00:00Z\"}", ("label", "tz-utc"), ("timezone", "UTC"))).Str("Status"));
        Assert.Equal("Success", (await Load("{\"id\":\"epoch\",\"ts\":1721383200}", ("label", "epoch"))).Str("Status"));

        var ts = _doris.Rows("demo", "t").ToDictionary(r => (string)r["id"]!, r => r["ts"]);
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0).AddTicks(1_234_560), ts["plain"]);
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0), ts["t"]);
        Assert.Equal(new DateTime(2024, 7, 19, 18, 0, 0), ts["z"]); // Asia/Shanghai by default
        Assert.Equal(new DateTime(2024, 7, 19, 16, 0, 0), ts["off"]);
        Assert.Equal(new DateTime(2024, 7, 19, 10, 0, 0), ts["utc"]);
        Assert.Null(ts["epoch"]); // an epoch number is not a DATETIME
        Assert.Equal(new DateOnly(2024, 7, 19), _doris.Rows("demo", "t")[0]["d"]);
    }

    [Fact]
    public async Task Missing_keys_take_the_default_and_explicit_null_does_not()
    {
        await Load("{\"id\":\"a\"}\n{\"id\":\"b\",\"tag\":null}");

        var rows = _doris.Rows("demo", "t");
        Assert.Equal("none", rows[0]["tag"]);
        Assert.Null(rows[1]["tag"]);
    }

    [Fact]
    public async Task Nested_values_and_json_columns_keep_their_json_text()
    {
        await Load("{\"id\":\"a\",\"doc\":{\"k\": [1, 2]},\"tag\":true}");

        var row = Only();
        Assert.Equal("{\"k\":[1,2]}", row["doc"]);
        Assert.Equal("1", row["tag"]); // booleans reach string columns as 1/0
    }

    [Fact]
    public async Task Json_lines_without_read_json_by_line_are_one_document_and_fail()
    {
        var answer = await _client.LoadAsync("demo", "t", "{\"id\":\"a\"}\n{\"id\":\"b\"}", ("format", "json"));

        Assert.Equal("Fail", answer.Str("Status"));
        Assert.Equal("[DATA_QUALITY_ERROR]Parse json data for JsonDoc failed. code: 2, error info: The document root must not be followed by other values.",
            answer.Str("Message"));
        Assert.NotNull(answer.Str("ErrorURL"));
        Assert.Empty(_doris.Rows("demo", "t"));
    }

    [Fact]
    public async Task A_single_json_document_and_strip_outer_array_load()
    {
        Assert.Equal("Success", (await _client.LoadAsync("demo", "t", "{\"id\":\"one\"}", ("format", "json"))).Str("Status"));
        var array = await _client.LoadAsync("demo", "t", " [{\"id\":\"x\"},{\"id\":\"y\"}] ", ("format", "json"), ("strip_outer_array", "true"));
        Assert.Equal(2, array.Long("NumberLoadedRows"));

        var arrayWithoutHeader = await _client.LoadAsync("demo", "t", "[{\"id\":\"z\"}]", ("format", "json"));
        Assert.Equal("Fail", arrayWithoutHeader.Str("Status"));
        Assert.Contains("`strip_outer_array` must be TRUE", arrayWithoutHeader.Str("Message"), StringComparison.Ordinal);

        Assert.Equal(["one", "x", "y"], _doris.Rows("demo", "t").Select(r => (string)r["id"]!));
    }

    [Fact]
    public async Task Json_root_jsonpaths_and_columns_map_fields()
    {
        var body = "{\"data\":{\"key\":\"k1\",\"m\":{\"value\":\"2.5\"}},\"ignored\":true}";
        var answer = await _client.LoadAsync("demo", "t", body,
            ("format", "json"), ("json_root", "$.data"), ("columns", "id, v, tag"),
            ("jsonpaths", "[\"$.key\", \"$.m.value\", \"$.missing\"]"));

        Assert.Equal("Success", answer.Str("Status"));
        var row = Only();
        Assert.Equal(("k1", 2.5, "none"), ((string)row["id"]!, (double)row["v"]!, (string)row["tag"]!));
    }

    [Fact]
    public async Task Columns_header_maps_renamed_fields_and_literals()
    {
        var answer = await Load("{\"key\":\"a\",\"val\":3}", ("columns", "key, val, id=key, n=val, tag='lit'"));

        Assert.Equal("Success", answer.Str("Status"));
        var row = Only();
        Assert.Equal(("a", 3, "lit"), ((string)row["id"]!, (int)row["n"]!, (string)row["tag"]!));
    }

    [Fact]
    public async Task Where_filter_counts_unselected_rows()
    {
        var answer = await Load("{\"id\":\"a\",\"n\":1}\n{\"id\":\"b\",\"n\":5}\n{\"id\":\"c\"}", ("where", "n > 2 OR n IS NULL"));

        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal(1, answer.Long("NumberUnselectedRows"));
        Assert.Equal(2, answer.Long("NumberLoadedRows"));
        Assert.Equal(["b", "c"], _doris.Rows("demo", "t").Select(r => (string)r["id"]!));
    }

    [Fact]
    public async Task Unknown_columns_in_where_fail_the_load()
    {
        var answer = await Load("{\"id\":\"a\"}", ("where", "nope = 1"));

        Assert.Equal("Fail", answer.Str("Status"));
        Assert.Contains("Unknown column 'nope'", answer.Str("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_is_the_default_format()
    {
        var table = new DorisTableBuilder("demo", "csv").Column("id", "INT", nullable: false).Column("name", "VARCHAR(10)").DuplicateKey("id").Build();
        _doris.CreateTable(table);

        var ok = await _client.LoadAsync("demo", "csv", "1,alice\n2,\\N\n\n", ("column_separator", ","));
        Assert.Equal(2, ok.Long("NumberLoadedRows"));

        // JSON sent without `format: json` is read as CSV: one field per line, so every row is filtered.
        var json = await _client.LoadAsync("demo", "csv", "{\"id\":3,\"name\":\"x\"}");
        Assert.Equal("Fail", json.Str("Status"));
        Assert.Equal(1, json.Long("NumberFilteredRows"));

        Assert.Equal([(1, "alice"), (2, null)], _doris.Rows("demo", "csv").Select(r => ((int)r["id"]!, (string?)r["name"])));
    }
}
