using System.Text;
using Kpipe.Transforms.Cdc;

namespace Kpipe.Tests.Transforms.Cdc;

public sealed class ConnectSchemaParserTests
{
    /// <summary>
    /// The value of a Debezium MySQL connector event as the JSON converter writes it with schemas enabled, for
    /// <c>inventory.products (id INT, name VARCHAR, weight DOUBLE, price DECIMAL(10,2), released DATE, created_at DATETIME,
    /// updated_at TIMESTAMP, attrs JSON, status ENUM)</c>. The envelope and source block follow the create-event
    /// example of https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-create-events; the
    /// column schemas follow the type tables of the same page (#mysql-data-types): DECIMAL as
    /// org.apache.kafka.connect.data.Decimal with a <c>scale</c> parameter, DATE as io.debezium.time.Date, DATETIME as
    /// io.debezium.time.Timestamp, TIMESTAMP as io.debezium.time.ZonedTimestamp, JSON as io.debezium.data.Json, ENUM
    /// as io.debezium.data.Enum with an <c>allowed</c> parameter. DOUBLE is FLOAT64, which the JSON converter spells
    /// <c>double</c> (JsonSchema.DOUBLE_TYPE_NAME in Kafka's connect/json module).
    /// </summary>
    internal const string MySqlProductsEvent = """
        {
          "schema": {
            "type": "struct",
            "fields": [
              {
                "type": "struct",
                "fields": [
                  { "type": "int32", "optional": false, "field": "id" },
                  { "type": "string", "optional": false, "field": "name" },
                  { "type": "double", "optional": true, "field": "weight" },
                  { "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
                    "parameters": { "scale": "2", "connect.decimal.precision": "10" }, "field": "price" },
                  { "type": "int32", "optional": true, "name": "io.debezium.time.Date", "version": 1, "field": "released" },
                  { "type": "int64", "optional": true, "name": "io.debezium.time.Timestamp", "version": 1, "field": "created_at" },
                  { "type": "string", "optional": true, "name": "io.debezium.time.ZonedTimestamp", "version": 1,
                    "default": "1970-01-01T00:00:00Z", "field": "updated_at" },
                  { "type": "string", "optional": true, "name": "io.debezium.data.Json", "version": 1, "field": "attrs" },
                  { "type": "string", "optional": true, "name": "io.debezium.data.Enum", "version": 1,
                    "parameters": { "allowed": "active,retired" }, "field": "status" }
                ],
                "optional": true,
                "name": "mysql-server-1.inventory.products.Value",
                "field": "before"
              },
              {
                "type": "struct",
                "fields": [
                  { "type": "int32", "optional": false, "field": "id" },
                  { "type": "string", "optional": false, "field": "name" },
                  { "type": "double", "optional": true, "field": "weight" },
                  { "type": "bytes", "optional": true, "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
                    "parameters": { "scale": "2", "connect.decimal.precision": "10" }, "field": "price" },
                  { "type": "int32", "optional": true, "name": "io.debezium.time.Date", "version": 1, "field": "released" },
                  { "type": "int64", "optional": true, "name": "io.debezium.time.Timestamp", "version": 1, "field": "created_at" },
                  { "type": "string", "optional": true, "name": "io.debezium.time.ZonedTimestamp", "version": 1,
                    "default": "1970-01-01T00:00:00Z", "field": "updated_at" },
                  { "type": "string", "optional": true, "name": "io.debezium.data.Json", "version": 1, "field": "attrs" },
                  { "type": "string", "optional": true, "name": "io.debezium.data.Enum", "version": 1,
                    "parameters": { "allowed": "active,retired" }, "field": "status" }
                ],
                "optional": true,
                "name": "mysql-server-1.inventory.products.Value",
                "field": "after"
              },
              {
                "type": "struct",
                "fields": [
                  { "type": "string", "optional": false, "field": "version" },
                  { "type": "string", "optional": false, "field": "connector" },
                  { "type": "string", "optional": false, "field": "name" },
                  { "type": "int64", "optional": false, "field": "ts_ms" },
                  { "type": "string", "optional": true, "name": "io.debezium.data.Enum", "version": 1,
                    "parameters": { "allowed": "true,last,false,incremental" }, "default": "false", "field": "snapshot" },
                  { "type": "string", "optional": false, "field": "db" },
                  { "type": "string", "optional": true, "field": "sequence" },
                  { "type": "string", "optional": true, "field": "table" },
                  { "type": "int64", "optional": false, "field": "server_id" },
                  { "type": "string", "optional": true, "field": "gtid" },
                  { "type": "string", "optional": false, "field": "file" },
                  { "type": "int64", "optional": false, "field": "pos" },
                  { "type": "int32", "optional": false, "field": "row" },
                  { "type": "int64", "optional": true, "field": "thread" },
                  { "type": "string", "optional": true, "field": "query" }
                ],
                "optional": false,
                "name": "io.debezium.connector.mysql.Source",
                "field": "source"
              },
              { "type": "string", "optional": false, "field": "op" },
              { "type": "int64", "optional": true, "field": "ts_ms" },
              {
                "type": "struct",
                "fields": [
                  { "type": "string", "optional": false, "field": "id" },
                  { "type": "int64", "optional": false, "field": "total_order" },
                  { "type": "int64", "optional": false, "field": "data_collection_order" }
                ],
                "optional": true,
                "name": "event.block",
                "version": 1,
                "field": "transaction"
              }
            ],
            "optional": false,
            "name": "mysql-server-1.inventory.products.Envelope",
            "version": 1
          },
          "payload": {
            "before": null,
            "after": {
              "id": 1001,
              "name": "scooter",
              "weight": 3.14,
              "price": "MDk=",
              "released": 19923,
              "created_at": 1721383200000,
              "updated_at": "2024-07-19T18:00:00+08:00",
              "attrs": "{\"color\": \"red\", \"sizes\": [1, 2]}",
              "status": "active"
            },
            "source": {
              "version": "2.7.0.Final", "connector": "mysql", "name": "mysql-server-1", "ts_ms": 1721383200000,
              "snapshot": "false", "db": "inventory", "sequence": null, "table": "products", "server_id": 223344,
              "gtid": null, "file": "mysql-bin.000003", "pos": 154, "row": 0, "thread": 7, "query": null
            },
            "op": "c",
            "ts_ms": 1721383200123,
            "transaction": null
          }
        }
        """;

