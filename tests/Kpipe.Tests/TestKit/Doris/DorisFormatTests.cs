using System.IO.Compression;
using System.Text;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

public sealed class DorisFormatTests : IAsyncLifetime
{
    private DorisEmulator _doris = null!;
    private StreamLoadTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _doris = await DorisEmulator.StartAsync();
        _doris.CreateTable("CREATE TABLE f.u (id INT NOT NULL, name VARCHAR(10)) UNIQUE KEY(id)");
        _client = new StreamLoadTestClient(_doris);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _doris.DisposeAsync();
    }

    private List<(int, string?)> Rows() => [.. _doris.Rows("f", "u").Select(r => ((int)r["id"]!, (string?)r["name"]))];

    [Fact]
    public async Task Gzip_csv_with_header_line_and_hidden_delete_sign_column()
    {
        var answer = await _client.LoadBytesAsync("f", "u", Gzip("id|name\n1|a\n2|b\n3|c\n"),
            ("format", "csv_with_names"), ("column_separator", "|"), ("compress_type", "gz"));
        Assert.Equal("Success", answer.Str("Status"));
        Assert.Equal(3, answer.Long("NumberLoadedRows"));

        // With hidden_columns the CSV carries the delete sign as an extra last field.
        var delete = await _client.LoadAsync("f", "u", "2,b,1\n3,C,0", ("column_separator", ","), ("hidden_columns", "__DORIS_DELETE_SIGN__"));
        Assert.Equal("Success", delete.Str("Status"));
        Assert.Equal([(1, "a"), (3, "C")], Rows());
    }

    [Fact]
    public async Task Json_lines_of_arrays_with_strip_outer_array()
    {
        var answer = await _client.LoadAsync("f", "u", "[{\"id\":1},{\"id\":2}]\n[{\"id\":3}]",
            ("format", "json"), ("read_json_by_line", "true"), ("strip_outer_array", "true"));

        Assert.Equal(3, answer.Long("NumberLoadedRows"));
        Assert.Equal([1, 2, 3], Rows().Select(r => r.Item1));
    }

    [Fact]
    public async Task Group_commit_loads_without_a_label_and_refuses_one()
    {
        var ok = await _client.LoadAsync("f", "u", "{\"id\":1}", ("format", "json"), ("group_commit", "async_mode"));
        Assert.Equal("Success", ok.Str("Status"));
        Assert.True(ok.Json.GetProperty("GroupCommit").GetBoolean());

        var labelled = await _client.LoadAsync("f", "u", "{\"id\":2}", ("format", "json"), ("group_commit", "async_mode"), ("label", "x"));
        Assert.Equal("Fail", labelled.Str("Status"));
        Assert.Equal([1], Rows().Select(r => r.Item1));
    }

    [Fact]
    public async Task Unsupported_features_fail_loudly()
    {
        var parquet = await _client.LoadAsync("f", "u", "PAR1", ("format", "parquet"));
        Assert.Equal("Fail", parquet.Str("Status"));

        var expression = await _client.LoadAsync("f", "u", "{\"id\":1,\"n\":\"x\"}", ("format", "json"), ("columns", "id, n, name=upper(n)"));
        Assert.Equal("Fail", expression.Str("Status"));
        Assert.Contains("emulator", expression.Str("Message"), StringComparison.Ordinal);
        Assert.Empty(Rows());
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }
}
