using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisUniqueKeyTests : IAsyncLifetime
{
    private static readonly (string, string)[] Json = [("format", "json"), ("read_json_by_line", "true")];

    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables =
            [
                "CREATE TABLE cdc.users (id INT NOT NULL, name VARCHAR(20), version BIGINT) UNIQUE KEY(id) "
                + "DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES (\"function_column.sequence_col\" = \"version\")",
                "CREATE TABLE cdc.plain (id INT NOT NULL, name VARCHAR(20)) UNIQUE KEY(id)",
                "CREATE TABLE cdc.hidden_seq (id INT NOT NULL, name VARCHAR(20), ts DATETIME) UNIQUE KEY(id) "
                + "PROPERTIES (\"function_column.sequence_type\" = \"datetime\")",
                "CREATE TABLE cdc.log (id INT NOT NULL, name VARCHAR(20)) DUPLICATE KEY(id)",
            ],
        });
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private Task<HttpAnswer> Load(string table, string body, params (string, string)[] headers) =>
        _client.LoadAsync("cdc", table, body, [.. Json, .. headers]);

    private List<(int, string?)> Names(string table) =>
        [.. _doris.Rows("cdc", table).Select(r => ((int)r["id"]!, (string?)r["name"]))];

    [Fact]
    public async Task Upsert_replaces_rows_by_key_and_rows_come_back_ordered_by_key()
    {
        await Load("plain", "{\"id\":3,\"name\":\"c\"}\n{\"id\":1,\"name\":\"a\"}");
        await Load("plain", "{\"id\":1,\"name\":\"A\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":2,\"name\":\"B\"}");

        Assert.Equal([(1, "A"), (2, "B"), (3, "c")], Names("plain"));
    }

    [Fact]
    public async Task Delete_sign_deletes_with_hidden_columns_and_is_ignored_without()
    {
        await Load("plain", "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}");

        // Without hidden_columns the key matches no column and is ignored: the row is upserted, not deleted.
        await Load("plain", "{\"id\":1,\"name\":\"a\",\"__DORIS_DELETE_SIGN__\":1}");
        Assert.Equal([(1, "a"), (2, "b")], Names("plain"));

        var answer = await Load("plain", "{\"id\":1,\"name\":\"a\",\"__DORIS_DELETE_SIGN__\":1}", ("hidden_columns", "__DORIS_DELETE_SIGN__"));
        Assert.Equal(1, answer.Long("NumberLoadedRows"));
        Assert.Equal([(2, "b")], Names("plain"));
    }

    [Fact]
    public async Task Merge_type_delete_and_merge_with_delete_condition()
    {
        await Load("plain", "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":3,\"name\":\"c\"}");

        await Load("plain", "{\"id\":1}", ("merge_type", "DELETE"));
        Assert.Equal([(2, "b"), (3, "c")], Names("plain"));

        var merge = await Load("plain", "{\"id\":2,\"name\":\"b\",\"op\":\"d\"}\n{\"id\":4,\"name\":\"d\",\"op\":\"c\"}",
            ("columns", "id, name, op"), ("merge_type", "MERGE"), ("delete", "op = 'd'"));
        Assert.Equal("Success", merge.Str("Status"));
        Assert.Equal([(3, "c"), (4, "d")], Names("plain"));

        var sign = await Load("plain", "{\"id\":3,\"__DORIS_DELETE_SIGN__\":1}",
            ("columns", "id, __DORIS_DELETE_SIGN__"), ("merge_type", "MERGE"), ("delete", "__DORIS_DELETE_SIGN__=1"));
        Assert.Equal("Success", sign.Str("Status"));
        Assert.Equal([(4, "d")], Names("plain"));
    }

    [Fact]
    public async Task Sequence_column_keeps_the_largest_version_whatever_the_arrival_order()
    {
        await Load("users", "{\"id\":1,\"name\":\"v5\",\"version\":5}\n{\"id\":1,\"name\":\"v3\",\"version\":3}");
        await Load("users", "{\"id\":1,\"name\":\"v4\",\"version\":4}\n{\"id\":2,\"name\":\"x\",\"version\":1}");
        await Load("users", "{\"id\":2,\"name\":\"y\",\"version\":1}");

        Assert.Equal([(1, "v5"), (2, "y")], Names("users")); // an equal sequence replaces: the later arrival wins
    }

    [Fact]
    public async Task A_delete_with_a_smaller_sequence_is_ignored_and_a_delete_blocks_older_rows()
    {
        await Load("users", "{\"id\":1,\"name\":\"v5\",\"version\":5}\n{\"id\":2,\"name\":\"w\",\"version\":2}");
        const string hidden = "__DORIS_DELETE_SIGN__";

        await Load("users", $"{{\"id\":1,\"version\":4,\"{hidden}\":1}}", ("hidden_columns", hidden));
        Assert.Equal([(1, "v5"), (2, "w")], Names("users"));

        await Load("users", $"{{\"id\":2,\"version\":3,\"{hidden}\":1}}", ("hidden_columns", hidden));
        Assert.Equal([(1, "v5")], Names("users"));

        // A late upsert older than the delete stays deleted; a newer one brings the key back.
        await Load("users", "{\"id\":2,\"name\":\"late\",\"version\":2}");
        Assert.Equal([(1, "v5")], Names("users"));
        await Load("users", "{\"id\":2,\"name\":\"new\",\"version\":9}");
        Assert.Equal([(1, "v5"), (2, "new")], Names("users"));
    }

    [Fact]
    public async Task Hidden_sequence_tables_need_the_sequence_header()
    {
        var missing = await Load("hidden_seq", "{\"id\":1,\"name\":\"a\",\"ts\":\"2024-01-02 00:00:00\"}");
        Assert.Equal("Fail", missing.Str("Status"));
        Assert.Contains("has sequence column, need to specify the sequence column", missing.Str("Message"), StringComparison.Ordinal);

        await Load("hidden_seq", "{\"id\":1,\"name\":\"new\",\"ts\":\"2024-01-02 00:00:00\"}", ("function_column.sequence_col", "ts"));
        await Load("hidden_seq", "{\"id\":1,\"name\":\"old\",\"ts\":\"2024-01-01 00:00:00\"}", ("function_column.sequence_col", "ts"));
        Assert.Equal([(1, "new")], Names("hidden_seq"));

        var noSequence = await Load("plain", "{\"id\":1}", ("function_column.sequence_col", "name"));
        Assert.Contains("There is no sequence column in the table plain", noSequence.Str("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partial_columns_update_only_the_listed_columns()
    {
        await Load("users", "{\"id\":1,\"name\":\"a\",\"version\":1}");

        var answer = await Load("users", "{\"id\":1,\"version\":2}", ("partial_columns", "true"), ("columns", "id, version"));

        Assert.Equal("Success", answer.Str("Status"));
        var row = Assert.Single(_doris.Rows("cdc", "users"));
        Assert.Equal(("a", 2L), ((string)row["name"]!, (long)row["version"]!));
    }

    [Fact]
    public async Task Duplicate_key_tables_append_and_refuse_deletes()
    {
        await Load("log", "{\"id\":2,\"name\":\"b\"}\n{\"id\":1,\"name\":\"a\"}");
        await Load("log", "{\"id\":2,\"name\":\"b\"}");
        Assert.Equal([(2, "b"), (1, "a"), (2, "b")], Names("log"));

        var delete = await Load("log", "{\"id\":2}", ("merge_type", "DELETE"));
        Assert.Equal("Fail", delete.Str("Status"));
        Assert.Contains("only supported in unique tables", delete.Str("Message"), StringComparison.Ordinal);
    }
}