    /// <summary>
    /// A Debezium PostgreSQL event value schema for <c>public.measurements (id BIGINT, reading NUMERIC, tags TEXT[],
    /// taken_at TIMESTAMP, taken_on DATE, at_time TIME, data JSONB, ref UUID)</c>: NUMERIC without a scale is an
    /// io.debezium.data.VariableScaleDecimal struct of <c>scale</c> and <c>value</c>, TIMESTAMP a MicroTimestamp,
    /// TIME a MicroTime, JSONB io.debezium.data.Json, UUID io.debezium.data.Uuid
    /// (https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-data-types).
    /// </summary>
    internal const string PostgresMeasurementsSchema = """
        {
          "type": "struct",
          "fields": [
            { "type": "struct", "fields": [ { "type": "int64", "optional": false, "field": "id" } ],
              "optional": true, "name": "pg.public.measurements.Value", "field": "before" },
            {
              "type": "struct",
              "fields": [
                { "type": "int64", "optional": false, "field": "id" },
                { "type": "struct", "fields": [
                    { "type": "int32", "optional": false, "field": "scale" },
                    { "type": "bytes", "optional": false, "field": "value" } ],
                  "optional": true, "name": "io.debezium.data.VariableScaleDecimal", "version": 1,
                  "doc": "Variable scaled decimal", "field": "reading" },
                { "type": "array", "items": { "type": "string", "optional": true }, "optional": true, "field": "tags" },
                { "type": "int64", "optional": true, "name": "io.debezium.time.MicroTimestamp", "version": 1, "field": "taken_at" },
                { "type": "int32", "optional": true, "name": "io.debezium.time.Date", "version": 1, "field": "taken_on" },
                { "type": "int64", "optional": true, "name": "io.debezium.time.MicroTime", "version": 1, "field": "at_time" },
                { "type": "string", "optional": true, "name": "io.debezium.data.Json", "version": 1, "field": "data" },
                { "type": "string", "optional": true, "name": "io.debezium.data.Uuid", "version": 1, "field": "ref" }
              ],
              "optional": true, "name": "pg.public.measurements.Value", "field": "after"
            },
            { "type": "struct", "fields": [ { "type": "string", "optional": false, "field": "version" },
                { "type": "int64", "optional": false, "field": "lsn" } ],
              "optional": false, "name": "io.debezium.connector.postgresql.Source", "field": "source" },
            { "type": "string", "optional": false, "field": "op" },
            { "type": "int64", "optional": true, "field": "ts_ms" }
          ],
          "optional": false,
          "name": "pg.public.measurements.Envelope"
        }
        """;

