using Kpipe.Tests.Transforms;
using Kpipe.Transforms.Select;

namespace Kpipe.Tests.Transforms.Select;

/// <summary>A value is one JSON object, and a field the pipeline reads has one value (docs/errors.md, "Strict JSON").</summary>
public sealed class SelectStrictJsonTests
{
    private static TransformRunner.Result Select(string? explode, params string?[] values) =>
        TransformRunner.Run([new SelectOptions { Explode = explode, Columns = [new ColumnOptions { Name = "id" }, new ColumnOptions { Name = "v", Type = "long", Path = explode != null ? "v" : "n.v" }] }], values);

    [Fact]
    public void Content_after_the_object_is_a_record_error_and_whitespace_is_not()
    {
        var r = Select(null, """{"id":"a"} xyz""", """{"id":"b"}{"id":"c"}""", "{\"id\":\"d\"}  \r\n", """{"id":"e"} {""");

        Assert.Equal(["""{"id":"d","v":null}"""], r.Rows);
        Assert.Equal([100L, 101, 103], r.Errors.Select(e => e.Offset));
        Assert.Contains("content after the JSON object (at byte 10): xyz", r.Errors[0].Reason);
        Assert.Contains("content after the JSON object (at byte 10): {\"id\":\"c\"}", r.Errors[1].Reason);
    }

    [Fact]
    public void Content_after_an_exploded_object_is_a_record_error_too()
    {
        var r = Select("items", """{"id":"a","items":[{"v":1}]} 7""", """{"id":"b","items":[{"v":2}]}""");

        Assert.Single(r.Rows);
        Assert.Equal(100L, Assert.Single(r.Errors).Offset);
    }

    [Fact]
    public void A_read_field_given_twice_is_a_record_error_and_an_unread_one_is_ignored()
    {
        var r = Select(null, """{"id":"a","id":"b"}""", """{"id":"c","n":{"v":1,"v":2}}""", """{"id":"d","x":1,"x":2}""");

        Assert.Equal(["""{"id":"d","v":null}"""], r.Rows);
        Assert.Contains("field 'id' appears more than once", r.Errors[0].Reason);
        Assert.Contains("field 'n.v' appears more than once", r.Errors[1].Reason);
    }
}
