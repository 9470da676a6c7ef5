using System.Text;
using Kpipe.Tests.Transforms;
using Kpipe.Transforms;
using Kpipe.Transforms.Select;

namespace Kpipe.Tests.Transforms.Select;

public sealed class SelectTransformTests
{
    private static ColumnOptions Col(string name, string type = "string", string? path = null, bool required = false, string? dflt = null) =>
        new() { Name = name, Type = type, Path = path, Required = required, Default = dflt };

    private static TransformRunner.Result Select(string? explode, ColumnOptions[] columns, params string?[] values) =>
        TransformRunner.Run([new SelectOptions { Explode = explode, Columns = [.. columns] }], values);

    [Fact]
    public void Selects_renames_and_casts_declared_fields_only()
    {
        var r = Select(null, [Col("id", path: "device_id"), Col("v", "double", "battery_voltage"), Col("n", "int", "count")],
            """{"ignored":{"deep":[1,2,{"x":"y"}]},"device_id":"FD2023","battery_voltage":"12.5","count":7}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"FD2023","v":12.5,"n":7}"""], r.Rows);
    }

    [Fact]
    public void A_missing_field_is_null_a_default_fills_it_and_a_required_one_is_an_error()
    {
        var r = Select(null, [Col("id", required: true), Col("site", dflt: "unknown"), Col("note")],
            """{"id":"a"}""", """{"id":null,"site":"s1"}""");
        Assert.Equal(["""{"id":"a","site":"unknown","note":null}"""], r.Rows);
        var error = Assert.Single(r.Errors);
        Assert.Equal(101, error.Offset);
        Assert.Equal("required field 'id' is missing or null", error.Reason);
    }

    [Fact]
    public void A_failed_cast_names_the_field_the_value_and_the_reason()
    {
        var r = Select(null, [Col("id"), Col("count", "long", "stats.count")], """{"id":"a","stats":{"count":"many"}}""");
        Assert.Empty(r.Rows);
        var (_, reason) = Assert.Single(r.Errors);
        Assert.StartsWith("field 'stats.count': ", reason);
        Assert.Contains("\"many\"", reason);
    }

    [Fact]
    public void Invalid_json_and_empty_values_are_record_errors()
    {
        var r = Select(null, [Col("id")], "{not json", null, "[1,2]", """{"id":"ok"}""");
        Assert.Equal(["""{"id":"ok"}"""], r.Rows);
        Assert.Equal(3, r.Errors.Count);
        Assert.Contains("not valid JSON", r.Errors[0].Reason);
        Assert.Contains("empty", r.Errors[1].Reason);
        Assert.Contains("an array, not a JSON object", r.Errors[2].Reason);
    }

    [Fact]
    public void Unicode_and_escapes_survive_unchanged()
    {
        var r = Select(null, [Col("name")], """{"name":"caf\u00e9 \"Bohrmaschine\" \\ 日本 \n end"}""");
        Assert.Equal(["{\"name\":\"café \\\"Bohrmaschine\\\" \\\\ 日本 \\n end\"}"], r.Rows);
    }

    [Fact]
    public void Metadata_columns_carry_the_kafka_record()
    {
        var r = TransformRunner.Run([new SelectOptions
        {
            Columns =
            [
                new ColumnOptions { Name = "t", Meta = MetadataField.Topic },
                new ColumnOptions { Name = "p", Type = "int", Meta = MetadataField.Partition },
                new ColumnOptions { Name = "o", Type = "long", Meta = MetadataField.Offset },
                new ColumnOptions { Name = "ts", Type = "timestamp", Meta = MetadataField.Timestamp },
                new ColumnOptions { Name = "k", Meta = MetadataField.Key },
            ],
        }], "{}");
        Assert.Equal(["""{"t":"devices","p":3,"o":100,"ts":"2024-07-19T10:00:00Z","k":"key-0"}"""], r.Rows);
    }

    [Fact]
    public void Explode_gives_a_row_per_element_with_fields_relative_to_the_element_and_root_fields_shared()
    {
        var r = Select("data.payload", [Col("id", path: "device_id"), Col("site", path: "$.site"), Col("v", "double", "battery_voltage")],
            """{"data":{"payload":[{"device_id":"A","battery_voltage":1.5},{"device_id":"B","battery_voltage":"2"}]},"site":"plant-1"}""");
        Assert.Empty(r.Errors);
        Assert.Equal(["""{"id":"A","site":"plant-1","v":1.5}""", """{"id":"B","site":"plant-1","v":2}"""], r.Rows);
    }

    [Fact]
    public void Empty_null_or_missing_arrays_give_no_rows_and_no_error()
    {
        var r = Select("payload", [Col("id")], """{"payload":[]}""", """{"payload":null}""", """{"other":1}""");
        Assert.Empty(r.Rows);
        Assert.Empty(r.Errors);
    }

    [Fact]
    public void A_payload_that_is_not_an_array_is_a_record_error()
    {
        var r = Select("payload", [Col("id")], """{"payload":{"id":"x"}}""", """{"payload":5}""");
        Assert.Empty(r.Rows);
        Assert.Equal(["'payload' is an object, not an array", "'payload' is a number, not an array"], r.Errors.Select(e => e.Reason));
    }

    [Fact]
    public void Nested_arrays_are_kept_as_json_and_an_element_that_is_an_array_is_an_error()
    {
        var r = Select("payload", [Col("id"), Col("readings", "json")],
            """{"payload":[{"id":"A","readings":[[1,2],[3]]},{"id":"B","readings":[]}]}""",
            """{"payload":[[1,2]]}""");
        Assert.Equal(["""{"id":"A","readings":[[1,2],[3]]}""", """{"id":"B","readings":[]}"""], r.Rows);
        Assert.Equal("element 0 of 'payload' is an array, not an object", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void A_bad_element_fails_the_whole_record_without_leaving_partial_rows()
    {
        var r = Select("payload", [Col("v", "int")], """{"payload":[{"v":1},{"v":"x"}]}""", """{"payload":[{"v":2}]}""");
        Assert.Equal(["""{"v":2}"""], r.Rows);
        Assert.StartsWith("field 'v': ", Assert.Single(r.Errors).Reason);
    }

    [Fact]
    public void Ten_thousand_elements_explode_in_order()
    {
        var json = new StringBuilder("""{"payload":[""");
        for (var i = 0; i < 10_000; i++) json.Append(i == 0 ? "" : ",").Append($$"""{"n":{{i}},"name":"d{{i}}"}""");
        json.Append("]}");
        var r = Select("payload", [Col("n", "long"), Col("name")], json.ToString());
        Assert.Equal(10_000, r.Rows.Count);
        Assert.Equal("""{"n":0,"name":"d0"}""", r.Rows[0]);
        Assert.Equal("""{"n":9999,"name":"d9999"}""", r.Rows[^1]);
    }

    [Fact]
    public void Two_columns_may_read_the_same_field()
    {
        var r = Select(null, [Col("raw", path: "v"), Col("num", "double", "v")], """{"v":"12.5"}""");
        Assert.Equal(["""{"raw":"12.5","num":12.5}"""], r.Rows);
    }

    [Fact]
    public void Timestamps_from_the_seed_in_both_forms_read_as_the_same_instant()
    {
        var r = Select(null, [Col("ts", "timestamp")], """{"ts":"2024-07-19T10:00:00Z"}""", """{"ts":1721383200000}""");
        Assert.Equal(["""{"ts":"2024-07-19T10:00:00Z"}""", """{"ts":"2024-07-19T10:00:00Z"}"""], r.Rows);
    }
}
