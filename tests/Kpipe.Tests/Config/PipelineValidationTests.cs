using Kpipe.Config;

namespace Kpipe.Tests.Config;

/// <summary>
/// Files that `validate` used to accept and `run` refused when it built the pipeline: loading now refuses
/// each, at the line and column of the option, saying what would be valid.
/// </summary>
public sealed class PipelineValidationTests
{
    private static string Reject(string yaml) =>
        string.Join("\n", Assert.Throws<ConfigException>(() => PipelineLoader.Parse(yaml, "p.yaml", _ => null)).Errors);

    private const string Source = """
        name: p
        source:
          bootstrapServers: b:9092
          topics: [in]

        """;

    [Fact]
    public void An_engine_http_that_is_not_an_address_is_refused_at_its_line()
    {
        var errors = Reject(Source + """
            sinks: [{type: console}]
            engine:
              http: 127.0.0.1:notaport
            """);
        Assert.StartsWith("p.yaml:7:3: 'engine.http': engine.http '127.0.0.1:notaport': expected HOST:PORT", errors);
    }

    [Fact]
    public void A_filter_naming_an_unknown_column_is_refused_at_its_where()
    {
        var errors = Reject(Source + """
            transforms:
              - type: select
                columns: [{name: volts, type: double}]
              - type: filter
                where: voltage > 10
            sinks: [{type: console}]
            """);
        Assert.Equal("p.yaml:9:5: 'transforms[1].where': at column 1: unknown column 'voltage'; columns: volts", errors);
    }

    [Fact]
    public void A_filter_without_a_select_before_it_is_refused()
    {
        var errors = Reject(Source + """
            transforms:
              - type: filter
                where: a > 1
            sinks: [{type: console}]
            """);
        Assert.Equal("p.yaml:6:5: 'transforms[0]': a filter needs a select (or debezium) transform before it: it filters the selected columns", errors);
    }

    [Fact]
    public void A_reserved_doris_header_is_refused_at_its_line()
    {
        var errors = Reject(Source + """
            sinks:
              - type: doris
                feNodes: [fe:8030]
                table: db.t
                user: root
                headers:
                  label: mine
            """);
        Assert.StartsWith("p.yaml:11:7: 'sinks[0].headers.label': the Doris sink sets or cannot work with the Stream Load header 'label'", errors);
    }

    [Fact]
    public void A_doris_address_that_is_not_http_is_refused()
    {
        var errors = Reject(Source + """
            sinks:
              - type: doris
                feNodes: [fe:8030, "ftp://fe2:21"]
                table: db.t
                user: root
            """);
        Assert.Equal("p.yaml:7:24: 'sinks[0].feNodes[1]': 'ftp://fe2:21' is not a Doris HTTP address (host:port or https://host:port)", errors);
    }

