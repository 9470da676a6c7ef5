using System.Text;
using Kpipe.Json;

namespace Kpipe.Tests.Json;

public sealed class JsonPathTests
{
    private static string? Get(string path, string json) =>
        new JsonPath(path).TryGetScalar(Encoding.UTF8.GetBytes(json), out var v) ? Encoding.UTF8.GetString(v) : null;

    [Fact]
    public void A_string_with_escapes_is_unescaped_and_one_without_is_the_documents_own_bytes()
    {
        var path = new JsonPath("k");
        var plain = """{"k":"abc"}"""u8.ToArray();
        Assert.True(path.TryGetScalar(plain, out var raw));
        Assert.Equal("abc", Encoding.UTF8.GetString(raw));
        Assert.True(raw.Overlaps(plain));
        Assert.True(path.TryGetScalar("""{"k":"a\u0062c"}"""u8, out var unescaped));
        Assert.Equal("abc", Encoding.UTF8.GetString(unescaped));
    }

    [Theory]
    [InlineData("id", """{"id":"FD2023"}""", "FD2023")]
    [InlineData("id", """{"other":{"id":"no"},"id":42}""", "42")]
    [InlineData("after.id", """{"before":null,"after":{"name":"x","id":"A\u00e9\"b"}}""", "A\u00e9\"b")]
    [InlineData("flag", """{"flag":true}""", "true")]
    [InlineData("n", """{"n":12.50}""", "12.50")]
    public void Finds_scalars(string path, string json, string expected) => Assert.Equal(expected, Get(path, json));

    [Theory]
    [InlineData("id", """{"ID":"x"}""")]
    [InlineData("id", """{"id":null}""")]
    [InlineData("id", """{"id":{"a":1}}""")]
    [InlineData("after.id", """{"after":null}""")]
    [InlineData("id", """not json""")]
    [InlineData("id", """[{"id":1}]""")]
    [InlineData("id", """{"id":1,"id":2}""")]
    [InlineData("after.id", """{"after":{"id":1},"after":{"id":2}}""")]
    public void Missing_null_nested_or_invalid_is_not_found(string path, string json) => Assert.Null(Get(path, json));
}