    /// <summary>The bytes of the <c>schema</c> property of a whole message, as the caller would hand them over.</summary>
    internal static byte[] SchemaBytes(string message)
    {
        using var document = System.Text.Json.JsonDocument.Parse(message);
        return Encoding.UTF8.GetBytes(document.RootElement.GetProperty("schema").GetRawText());
    }

    private static ConnectFieldSchema Parse(string json) => ConnectSchemaParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void MySqlEnvelopeParses()
    {
        var root = ConnectSchemaParser.Parse(SchemaBytes(MySqlProductsEvent));

        Assert.Equal("", root.Field);
        Assert.Equal("struct", root.Type);
        Assert.Equal("mysql-server-1.inventory.products.Envelope", root.Name);
        Assert.False(root.Optional);
        Assert.Equal(["before", "after", "source", "op", "ts_ms", "transaction"], root.Fields.Select(f => f.Field));

        var after = ConnectSchemaParser.FindField(root, "after");
        Assert.NotNull(after);
        Assert.Equal("struct", after.Type);
        Assert.True(after.Optional);
        Assert.Equal("mysql-server-1.inventory.products.Value", after.Name);

        var price = ConnectSchemaParser.FindField(after, "price");
        Assert.NotNull(price);
        Assert.Equal("bytes", price.Type);
        Assert.Equal("org.apache.kafka.connect.data.Decimal", price.Name);
        Assert.Equal("2", price.Parameters["scale"]);
        Assert.Equal("10", price.Parameters["connect.decimal.precision"]);
        Assert.True(price.Optional);
        Assert.Empty(price.Fields);

        var id = ConnectSchemaParser.FindField(after, "id")!;
        Assert.Equal("int32", id.Type);
        Assert.Null(id.Name);
        Assert.False(id.Optional);
        Assert.Empty(id.Parameters);

        Assert.Equal("float64", ConnectSchemaParser.FindField(after, "weight")!.Type);
        Assert.Equal("io.debezium.time.Timestamp", ConnectSchemaParser.FindField(after, "created_at")!.Name);
        Assert.Equal("io.debezium.time.ZonedTimestamp", ConnectSchemaParser.FindField(after, "updated_at")!.Name);
        var snapshot = ConnectSchemaParser.FindField(ConnectSchemaParser.FindField(root, "source")!, "snapshot")!;
        Assert.Equal("true,last,false,incremental", snapshot.Parameters["allowed"]);
        Assert.Equal("string", ConnectSchemaParser.FindField(root, "op")!.Type);
        Assert.Equal("event.block", ConnectSchemaParser.FindField(root, "transaction")!.Name);
    }

    [Fact]
    public void FindFieldIsExactAndMissesGiveNull()
    {
        var after = ConnectSchemaParser.FindField(ConnectSchemaParser.Parse(SchemaBytes(MySqlProductsEvent)), "after")!;
        Assert.Null(ConnectSchemaParser.FindField(after, "nope"));
        Assert.Null(ConnectSchemaParser.FindField(after, "Price"));
        Assert.Null(ConnectSchemaParser.FindField(ConnectSchemaParser.FindField(after, "id")!, "id"));
    }

    [Fact]
    public void PostgresEnvelopeParses()
    {
        var after = ConnectSchemaParser.FindField(Parse(PostgresMeasurementsSchema), "after")!;

        var reading = ConnectSchemaParser.FindField(after, "reading")!;
        Assert.Equal("struct", reading.Type);
        Assert.Equal("io.debezium.data.VariableScaleDecimal", reading.Name);
        Assert.Equal(["scale", "value"], reading.Fields.Select(f => f.Field));
        Assert.Equal(["int32", "bytes"], reading.Fields.Select(f => f.Type));

        var tags = ConnectSchemaParser.FindField(after, "tags")!;
        Assert.Equal("array", tags.Type);
        var items = Assert.Single(tags.Fields);
        Assert.Equal("items", items.Field);
        Assert.Equal("string", items.Type);
        Assert.True(items.Optional);

        Assert.Equal("io.debezium.time.MicroTimestamp", ConnectSchemaParser.FindField(after, "taken_at")!.Name);
        Assert.Equal("io.debezium.data.Uuid", ConnectSchemaParser.FindField(after, "ref")!.Name);
    }

