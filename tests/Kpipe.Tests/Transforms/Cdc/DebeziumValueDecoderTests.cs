using System.Globalization;
using System.Text;
using System.Text.Json;
using Kpipe.Rows;
using Kpipe.Transforms.Cdc;

using static Kpipe.Tests.Transforms.CellHarness;

namespace Kpipe.Tests.Transforms.Cdc;

/// <summary>
/// One test per encoding in docs/cdc-types.md. Expected values come from the pages cited beside them; where a page
/// gives no example the value is worked out by hand in the comment. Cells are rendered as in ValueConverterTests:
/// <c>NULL</c> is a null cell, timestamps are <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, and <c>!text</c> is an error
/// containing text.
/// </summary>
public sealed class DebeziumValueDecoderTests
{

    // Pages the expected values are taken from.
    private const string PostgresTypes = "https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-data-types";
    private const string MySqlTypes = "https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-data-types";

    private static string Schema(string type, string? name = null, string? parameters = null) =>
        $$"""{"type": "{{type}}"{{(name is null ? "" : $", \"name\": \"{name}\"")}}{{(parameters is null ? "" : $", \"parameters\": {parameters}")}}, "field": "v"}""";

    /// <summary>Decodes <paramref name="json"/> as the value of <c>{"v": ...}</c> with <paramref name="schema"/> into a
    /// one-column batch and checks the reader can go on to the closing brace.</summary>
    private static string Decode(string schema, string type, string json, TimeZoneInfo? zone = null)
    {
        var fieldSchema = ConnectSchemaParser.Parse(Encoding.UTF8.GetBytes(schema));
        return CellHarness.Run(type, Encoding.UTF8.GetBytes($$"""{"v": {{json}}}"""),
            (ReadOnlySpan<byte> d, ref Utf8JsonReader r, ColumnVector c, int row, out string? e) =>
                DebeziumValueDecoder.TryWrite(d, ref r, fieldSchema, c, row, zone ?? TimeZoneInfo.Utc, out e));
    }

    // ---- dates: int32 days since 1970-01-01 ----
    // io.debezium.time.Date "Represents the number of days since the epoch" (PostgresTypes, MySqlTypes, temporal
    // types); org.apache.kafka.connect.data.Date is the same count in time.precision.mode=connect.
    // 2024-07-19 is 19923 days after 1970-01-01 (54 years of 365 days + 13 leap days + 200 days into 2024).