    [Theory]
    [InlineData("topic: ~", "p.yaml:8:12: 'sinks[0].topic' is required and cannot be empty; give a text value")]
    [InlineData("topic: \"\"", "p.yaml:8:12: 'sinks[0].topic' is required and cannot be empty; give a text value")]
    [InlineData("topic: orders/eu", "p.yaml:8:5: 'sinks[0].topic': 'orders/eu' is not a valid topic name: '/' is not allowed; use letters, digits, '.', '_' and '-'")]
    public void A_kafka_sink_topic_that_cannot_be_written_is_refused(string topic, string expected)
    {
        var errors = Reject(Source + $"""
            sinks:
              - type: kafka
                bootstrapServers: b:9092
                {topic}
            """);
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void A_key_field_that_is_not_a_column_of_the_transforms_is_refused()
    {
        var errors = Reject(Source + """
            transforms:
              - type: select
                columns: [{name: id, path: after.id}]
            sinks:
              - type: kafka
                bootstrapServers: b:9092
                topic: out
                keyField: after.id
            """);
        Assert.Equal("p.yaml:12:5: 'sinks[0].keyField': 'after.id' is not a column the transforms make; with transforms the key comes from a column: id", errors);
    }

    [Fact]
    public void A_librdkafka_property_it_does_not_know_is_refused_without_echoing_values()
    {
        var errors = Reject(Source.Replace("topics: [in]", "topics: [in]\n  properties:\n    sasl.password: hunter2\n    fetch.max.byte: 10") + "sinks: [{type: console}]");
        Assert.StartsWith("p.yaml:7:5: 'source.properties.fetch.max.byte': librdkafka refuses it: No such configuration property", errors);
        Assert.DoesNotContain("hunter2", errors);
    }

    [Fact]
    public void A_default_that_does_not_cast_to_its_column_type_is_refused_at_the_default()
    {
        var errors = Reject(Source + """
            transforms:
              - type: select
                columns:
                  - name: volts
                    type: double
                    default: high
            sinks: [{type: console}]
            """);
        Assert.StartsWith("p.yaml:10:9: 'transforms[0].columns[0].default': column 'volts': default 'high' is not a valid double", errors);
    }

    [Fact]
    public void A_yaml_flow_map_never_closed_is_reported_at_its_brace()
    {
        var errors = Reject("name: p\nsource: {bootstrapServers: b:9092\nsinks:\n  - type: console\n");
        Assert.Equal("p.yaml:2:9: not valid YAML: this '{' is never closed; close it with '}' (or write the value as an indented block)", errors);
    }

    [Fact]
    public void A_yaml_flow_list_never_closed_names_where_it_opened()
    {
        var errors = Reject("name: p\nsource:\n  bootstrapServers: b\n  topics: [in, out\nsinks:\n  - type: console\n");
        Assert.Equal("p.yaml:4:11: not valid YAML: this '[' is never closed; close it with ']' (or write the value as an indented block)", errors);
    }

    [Fact]
    public void A_yaml_flow_list_left_open_at_the_end_names_where_it_opened()
    {
        var errors = Reject("name: p\nsource: [unclosed\n");
        Assert.Equal("p.yaml:3:1: not valid YAML: While parsing a flow sequence, did not find expected ',' or ']' (the '[' at line 2, column 9 is not closed)", errors);
    }

    [Fact]
    public void An_empty_file_and_a_second_document_are_reported_with_a_line()
    {
        Assert.Equal("p.yaml:1:1: the file is empty; a pipeline needs at least name, source and sinks", Reject("# nothing yet\n"));
        Assert.Equal("p.yaml:7:1: one pipeline per file: a second YAML document starts here; put each pipeline in a file of its own",
            Reject(Source + "sinks: [{type: console}]\n---\nname: q\n"));
    }

    [Fact]
    public void A_certificate_file_that_does_not_exist_is_refused_at_its_property()
    {
        var errors = Reject(Source.Replace("topics: [in]", "topics: [in]\n  properties:\n    security.protocol: SSL\n    ssl.ca.location: /nonexistent/ca.pem") + "sinks: [{type: console}]");
        Assert.Equal("p.yaml:7:5: 'source.properties.ssl.ca.location': no such file: '/nonexistent/ca.pem'", errors);
    }

    [Fact]
    public void Problems_are_listed_in_file_order()
    {
        var errors = Reject(Source.Replace("topics: [in]", "topics: [in]\n  maxRecordsPerBatch: 0") + """
            transforms:
              - type: select
                columns: [{name: a, type: number}]
            sinks: [{type: console}]
            """).Split('\n');
        Assert.Equal(2, errors.Length);
        Assert.StartsWith("p.yaml:5:", errors[0]);
        Assert.StartsWith("p.yaml:8:", errors[1]);
    }

    [Fact]
    public void A_section_that_is_not_a_map_is_one_problem_not_also_its_defaults_rules()
    {
        var errors = Reject("name: p\nsource: [b:9092]\nsinks: [{type: console}]\n");
        Assert.Equal("p.yaml:2:9: 'source' must be a map of keys, not a list", errors);
    }

    [Fact]
    public void CreateTable_without_columns_auto_is_refused_at_the_option()
    {
        var errors = Reject(Source + """
            transforms:
              - type: debezium
                columns: [{name: id}]
            sinks:
              - type: doris
                feNodes: [fe:8030]
                table: db.t
                user: root
                createTable: true
            """);
        Assert.Contains("'sinks[0].createTable': createTable needs the debezium transform's 'columns: auto'", errors);
    }

    [Fact]
    public void Columns_auto_is_accepted_and_excludes_tables()
    {
        var options = PipelineLoader.Parse(Source + """
            transforms:
              - type: debezium
                columns: auto
            sinks: [{type: console}]
            """, "p.yaml", _ => null);
        Assert.True(((Kpipe.Transforms.Cdc.DebeziumOptions)options.Transforms[0]).AutoColumns);
        var errors = Reject(Source + """
            transforms:
              - type: debezium
                columns: auto
                tables: {orders: [{name: id}]}
            sinks: [{type: console}]
            """);
        Assert.Contains("'columns: auto' takes every table's columns from its events; leave 'tables' out", errors);
    }
}