    [Fact]
    public void MapHasKeysAndValues()
    {
        var map = Parse("""{"type": "map", "keys": {"type": "string"}, "values": {"type": "int64", "optional": true}, "field": "m"}""");
        Assert.Equal("m", map.Field);
        Assert.Equal(["keys", "values"], map.Fields.Select(f => f.Field));
        Assert.Equal(["string", "int64"], map.Fields.Select(f => f.Type));
    }

    [Theory]
    [InlineData("double", "float64")]
    [InlineData("float", "float32")]
    [InlineData("float64", "float64")]
    [InlineData("float32", "float32")]
    [InlineData("Boolean", "boolean")]
    public void TypesUseConnectsNames(string written, string type) =>
        Assert.Equal(type, Parse($$"""{"type": "{{written}}"}""").Type);

    [Fact]
    public void OptionalDefaultsToFalseAndTypesAreLowerCased()
    {
        var schema = Parse("""{"type": "INT64"}""");
        Assert.Equal("int64", schema.Type);
        Assert.False(schema.Optional);
        Assert.Null(schema.Name);
    }

    [Fact]
    public void NumericParametersKeepTheirText()
    {
        var schema = Parse("""{"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": 2, "x": true, "y": null}}""");
        Assert.Equal("2", schema.Parameters["scale"]);
        Assert.Equal("true", schema.Parameters["x"]);
        Assert.False(schema.Parameters.ContainsKey("y"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("[]", "JSON object, not an array")]
    [InlineData("\"struct\"", "JSON object, not a string")]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"type\": \"int32\"} x", "not valid JSON")]
    [InlineData("{\"type\": \"int32\"} {}", "not valid JSON")]
    [InlineData("{\"name\": \"x\"}", "needs a 'type'")]
    [InlineData("{\"type\": 5}", "'type' must be a string")]
    [InlineData("{\"type\": \"int128\"}", "unknown Kafka Connect type 'int128'")]
    [InlineData("{\"type\": \"int32\", \"optional\": \"yes\"}", "'optional' must be true or false")]
    [InlineData("{\"type\": \"struct\", \"fields\": {}}", "'fields' must be an array")]
    [InlineData("{\"type\": \"struct\", \"fields\": [5]}", "must be an object")]
    [InlineData("{\"type\": \"struct\", \"fields\": [{\"type\": \"int32\"}]}", "needs a 'field' name")]
    [InlineData("{\"type\": \"struct\", \"fields\": [{\"type\": \"int32\", \"field\": \"a\"}, {\"type\": \"int64\", \"field\": \"a\"}]}", "'a' is repeated")]
    [InlineData("{\"type\": \"struct\", \"fields\": [{\"field\": \"price\"}]}", "$.fields[0] (field 'price'): a Kafka Connect schema needs a 'type'")]
    [InlineData("{\"type\": \"array\"}", "needs 'items'")]
    [InlineData("{\"type\": \"map\", \"keys\": {\"type\": \"string\"}}", "needs 'keys' and 'values'")]
    [InlineData("{\"type\": \"bytes\", \"parameters\": {\"scale\": {}}}", "parameter 'scale' must be a string")]
    [InlineData("{\"type\": \"bytes\", \"parameters\": []}", "'parameters' must be an object")]
    [InlineData("{\"schema\": {\"type\": \"struct\"}, \"payload\": {}}", "pass the value of the message's 'schema' property")]
    public void MalformedSchemasThrowFormatException(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNestingIsAFormatExceptionNotAStackOverflow()
    {
        var json = string.Concat(Enumerable.Repeat("{\"type\": \"array\", \"items\": ", 200)) + "{\"type\": \"int32\"}" + new string('}', 200);
        Assert.Throws<FormatException>(() => Parse(json));
    }
}