    [Theory]
    [InlineData("io.debezium.time.Date", "date", "19923", "2024-07-19")]
    [InlineData("io.debezium.time.Date", "timestamp", "19923", "2024-07-19T00:00:00.000000Z")]
    [InlineData("io.debezium.time.Date", "string", "19923", "2024-07-19")]
    [InlineData("io.debezium.time.Date", "json", "19923", "\"2024-07-19\"")]
    [InlineData("io.debezium.time.Date", "long", "19923", "19923")]
    [InlineData("io.debezium.time.Date", "int", "19923", "19923")]
    [InlineData("io.debezium.time.Date", "date", "0", "1970-01-01")]
    [InlineData("io.debezium.time.Date", "date", "-1", "1969-12-31")]
    [InlineData("io.debezium.time.Date", "string", "-719162", "0001-01-01")]
    [InlineData("io.debezium.time.Date", "date", "2932896", "9999-12-31")]
    [InlineData("io.debezium.time.Date", "date", "2932897", "!out of range for date (years 0001 to 9999)")]
    [InlineData("io.debezium.time.Date", "string", "-719163", "!out of range for date")]
    [InlineData("io.debezium.time.Date", "bool", "19923", "!io.debezium.time.Date cannot be cast to bool")]
    [InlineData("io.debezium.time.Date", "double", "19923", "!cannot be cast to double")]
    [InlineData("io.debezium.time.Date", "date", "19923.5", "!not a whole number")]
    [InlineData("io.debezium.time.Date", "date", "1.9923e4", "2024-07-19")]
    [InlineData("io.debezium.time.Date", "date", "null", Null)]
    [InlineData("org.apache.kafka.connect.data.Date", "date", "19923", "2024-07-19")]
    [InlineData("org.apache.kafka.connect.data.Date", "timestamp", "19923", "2024-07-19T00:00:00.000000Z")]
    [InlineData("org.apache.kafka.connect.data.Date", "string", "19923", "2024-07-19")]
    public void Dates(string name, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("int32", name), type, json));

    [Fact]
    public void ADateWrittenAsAStringGoesThroughTheGenericRules() =>
        Assert.Equal("2024-07-19", Decode(Schema("string", "io.debezium.time.Date"), "date", "\"2024-07-19\""));

    // ---- times of day ----
    // io.debezium.time.Time: int32 milliseconds past midnight; MicroTime: int64 microseconds past midnight
    // (PostgresTypes, temporal types, time.precision.mode=adaptive); NanoTime: int64 nanoseconds past midnight;
    // org.apache.kafka.connect.data.Time: "the number of milliseconds after midnight"
    // (https://kafka.apache.org/36/javadoc/org/apache/kafka/connect/data/Time.html).
    // 10:00:00 is 36000 s: 36000000 ms, 36000000000 µs, 36000000000000 ns.

    [Theory]
    [InlineData("io.debezium.time.Time", "int32", "string", "36000000", "10:00:00")]
    [InlineData("io.debezium.time.Time", "int32", "string", "36000123", "10:00:00.123000")]
    [InlineData("io.debezium.time.Time", "int32", "long", "36000123", "36000123000")]
    [InlineData("io.debezium.time.Time", "int32", "json", "0", "\"00:00:00\"")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "36000000000", "10:00:00")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "36000123456", "10:00:00.123456")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "86399999999", "23:59:59.999999")]
    [InlineData("io.debezium.time.MicroTime", "int64", "long", "36000123456", "36000123456")]
    [InlineData("io.debezium.time.MicroTime", "int64", "int", "36000123456", "!out of range for int")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "86400000000", "!out of range for a time of day")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "-1", "!out of range for a time of day")]
    [InlineData("io.debezium.time.MicroTime", "int64", "long", "86400000000", "86400000000")]
    [InlineData("io.debezium.time.MicroTime", "int64", "timestamp", "36000000000", "!cannot be cast to timestamp; declare the column as string or long")]
    [InlineData("io.debezium.time.NanoTime", "int64", "string", "36000123456789", "10:00:00.123456")]
    [InlineData("io.debezium.time.NanoTime", "int64", "long", "36000123456789", "36000123456")]
    [InlineData("org.apache.kafka.connect.data.Time", "int32", "string", "36000000", "10:00:00")]
    [InlineData("org.apache.kafka.connect.data.Time", "int32", "long", "1", "1000")]
    [InlineData("io.debezium.time.MicroTime", "int64", "string", "null", Null)]
    public void TimesOfDay(string name, string connectType, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema(connectType, name), type, json));

    // ---- zoneless timestamps ----
    // io.debezium.time.Timestamp (ms), MicroTimestamp (µs), NanoTimestamp (ns) "does not include timezone
    // information" and are the source's wall clock counted as UTC (PostgresTypes, #postgresql-timestamp-type):
    //   PostgreSQL TIMESTAMP "2018-06-20 15:13:16.945104" is MicroTimestamp 1529507596945104;
    //   MySQL DATETIME "2018-06-20 06:37:03" becomes 1529476623000 (MySqlTypes, #mysql-temporal-types).
    // 2024-07-19T10:00:00Z is 1721383200 s.

    [Theory]
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "1529507596945104", "2018-06-20T15:13:16.945104Z")]
    [InlineData("io.debezium.time.MicroTimestamp", "string", "1529507596945104", "2018-06-20T15:13:16.945104")]
    [InlineData("io.debezium.time.MicroTimestamp", "date", "1529507596945104", "2018-06-20")]
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "1721383200000000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("io.debezium.time.MicroTimestamp", "string", "1721383200000000", "2024-07-19T10:00:00")]
    [InlineData("io.debezium.time.MicroTimestamp", "json", "1721383200000000", "\"2024-07-19T10:00:00\"")]
    [InlineData("io.debezium.time.MicroTimestamp", "long", "1721383200000000", "1721383200000000")]
    [InlineData("io.debezium.time.Timestamp", "timestamp", "1529476623000", "2018-06-20T06:37:03.000000Z")]
    [InlineData("io.debezium.time.Timestamp", "string", "1529476623000", "2018-06-20T06:37:03")]
    [InlineData("io.debezium.time.Timestamp", "date", "1529476623000", "2018-06-20")]
    [InlineData("io.debezium.time.Timestamp", "long", "1529476623000", "1529476623000000")]
    [InlineData("io.debezium.time.Timestamp", "timestamp", "1721383200123", "2024-07-19T10:00:00.123000Z")]
    [InlineData("io.debezium.time.NanoTimestamp", "timestamp", "1721383200123456789", "2024-07-19T10:00:00.123456Z")]
    [InlineData("io.debezium.time.NanoTimestamp", "string", "1721383200123456789", "2024-07-19T10:00:00.123456")]
    [InlineData("io.debezium.time.NanoTimestamp", "timestamp", "-1", "1969-12-31T23:59:59.999999Z")]
    [InlineData("org.apache.kafka.connect.data.Timestamp", "timestamp", "1721383200000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("org.apache.kafka.connect.data.Timestamp", "date", "-1", "1969-12-31")]
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "-62135596800000000", "0001-01-01T00:00:00.000000Z")]
    [InlineData("io.debezium.time.MicroTimestamp", "string", "-62135596800000000", "0001-01-01T00:00:00")]
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "-62135596800000001", "!out of range for timestamp (years 0001 to 9999)")]
    // PostgreSQL's +infinity and -infinity are sent as these (PostgresTypes, #postgresql-timestamp-type).
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "9223372036825200000", "!out of range for timestamp")]
    [InlineData("io.debezium.time.MicroTimestamp", "string", "-9223372036832400000", "!out of range for timestamp")]
    [InlineData("io.debezium.time.Timestamp", "timestamp", "9223372036825200000", "!out of range for timestamp")]
    [InlineData("io.debezium.time.MicroTimestamp", "bool", "1721383200000000", "!cannot be cast to bool")]
    [InlineData("io.debezium.time.MicroTimestamp", "int", "1721383200000000", "!out of range for int")]
    [InlineData("io.debezium.time.MicroTimestamp", "timestamp", "null", Null)]
    public void ZonelessTimestamps(string name, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("int64", name), type, json));

    [Fact]
    public void ZonelessTimestampsIgnoreTheZone()
    {
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        Assert.Equal("2024-07-19T10:00:00.000000Z",
            Decode(Schema("int64", "io.debezium.time.MicroTimestamp"), "timestamp", "1721383200000000", shanghai));
        // Whereas a plain zoneless string is read in the zone, as ValueConverter does.
        Assert.Equal("2024-07-19T10:00:00.000000Z", Decode(Schema("string"), "timestamp", "\"2024-07-19 18:00:00\"", shanghai));
    }

    // ---- zoned values: strings ----
    // io.debezium.time.ZonedTimestamp: "A string representation of a timestamp with timezone information"
    // (PostgresTypes); MySQL TIMESTAMP "2018-06-20 06:37:03" in America/Los_Angeles is "2018-06-20T13:37:03Z"
    // (MySqlTypes, #mysql-temporal-types). io.debezium.time.ZonedTime is the same for TIMETZ.

    [Theory]
    [InlineData("io.debezium.time.ZonedTimestamp", "timestamp", "\"2018-06-20T13:37:03Z\"", "2018-06-20T13:37:03.000000Z")]
    [InlineData("io.debezium.time.ZonedTimestamp", "timestamp", "\"2024-07-19T18:00:00+08:00\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("io.debezium.time.ZonedTimestamp", "timestamp", "\"2024-07-19T10:00:00.123456789Z\"", "2024-07-19T10:00:00.123456Z")]
    [InlineData("io.debezium.time.ZonedTimestamp", "string", "\"2024-07-19T18:00:00+08:00\"", "2024-07-19T18:00:00+08:00")]
    [InlineData("io.debezium.time.ZonedTimestamp", "date", "\"2024-07-19T18:00:00+08:00\"", "2024-07-19")]
    [InlineData("io.debezium.time.ZonedTimestamp", "timestamp", "\"infinity\"", "!not an ISO-8601 timestamp")]
    [InlineData("io.debezium.time.ZonedTime", "string", "\"10:15:30.123456Z\"", "10:15:30.123456Z")]
    public void ZonedStrings(string name, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("string", name), type, json));

    // ---- fixed-scale decimals: org.apache.kafka.connect.data.Decimal ----
    // "The underlying representation of this type is bytes containing a two's complement integer", the value being
    // unscaled * 10^-scale (https://kafka.apache.org/36/javadoc/org/apache/kafka/connect/data/Decimal.html); "The
    // scale schema parameter contains an integer that represents how many digits the decimal point shifted"
    // (MySqlTypes, #mysql-decimal-types). The JSON converter writes bytes as base64. By hand:
    //   12345 = 0x30 0x39 -> "MDk="; -1 = 0xFF -> "/w=="; -12345 = 0xCF 0xC7 -> "z8c="; -5 = 0xFB -> "+w==";
    //   128 needs a sign byte, 0x00 0x80 -> "AIA="; 0 -> "AA==".

    [Theory]
    [InlineData("2", "string", "\"MDk=\"", "123.45")]
    [InlineData("2", "decimal(10,2)", "\"MDk=\"", "123.45")]
    [InlineData("2", "decimal(10,4)", "\"MDk=\"", "123.4500")]
    [InlineData("2", "decimal(10,1)", "\"MDk=\"", "123.5")]
    [InlineData("2", "decimal(10,0)", "\"MDk=\"", "123")]
    [InlineData("2", "decimal(5,3)", "\"MDk=\"", "!does not fit decimal(5,3)")]
    [InlineData("2", "double", "\"MDk=\"", "123.45")]
    [InlineData("2", "json", "\"MDk=\"", "123.45")]
    [InlineData("2", "long", "\"MDk=\"", "!not a whole number")]
    [InlineData("0", "long", "\"MDk=\"", "12345")]
    [InlineData("0", "int", "\"MDk=\"", "12345")]
    [InlineData("2", "bool", "\"MDk=\"", "!a decimal cannot be cast to bool")]
    [InlineData("2", "timestamp", "\"MDk=\"", "!a decimal cannot be cast to timestamp")]
    [InlineData("0", "string", "\"/w==\"", "-1")]
    [InlineData("2", "string", "\"/w==\"", "-0.01")]
    [InlineData("2", "decimal(10,2)", "\"/w==\"", "-0.01")]
    [InlineData("2", "decimal(10,1)", "\"/w==\"", "0.0")]
    [InlineData("2", "string", "\"z8c=\"", "-123.45")]
    [InlineData("3", "decimal(10,2)", "\"z8c=\"", "-12.35")]
    [InlineData("2", "string", "\"+w==\"", "-0.05")]
    [InlineData("2", "string", "\"\\u002Bw==\"", "-0.05")]
    [InlineData("0", "string", "\"AIA=\"", "128")]
    [InlineData("5", "string", "\"AIA=\"", "0.00128")]
    [InlineData("2", "string", "\"AA==\"", "0.00")]
    [InlineData("-2", "string", "\"MDk=\"", "1234500")]
    [InlineData("-2", "decimal(10,2)", "\"MDk=\"", "1234500.00")]
    [InlineData("2", "string", "\"MDk\"", "!not a base64 decimal")]
    [InlineData("2", "string", "\"\"", "!not a base64 decimal")]
    [InlineData("2", "string", "null", Null)]
    public void FixedScaleDecimals(string scale, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("bytes", "org.apache.kafka.connect.data.Decimal", $$"""{"scale": "{{scale}}", "connect.decimal.precision": "10"}"""), type, json));

    [Theory]
    // 10^38 - 1, the largest decimal(38,0), in 16 bytes: stays exact.
    [InlineData("0", "decimal(38,0)", "\"SztMqFqGxHoJiiI//////w==\"", "99999999999999999999999999999999999999")]
    [InlineData("2", "decimal(38,2)", "\"SztMqFqGxHoJiiI//////w==\"", "999999999999999999999999999999999999.99")]
    // Int128's minimum, -2^127, in 16 bytes and sign-extended to 17: the same number.
    [InlineData("0", "string", "\"gAAAAAAAAAAAAAAAAAAAAA==\"", "-170141183460469231731687303715884105728")]
    [InlineData("0", "string", "\"/4AAAAAAAAAAAAAAAAAAAAA=\"", "-170141183460469231731687303715884105728")]
    // 10^40 takes 17 bytes.
    [InlineData("2", "string", "\"HWMp8cNcpL+rufVhAAAAAAA=\"", "100000000000000000000000000000000000000.00")]
    [InlineData("2", "decimal(38,0)", "\"HWMp8cNcpL+rufVhAAAAAAA=\"", "!does not fit decimal(38,0)")]
    [InlineData("2", "double", "\"HWMp8cNcpL+rufVhAAAAAAA=\"", "1E+38")]
    [InlineData("40", "decimal(38,38)", "\"HWMp8cNcpL+rufVhAAAAAAA=\"", "!does not fit decimal(38,38)")]
    [InlineData("41", "decimal(38,38)", "\"HWMp8cNcpL+rufVhAAAAAAA=\"", "0.10000000000000000000000000000000000000")]
    public void LargeDecimals(string scale, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("bytes", "org.apache.kafka.connect.data.Decimal", $$"""{"scale": "{{scale}}"}"""), type, json));

    [Fact]
    public void LongPlainTextUsesPooledBuffers()
    {
        // A scale of 300 writes 302 characters, past the stack buffer.
        var text = Decode(Schema("bytes", "org.apache.kafka.connect.data.Decimal", """{"scale": "300"}"""), "string", "\"MDk=\"");
        Assert.Equal("0." + new string('0', 295) + "12345", text);
    }

    [Theory]
    [InlineData(null, "!no whole 'scale' parameter")]
    [InlineData("""{"scale": "two"}""", "!no whole 'scale' parameter")]
    [InlineData("""{"scale": "100000"}""", "!decimal scale out of range")]
    public void DecimalSchemaProblemsAreCellErrors(string? parameters, string expected) =>
        AssertCell(expected, Decode(Schema("bytes", "org.apache.kafka.connect.data.Decimal", parameters), "string", "\"MDk=\""));

    // decimal.handling.mode=string writes DECIMAL as a STRING, =double as a FLOAT64 (MySqlTypes, #mysql-decimal-types);
    // the JSON converter's decimal.format=NUMERIC writes a Decimal as a JSON number
    // (https://cwiki.apache.org/confluence/display/KAFKA/KIP-481:+SerDe+Improvements+for+Connect+Decimal+type+in+JSON).
    [Theory]
    [InlineData("string", null, "decimal(10,2)", "\"123.45\"", "123.45")]
    [InlineData("string", null, "decimal(10,1)", "\"123.45\"", "123.5")]
    [InlineData("double", null, "double", "123.45", "123.45")]
    [InlineData("double", null, "decimal(10,2)", "123.45", "123.45")]
    [InlineData("bytes", "org.apache.kafka.connect.data.Decimal", "decimal(10,2)", "123.45", "123.45")]
    [InlineData("string", "org.apache.kafka.connect.data.Decimal", "decimal(10,2)", "\"123.45\"", "123.45")]
    [InlineData("bytes", "org.apache.kafka.connect.data.Decimal", "string", "123.45", "123.45")]
    public void DecimalsInOtherHandlingModesUseTheGenericRules(string connectType, string? name, string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema(connectType, name, name is null ? null : """{"scale": "2"}"""), type, json));

    // ---- io.debezium.data.VariableScaleDecimal ----
    // "Contains a structure with two fields: scale of type INT32 that contains the scale of the transferred value and
    // value of type BYTES containing the original value in an unscaled form" (PostgresTypes, #postgresql-decimal-types).

    [Theory]
    [InlineData("""{"scale": 2, "value": "MDk="}""", "string", "123.45")]
    [InlineData("""{"value": "MDk=", "scale": 2}""", "decimal(10,2)", "123.45")]
    [InlineData("""{"scale": 3, "value": "MDk="}""", "decimal(10,2)", "12.35")]
    [InlineData("""{"scale": 0, "value": "/w=="}""", "long", "-1")]
    [InlineData("""{"scale": 4, "value": "z8c="}""", "double", "-1.2345")]
    [InlineData("""{"scale": 2, "value": "MDk=", "extra": {"a": [1, 2]}}""", "string", "123.45")]
    [InlineData("""{"scale": 2, "value": "\u002Bw=="}""", "string", "-0.05")]
    [InlineData("""{"scale": 2, "value": null}""", "string", Null)]
    [InlineData("""{"scale": 2}""", "string", "!needs both 'scale' and 'value'")]
    [InlineData("""{"value": "MDk="}""", "string", "!needs both 'scale' and 'value'")]
    [InlineData("""{"scale": "2", "value": "MDk="}""", "string", "!scale of a VariableScaleDecimal is not a 32-bit integer")]
    [InlineData("""{"scale": 2, "value": 12345}""", "string", "!not a base64 string")]
    [InlineData("""{"scale": 2, "value": "MDk="}""", "date", "!a decimal cannot be cast to date")]
    [InlineData("null", "decimal(10,2)", Null)]
    public void VariableScaleDecimals(string json, string type, string expected) =>
        AssertCell(expected, Decode(
            """{"type": "struct", "name": "io.debezium.data.VariableScaleDecimal", "fields": [{"type": "int32", "field": "scale"}, {"type": "bytes", "field": "value"}], "field": "v"}""",
            type, json));

    // ---- io.debezium.data.Json and other strings ----
    // io.debezium.data.Json "Contains the string representation of a JSON document, array, or scalar"; Uuid, Xml and
    // Enum are strings too (PostgresTypes, #postgresql-basic-types); EnumSet is MySQL's SET (MySqlTypes).

    [Theory]
    [InlineData("json", "\"{\\\"a\\\": 1}\"", "{\"a\": 1}")]
    [InlineData("json", "\"[1, 2]\"", "[1, 2]")]
    [InlineData("json", "\"42\"", "42")]
    [InlineData("json", "\"\\\"caf\\u00e9\\\"\"", "\"café\"")]
    [InlineData("json", "\"{\\\"a\\\": \"", "!not valid JSON text")]
    [InlineData("json", "\"{} {}\"", "!not valid JSON text")]
    [InlineData("json", "\"\"", "!not valid JSON text")]
    [InlineData("string", "\"{\\\"a\\\": 1}\"", "{\"a\": 1}")]
    [InlineData("json", "null", Null)]
    public void JsonDocuments(string type, string json, string expected) =>
        AssertCell(expected, Decode(Schema("string", "io.debezium.data.Json"), type, json));

    [Fact]
    public void LongJsonDocumentsWithEscapesUsePooledBuffers()
    {
        var inner = "{\"k\": \"" + new string('x', 400) + "\"}";
        var json = JsonSerializer.Serialize(inner);
        Assert.Equal(inner, Decode(Schema("string", "io.debezium.data.Json"), "json", json));
    }

    [Theory]
    [InlineData("io.debezium.data.Uuid", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")]
    [InlineData("io.debezium.data.Enum", "\"active\"", "active")]
    [InlineData("io.debezium.data.EnumSet", "\"a,b\"", "a,b")]
    [InlineData("io.debezium.data.Xml", "\"<a>1</a>\"", "<a>1</a>")]
    public void SemanticStrings(string name, string json, string expected) =>
        Assert.Equal(expected, Decode(Schema("string", name), "string", json));

    // ---- bytes without a name: base64 text ----
    // BYTEA/BLOB are raw bytes by default (binary.handling.mode=bytes), which the JSON converter writes as base64
    // (PostgresTypes, #postgresql-basic-types). kpipe keeps the base64 text: 0x01 0x02 0x03 -> "AQID".
    [Theory]
    [InlineData("string", "\"AQID\"", "AQID")]
    [InlineData("json", "\"AQID\"", "\"AQID\"")]
    [InlineData("string", "\"a\\/b=\"", "a/b=")]
    public void BytesKeepTheirBase64(string type, string json, string expected) =>
        Assert.Equal(expected, Decode(Schema("bytes"), type, json));

    // ---- everything else: the generic rules of docs/types.md ----
    [Theory]
    [InlineData("int32", null, "int", "42", "42")]
    [InlineData("int64", null, "long", "9223372036854775807", "9223372036854775807")]
    [InlineData("float64", null, "double", "1.5", "1.5")]
    [InlineData("double", null, "double", "1.5", "1.5")]
    [InlineData("boolean", null, "bool", "true", "true")]
    [InlineData("string", null, "string", "\"caf\\u00e9\"", "café")]
    [InlineData("int32", "io.debezium.time.Year", "int", "2024", "2024")]
    [InlineData("int64", "io.debezium.time.MicroDuration", "long", "3600000000", "3600000000")]
    [InlineData("string", "some.custom.Type", "string", "\"x\"", "x")]
    [InlineData("int64", null, "timestamp", "1721383200000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("struct", "io.debezium.data.geometry.Point", "json", "{\"x\": 1.5, \"y\": 2}", "{\"x\": 1.5, \"y\": 2}")]
    [InlineData("int32", null, "int", "null", Null)]
    public void OtherValuesUseTheGenericRules(string connectType, string? name, string type, string json, string expected)
    {
        var schema = connectType == "struct"
            ? $$"""{"type": "struct", "name": "{{name}}", "fields": [{"type": "float64", "field": "x"}, {"type": "float64", "field": "y"}], "field": "v"}"""
            : Schema(connectType, name);
        AssertCell(expected, Decode(schema, type, json));
    }

    [Fact]
    public void ArraysUseTheGenericRules() =>
        Assert.Equal("[\"a\", \"b\"]", Decode("""{"type": "array", "items": {"type": "string"}, "field": "v"}""", "json", "[\"a\", \"b\"]"));

    // An array whose elements carry a semantic type decodes each element as a json cell would (PostgreSQL date[]:
    // 19723 days is 2024-01-01; MicroTimestamp 1641031200000000 µs is 2022-01-01T10:00:00; MicroTime 36000000000 µs
    // is 10:00:00).
    [Theory]
    [InlineData("io.debezium.time.Date", "int32", "json", "[19723, 19724]", "[\"2024-01-01\",\"2024-01-02\"]")]
    [InlineData("io.debezium.time.Date", "int32", "string", "[19723, null]", "[\"2024-01-01\",null]")]
    [InlineData("io.debezium.time.MicroTimestamp", "int64", "json", "[1641031200000000]", "[\"2022-01-01T10:00:00\"]")]
    [InlineData("io.debezium.time.MicroTime", "int64", "json", "[36000000000, 39600000000]", "[\"10:00:00\",\"11:00:00\"]")]
    [InlineData("io.debezium.data.Json", "string", "json", "[\"{\\\"key\\\": \\\"value1\\\"}\"]", "[{\"key\": \"value1\"}]")]
    [InlineData("io.debezium.time.Date", "int32", "json", "[]", "[]")]
    [InlineData("io.debezium.time.Date", "int32", "json", "[1.5]", "!element 0: not a whole number")]
    public void Arrays_of_semantic_types_decode_element_by_element(string name, string itemType, string column, string json, string expected) =>
        AssertCell(expected, Decode($$"""{"type": "array", "items": {"type": "{{itemType}}", "name": "{{name}}"}, "field": "v"}""", column, json));

    // io.debezium.data.Bits: MySQL BIT(n > 1), the fewest little-endian bytes holding n bits (MySqlTypes). "BQ==" is
    // the single byte 5; "AAE=" is the bytes 00 01, i.e. 256 when read little-endian.
    [Theory]
    [InlineData("\"BQ==\"", "long", "5")]
    [InlineData("\"AAE=\"", "long", "256")]
    [InlineData("\"BQ==\"", "string", "000000000101")]
    [InlineData("\"AAE=\"", "string", "000100000000")]
    [InlineData("\"BQ==\"", "bool", "true")]
    [InlineData("\"AA==\"", "bool", "false")]
    [InlineData("\"BQ==\"", "json", "5")]
    [InlineData("\"not base64\"", "long", "!not a base64 Bits value")]
    [InlineData("\"BQ==\"", "date", "!io.debezium.data.Bits cannot be cast to date")]
    public void Bits_are_little_endian_bytes_of_the_declared_length(string json, string column, string expected) =>
        AssertCell(expected, Decode(Schema("bytes", "io.debezium.data.Bits", """{"length": "12"}"""), column, json));

    // ---- a whole event ----

    /// <summary>Decodes every column of the <c>after</c> struct of the MySQL fixture the way a CDC transform would:
    /// parse the schema once, then walk the payload and decode each field with its schema.</summary>
    [Fact]
    public void DecodesTheAfterImageOfAMySqlEvent()
    {
        var root = ConnectSchemaParser.Parse(ConnectSchemaParserTests.SchemaBytes(ConnectSchemaParserTests.MySqlProductsEvent));
        var after = ConnectSchemaParser.FindField(root, "after")!;
        (string Name, string Type)[] columns =
        [
            ("id", "int"), ("name", "string"), ("weight", "double"), ("price", "decimal(10,2)"), ("released", "date"), ("created_at", "timestamp"),
            ("updated_at", "timestamp"), ("attrs", "json"), ("status", "string"),
        ];
        using var batch = new RowBatch(new RowSchema(columns.Select(c =>
        {
            Assert.True(ColumnType.TryParse(c.Type, out var t));
            return (c.Name, t);
        }).ToArray()));
        var row = batch.AddRow(0);

        var document = Encoding.UTF8.GetBytes(ConnectSchemaParserTests.MySqlProductsEvent);
        var reader = new Utf8JsonReader(document);
        var seen = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("after"u8) || reader.CurrentDepth != 2) continue;
            reader.Read();
            Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var field = ConnectSchemaParser.FindField(after, name)!;
                var index = batch.Schema.IndexOf(name);
                Assert.True(DebeziumValueDecoder.TryWrite(document, ref reader, field, batch.Columns[index], row, TimeZoneInfo.Utc, out var error), error);
                seen++;
            }
        }

        Assert.Equal(columns.Length, seen);
        string Cell(string name) => Render(batch.Columns[batch.Schema.IndexOf(name)], row);
        Assert.Equal("1001", Cell("id"));
        Assert.Equal("scooter", Cell("name"));
        Assert.Equal("3.14", Cell("weight"));
        Assert.Equal("123.45", Cell("price"));
        Assert.Equal("2024-07-19", Cell("released"));
        Assert.Equal("2024-07-19T10:00:00.000000Z", Cell("created_at"));
        Assert.Equal("2024-07-19T10:00:00.000000Z", Cell("updated_at"));
        Assert.Equal("{\"color\": \"red\", \"sizes\": [1, 2]}", Cell("attrs"));
        Assert.Equal("active", Cell("status"));
    }
}
