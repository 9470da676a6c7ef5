using System.Globalization;
using System.Text;
using System.Text.Json;
using Kpipe.Rows;
using Kpipe.Transforms.Select;

using static Kpipe.Tests.Transforms.CellHarness;

namespace Kpipe.Tests.Transforms.Select;

/// <summary>
/// One test per cell of the table in docs/types.md (rows: JSON string, number, bool, null, object, array;
/// columns: the target types), then the cases the table's footnotes promise. Expected values are the cell
/// read back from the column and rendered; <c>NULL</c> is a null cell and <c>!text</c> an error containing text.
/// </summary>
public sealed class ValueConverterTests
{

    private static readonly long SeedMicros = new DateTimeOffset(2024, 7, 19, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000;

    /// <summary>Converts <paramref name="json"/> as the value of <c>{"v": ...}</c> into a one-column batch; returns
    /// the rendered cell or <c>!error</c>. Every call also checks the reader can go on to the closing brace.</summary>
    private static string Convert(string type, string json, ConversionOptions? options = null) =>
        Convert(type, Encoding.UTF8.GetBytes($$"""{"v": {{json}}}"""), options);

    private static string Convert(string type, byte[] document, ConversionOptions? options = null) =>
        CellHarness.Run(type, document, (ReadOnlySpan<byte> d, ref Utf8JsonReader r, ColumnVector c, int row, out string? e) =>
            ValueConverter.TryWrite(d, ref r, c, row, options ?? new ConversionOptions(), out e));

    [Theory]
    // string
    [InlineData("\"FD2023\"", "FD2023")]
    [InlineData("\"\"", "")]
    [InlineData("12.50", "12.50")]
    [InlineData("1e3", "1e3")]
    [InlineData("-0", "-0")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to string; declare the column as json to keep it as JSON text")]
    [InlineData("[1,2]", "!an array cannot be cast to string; declare the column as json to keep it as JSON text")]
    public void To_string(string json, string expected) => AssertCell(expected, Convert("string", json));

    [Theory]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("\"true\"", "true")]
    [InlineData("\"FALSE\"", "false")]
    [InlineData("\" True \"", "true")]
    [InlineData("\"yes\"", "!not a bool")]
    [InlineData("\"1\"", "!not a bool")]
    [InlineData("\"\"", "!not a bool")]
    [InlineData("1", "true")]
    [InlineData("0", "false")]
    [InlineData("1.0", "true")]
    [InlineData("-0", "false")]
    [InlineData("2", "!not a bool")]
    [InlineData("-1", "!not a bool")]
    [InlineData("0.5", "!not a bool")]
    [InlineData("null", Null)]
    [InlineData("{}", "!an object cannot be cast to bool; declare the column as json")]
    [InlineData("[]", "!an array cannot be cast to bool; declare the column as json")]
    public void To_bool(string json, string expected) => AssertCell(expected, Convert("bool", json));

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("12.0", "12")]
    [InlineData("1e3", "1000")]
    [InlineData("1.5E1", "15")]
    [InlineData("100e-2", "1")]
    [InlineData("12.5", "!not a whole number")]
    [InlineData("1e-2", "!not a whole number")]
    [InlineData("2147483647", "2147483647")]
    [InlineData("-2147483648", "-2147483648")]
    [InlineData("2147483648", "!out of range for int")]
    [InlineData("-2147483649", "!out of range for int")]
    [InlineData("1e10", "!out of range for int")]
    [InlineData("\"42\"", "42")]
    [InlineData("\" 42 \"", "42")]
    [InlineData("\"+42\"", "42")]
    [InlineData("\"1e3\"", "1000")]
    [InlineData("\"12.5\"", "!not a whole number")]
    [InlineData("\"99999999999\"", "!out of range for int")]
    [InlineData("\"abc\"", "!not a number")]
    [InlineData("\"\"", "!not a number")]
    [InlineData("\"0x10\"", "!not a number")]
    [InlineData("true", "!a bool cannot be cast to int")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to int")]
    [InlineData("[1]", "!an array cannot be cast to int")]
    public void To_int(string json, string expected) => AssertCell(expected, Convert("int", json));

    [Theory]
    [InlineData("1721383200000", "1721383200000")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("9223372036854775808", "!out of range for long")]
    [InlineData("-9223372036854775809", "!out of range for long")]
    [InlineData("18446744073709551616", "!out of range for long")]
    [InlineData("123456789012345678901234567890", "!out of range for long")]
    [InlineData("1e19", "!out of range for long")]
    [InlineData("1e400", "!out of range for long")]
    [InlineData("9.223372036854775807e18", "9223372036854775807")]
    [InlineData("0.000", "0")]
    [InlineData("-0", "0")]
    [InlineData("1.5", "!not a whole number")]
    [InlineData("1e-400", "!not a whole number")]
    [InlineData("\"-9223372036854775808\"", "-9223372036854775808")]
    [InlineData("\"9223372036854775808\"", "!out of range for long")]
    [InlineData("\"007\"", "7")]
    [InlineData("\"12,5\"", "!not a number")]
    [InlineData("false", "!a bool cannot be cast to long")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to long")]
    [InlineData("[1]", "!an array cannot be cast to long")]
    public void To_long(string json, string expected) => AssertCell(expected, Convert("long", json));

    [Theory]
    [InlineData("12.5", "12.5")]
    [InlineData("\"12.5\"", "12.5")]
    [InlineData("3", "3")]
    [InlineData("-1.25e-3", "-0.00125")]
    [InlineData("12345678901234567890", "1.2345678901234567E+19")]
    [InlineData("1e-400", "0")]
    [InlineData("\" .5 \"", "0.5")]
    [InlineData("1e400", "!out of range for double")]
    [InlineData("-1e400", "!out of range for double")]
    [InlineData("\"1e400\"", "!out of range for double")]
    [InlineData("\"NaN\"", "!not a number")]
    [InlineData("\"Infinity\"", "!not a number")]
    [InlineData("\"-Infinity\"", "!not a number")]
    [InlineData("\"12.5V\"", "!not a number")]
    [InlineData("true", "!a bool cannot be cast to double")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to double")]
    [InlineData("[1.5]", "!an array cannot be cast to double")]
    public void To_double(string json, string expected) => AssertCell(expected, Convert("double", json));

    [Theory]
    [InlineData("decimal(10,2)", "12.5", "12.50")]
    [InlineData("decimal(10,2)", "\"12.5\"", "12.50")]
    [InlineData("decimal(10,2)", "12", "12.00")]
    [InlineData("decimal(10,2)", "0", "0.00")]
    [InlineData("decimal(10,2)", "-0.0", "0.00")]
    [InlineData("decimal(10,2)", "0.5", "0.50")]
    [InlineData("decimal(10,2)", "12.345", "12.35")]
    [InlineData("decimal(10,2)", "12.344999", "12.34")]
    [InlineData("decimal(10,2)", "-12.345", "-12.35")]
    [InlineData("decimal(10,2)", "0.005", "0.01")]
    [InlineData("decimal(10,2)", "0.001", "0.00")]
    [InlineData("decimal(10,2)", "-0.001", "0.00")]
    [InlineData("decimal(10,2)", "9.995", "10.00")]
    [InlineData("decimal(10,2)", "1.5E+3", "1500.00")]
    [InlineData("decimal(10,2)", "\"1.5E+3\"", "1500.00")]
    [InlineData("decimal(10,2)", "125e-3", "0.13")]
    [InlineData("decimal(10,2)", "1e-400", "0.00")]
    [InlineData("decimal(10,2)", "\" 007.5 \"", "7.50")]
    [InlineData("decimal(10,2)", "99999999.994", "99999999.99")]
    [InlineData("decimal(10,2)", "99999999.995", "!does not fit decimal(10,2)")]
    [InlineData("decimal(10,2)", "123456789", "!does not fit decimal(10,2)")]
    [InlineData("decimal(10,2)", "-123456789", "!does not fit decimal(10,2)")]
    [InlineData("decimal(10,2)", "1e400", "!does not fit decimal(10,2)")]
    [InlineData("decimal(10,2)", "\"abc\"", "!not a number")]
    [InlineData("decimal(10,2)", "\"NaN\"", "!not a number")]
    [InlineData("decimal(10,2)", "true", "!a bool cannot be cast to decimal(10,2)")]
    [InlineData("decimal(10,2)", "null", Null)]
    [InlineData("decimal(10,2)", "{\"a\":1}", "!an object cannot be cast to decimal(10,2)")]
    [InlineData("decimal(10,2)", "[1]", "!an array cannot be cast to decimal(10,2)")]
    [InlineData("decimal(3,0)", "0.5", "1")]
    [InlineData("decimal(3,0)", "-0.5", "-1")]
    [InlineData("decimal(3,0)", "0.4", "0")]
    [InlineData("decimal(3,0)", "999.4", "999")]
    [InlineData("decimal(3,0)", "999.5", "!does not fit decimal(3,0)")]
    [InlineData("decimal(5,5)", "0.123456", "0.12346")]
    [InlineData("decimal(5,5)", "-0.5", "-0.50000")]
    [InlineData("decimal(5,5)", "0.999995", "!does not fit decimal(5,5)")]
    [InlineData("decimal(5,5)", "1", "!does not fit decimal(5,5)")]
    [InlineData("decimal", "12.5", "13")]
    // Beyond long and beyond .NET decimal's 28 digits, kept digit for digit.
    [InlineData("decimal(38,0)", "123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("decimal(38,0)", "-99999999999999999999999999999999999999", "-99999999999999999999999999999999999999")]
    [InlineData("decimal(38,0)", "\"99999999999999999999999999999999999999\"", "99999999999999999999999999999999999999")]
    [InlineData("decimal(38,0)", "999999999999999999999999999999999999999", "!does not fit decimal(38,0)")]
    [InlineData("decimal(38,0)", "99999999999999999999999999999999999999.5", "!does not fit decimal(38,0)")]
    [InlineData("decimal(38,0)", "12345678901234567890123456789012345678.5", "12345678901234567890123456789012345679")]
    [InlineData("decimal(38,0)", "1.2345678901234567890123456789E+37", "12345678901234567890123456789000000000")]
    [InlineData("decimal(38,10)", "1234567890123456789012345678.01234567895", "1234567890123456789012345678.0123456790")]
    [InlineData("decimal(38,38)", "-1E-38", "-0.00000000000000000000000000000000000001")]
    public void To_decimal(string type, string json, string expected) => AssertCell(expected, Convert(type, json));

    [Theory]
    [InlineData("\"2024-07-19\"", "2024-07-19")]
    [InlineData("\"1969-12-31\"", "1969-12-31")]
    [InlineData("\"0001-01-01\"", "0001-01-01")]
    [InlineData("\"9999-12-31\"", "9999-12-31")]
    [InlineData("\"2024-02-29\"", "2024-02-29")]
    [InlineData("\"2024-07-19T10:00:00Z\"", "2024-07-19")]
    [InlineData("\"2024-07-19 23:30:00\"", "2024-07-19")]
    // The calendar date as written, not the UTC date (which would be the 20th).
    [InlineData("\"2024-07-19T23:30:00-05:00\"", "2024-07-19")]
    [InlineData("\"2024-07-19T01:00:00+08:00\"", "2024-07-19")]
    [InlineData("\"2023-02-29\"", "!not an ISO-8601 date or timestamp")]
    [InlineData("\"2024/07/19\"", "!not an ISO-8601 date or timestamp")]
    [InlineData("\"19.07.2024\"", "!not an ISO-8601 date or timestamp")]
    [InlineData("\"2024-07-19T25:00:00\"", "!not an ISO-8601 date or timestamp")]
    [InlineData("\"1721383200\"", "!not an ISO-8601 date or timestamp")]
    [InlineData("1721383200", "!a number cannot be cast to date")]
    [InlineData("true", "!a bool cannot be cast to date")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to date")]
    [InlineData("[\"2024-07-19\"]", "!an array cannot be cast to date")]
    public void To_date(string json, string expected) => AssertCell(expected, Convert("date", json));

    [Theory]
    // ISO-8601 strings
    [InlineData("\"2024-07-19T10:00:00Z\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00:00.123456+08:00\"", "2024-07-19T02:00:00.123456Z")]
    [InlineData("\"2024-07-19 10:00:00\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00:00.1234567\"", "2024-07-19T10:00:00.123456Z")]
    [InlineData("\"2024-07-19T10:00:00.123456789Z\"", "2024-07-19T10:00:00.123456Z")]
    [InlineData("\"2024-07-19T10:00:00.5Z\"", "2024-07-19T10:00:00.500000Z")]
    [InlineData("\"2024-07-19\"", "2024-07-19T00:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00Z\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00:00+0800\"", "2024-07-19T02:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00:00-05\"", "2024-07-19T15:00:00.000000Z")]
    [InlineData("\"2024-07-19T10:00:00-00:30\"", "2024-07-19T10:30:00.000000Z")]
    [InlineData("\"2024-07-19t10:00:00z\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\" 2024-07-19T10:00:00Z \"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\"1969-12-31T23:59:59.999999Z\"", "1969-12-31T23:59:59.999999Z")]
    [InlineData("\"0001-01-01T00:00:00Z\"", "0001-01-01T00:00:00.000000Z")]
    [InlineData("\"9999-12-31T23:59:59.9999999Z\"", "9999-12-31T23:59:59.999999Z")]
    [InlineData("\"0001-01-01T00:00:00+01:00\"", "!out of range for timestamp")]
    [InlineData("\"9999-12-31T23:00:00-05:00\"", "!out of range for timestamp")]
    [InlineData("\"2024-07-19T24:00:00Z\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"2024-07-19T10:00:00+08:\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"2024-07-19T10:00:00.Z\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"2024-07-19T10\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"2024-13-01\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"10000-01-01\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"yesterday\"", "!not an ISO-8601 timestamp or epoch number")]
    [InlineData("\"\"", "!not an ISO-8601 timestamp or epoch number")]
    // Epoch numbers, unit by magnitude
    [InlineData("1721383200", "2024-07-19T10:00:00.000000Z")]
    [InlineData("1721383200000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("1721383200000000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("1721383200000000000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("1721383200123456789", "2024-07-19T10:00:00.123456Z")]
    [InlineData("1721383200.5", "2024-07-19T10:00:00.500000Z")]
    [InlineData("1721383200123.456", "2024-07-19T10:00:00.123456Z")]
    [InlineData("1.7213832E9", "2024-07-19T10:00:00.000000Z")]
    [InlineData("0", "1970-01-01T00:00:00.000000Z")]
    [InlineData("-1", "1969-12-31T23:59:59.000000Z")]
    [InlineData("-1.5", "1969-12-31T23:59:58.500000Z")]
    [InlineData("-86400", "1969-12-31T00:00:00.000000Z")]
    [InlineData("-14182940000", "1520-07-24T14:26:40.000000Z")]
    [InlineData("-1721383200000", "1915-06-15T14:00:00.000000Z")]
    [InlineData("-62135596800", "0001-01-01T00:00:00.000000Z")]
    [InlineData("-62135596801", "!out of range for timestamp")]
    [InlineData("99999999999", "5138-11-16T09:46:39.000000Z")]
    [InlineData("1e30", "!out of range for timestamp")]
    [InlineData("\"1721383200000\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\" 1721383200 \"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("\"-1.5\"", "1969-12-31T23:59:58.500000Z")]
    [InlineData("true", "!a bool cannot be cast to timestamp")]
    [InlineData("null", Null)]
    [InlineData("{\"a\":1}", "!an object cannot be cast to timestamp")]
    [InlineData("[1721383200]", "!an array cannot be cast to timestamp")]
    public void To_timestamp(string json, string expected) => AssertCell(expected, Convert("timestamp", json));

    [Theory]
    [InlineData("\"a\\nb\"", "\"a\\nb\"")]
    [InlineData("\"caf\\u00e9\"", "\"caf\\u00e9\"")]
    [InlineData("12.50", "12.50")]
    [InlineData("1e3", "1e3")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", Null)]
    [InlineData("{\"a\": [1, {\"b\": null}], \"c\": \"x\"}", "{\"a\": [1, {\"b\": null}], \"c\": \"x\"}")]
    [InlineData("{}", "{}")]
    [InlineData("[1, \"x\", [true]]", "[1, \"x\", [true]]")]
    [InlineData("[]", "[]")]
    public void To_json(string json, string expected) => AssertCell(expected, Convert("json", json));

    [Fact]
    public void Unicode_and_escapes_survive_unchanged()
    {
        Assert.Equal("caf\u00e9 \"quoted\" \\ \n 日本", Convert("string", "\"caf\\u00e9 \\\"quoted\\\" \\\\ \\n 日本\""));
        Assert.Equal("日本 café 🎉", Convert("string", "\"日本 café 🎉\""));
        Assert.Equal("🎉", Convert("string", "\"\\ud83c\\udf89\""));
        Assert.Equal("\"caf\\u00e9 \\\"quoted\\\" \\\\ \\n 日本\"", Convert("json", "\"caf\\u00e9 \\\"quoted\\\" \\\\ \\n 日本\""));
    }

    [Fact]
    public void Long_escaped_strings_unescape_without_limit()
    {
        var expected = string.Concat(Enumerable.Repeat("é\"", 5000));
        Assert.Equal(expected, Convert("string", JsonSerializer.Serialize(expected)));
        Assert.Equal(expected, Convert("string", "\"" + string.Concat(Enumerable.Repeat("\\u00e9\\\"", 5000)) + "\""));
        var digits = new string('1', 30) + "." + new string('0', 1000) + "5";
        Assert.Equal(new string('1', 30), Convert("decimal(38,0)", "\"\\u0020" + digits + "\""));
    }

    [Fact]
    public void Text_that_is_not_unicode_is_an_error()
    {
        Assert.Equal("!not valid Unicode text", Convert("string", "\"\\ud800\""));
        Assert.Equal("!not valid Unicode text", Convert("long", "\"1\\ud800\""));
        Assert.Equal("\"\\ud800\"", Convert("json", "\"\\ud800\""));
        byte[] invalid = [.. "{\"v\": \""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.Equal("!not valid UTF-8 text", Convert("string", invalid));
        Assert.Equal("!not valid UTF-8 text", Convert("json", invalid));
    }

    [Fact]
    public void Seed_timestamps_are_the_same_instant()
    {
        Assert.Equal(1_721_383_200_000_000, SeedMicros);
        foreach (var value in new[] { "\"2024-07-19T10:00:00Z\"", "1721383200000" })
        {
            using var batch = new RowBatch(new RowSchema([("timestamp", ColumnType.Timestamp)]));
            var row = batch.AddRow(0);
            var document = Encoding.UTF8.GetBytes($$"""{"timestamp": {{value}}}""");
            var reader = new Utf8JsonReader(document);
            reader.Read();
            reader.Read();
            reader.Read();
            Assert.True(ValueConverter.TryWrite(document, ref reader, batch.Columns[0], row, new ConversionOptions(), out var error), error);
            Assert.Equal(SeedMicros, batch.Columns[0].GetLong(row));
        }
    }

    [Fact]
    public void Seed_battery_voltage_string_is_a_double()
    {
        using var batch = new RowBatch(new RowSchema([("battery_voltage", ColumnType.Double)]));
        var row = batch.AddRow(0);
        var document = """{"battery_voltage": "12.5"}"""u8.ToArray();
        var reader = new Utf8JsonReader(document);
        reader.Read();
        reader.Read();
        reader.Read();
        Assert.True(ValueConverter.TryWrite(document, ref reader, batch.Columns[0], row, new ConversionOptions(), out _));
        Assert.Equal(12.5, batch.Columns[0].GetDouble(row));
    }

    [Theory]
    [InlineData("Asia/Shanghai", "timestamp", "\"2024-07-19 18:00:00\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("Asia/Shanghai", "timestamp", "\"2024-07-19T18:00:00.25\"", "2024-07-19T10:00:00.250000Z")]
    [InlineData("Asia/Shanghai", "timestamp", "\"2024-07-19\"", "2024-07-18T16:00:00.000000Z")]
    // A written zone wins over the configured one, and epochs have none.
    [InlineData("Asia/Shanghai", "timestamp", "\"2024-07-19T10:00:00Z\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("Asia/Shanghai", "timestamp", "\"2024-07-19T10:00:00+02:00\"", "2024-07-19T08:00:00.000000Z")]
    [InlineData("Asia/Shanghai", "timestamp", "1721383200000", "2024-07-19T10:00:00.000000Z")]
    [InlineData("Asia/Shanghai", "timestamp", "\"0001-01-01T00:00:00\"", "!out of range for timestamp")]
    [InlineData("Asia/Shanghai", "date", "\"2024-07-19T01:00:00\"", "2024-07-19")]
    [InlineData("America/New_York", "timestamp", "\"2024-07-19 06:00:00\"", "2024-07-19T10:00:00.000000Z")]
    [InlineData("America/New_York", "timestamp", "\"2024-01-19 05:00:00\"", "2024-01-19T10:00:00.000000Z")]
    // A wall-clock time the spring-forward change skips is read with the standard offset.
    [InlineData("America/New_York", "timestamp", "\"2024-03-10 02:30:00\"", "2024-03-10T07:30:00.000000Z")]
    public void Zoneless_timestamps_are_in_the_configured_zone(string zone, string type, string json, string expected)
    {
        var options = new ConversionOptions { ZonelessTimeZone = TimeZoneInfo.FindSystemTimeZoneById(zone) };
        AssertCell(expected, Convert(type, json, options));
    }

    [Theory]
    [InlineData(EpochUnit.Seconds, "1721383200", "2024-07-19T10:00:00.000000Z")]
    [InlineData(EpochUnit.Seconds, "1721383200.123456789", "2024-07-19T10:00:00.123456Z")]
    [InlineData(EpochUnit.Seconds, "1721383200000", "!out of range for timestamp")]
    [InlineData(EpochUnit.Milliseconds, "1721383200000", "2024-07-19T10:00:00.000000Z")]
    // Auto would read these as seconds: milliseconds before 1973 need the declared unit.
    [InlineData(EpochUnit.Milliseconds, "86400000", "1970-01-02T00:00:00.000000Z")]
    [InlineData(EpochUnit.Milliseconds, "\"-1500\"", "1969-12-31T23:59:58.500000Z")]
    [InlineData(EpochUnit.Milliseconds, "-0.0015", "1969-12-31T23:59:59.999998Z")]
    [InlineData(EpochUnit.Microseconds, "1721383200000000", "2024-07-19T10:00:00.000000Z")]
    [InlineData(EpochUnit.Microseconds, "1", "1970-01-01T00:00:00.000001Z")]
    [InlineData(EpochUnit.Nanoseconds, "1721383200000000000", "2024-07-19T10:00:00.000000Z")]
    [InlineData(EpochUnit.Nanoseconds, "1999", "1970-01-01T00:00:00.000001Z")]
    [InlineData(EpochUnit.Nanoseconds, "-1500", "1969-12-31T23:59:59.999998Z")]
    [InlineData(EpochUnit.Nanoseconds, "-9223372036854775808", "1677-09-21T00:12:43.145224Z")]
    public void Declared_epoch_unit_is_used(EpochUnit unit, string json, string expected) =>
        AssertCell(expected, Convert("timestamp", json, new ConversionOptions { EpochUnit = unit }));

    [Theory]
    [InlineData("string", "\"x\"")]
    [InlineData("string", "{\"a\": {\"b\": [1, 2]}}")]
    [InlineData("string", "[[1], {\"c\": null}]")]
    [InlineData("json", "{\"a\": {\"b\": [1, 2]}}")]
    [InlineData("json", "[[1], {\"c\": null}]")]
    [InlineData("json", "\"x\"")]
    [InlineData("long", "12.5")]
    [InlineData("long", "\"abc\"")]
    [InlineData("bool", "true")]
    [InlineData("int", "false")]
    [InlineData("double", "null")]
    [InlineData("decimal(3,1)", "12345")]
    [InlineData("timestamp", "\"not a time\"")]
    [InlineData("date", "1")]
    [InlineData("string", "\"\\ud800\"")]
    public void Reader_continues_after_the_value(string type, string json)
    {
        Assert.True(ColumnType.TryParse(type, out var columnType));
        using var batch = new RowBatch(new RowSchema([("a", columnType)]));
        var row = batch.AddRow(0);
        var document = Encoding.UTF8.GetBytes($$"""{"a": {{json}}, "b": 1}""");
        var reader = new Utf8JsonReader(document);
        reader.Read();
        reader.Read();
        reader.Read();

        ValueConverter.TryWrite(document, ref reader, batch.Columns[0], row, new ConversionOptions(), out _);

        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.PropertyName, reader.TokenType);
        Assert.True(reader.ValueTextEquals("b"u8));
        Assert.True(reader.Read());
        Assert.Equal(1, reader.GetInt32());
    }

    [Fact]
    public void Scalars_convert_without_allocating()
    {
        var document = """
            {"s": "FD2023", "e": "caf\u00e9", "b": true, "i": 42, "l": "1721383200000", "d": "12.5",
             "m": 1234.5678, "t": "2024-07-19T10:00:00.123456+08:00", "n": 1721383200000, "z": "2024-07-19", "j": [1, 2],
             "w": "2024-07-19 18:00:00"}
            """u8.ToArray();
        ColumnType[] types =
        [
            ColumnType.String, ColumnType.String, ColumnType.Bool, ColumnType.Int, ColumnType.Long, ColumnType.Double,
            new(ColumnKind.Decimal, 10, 2), ColumnType.Timestamp, ColumnType.Timestamp, ColumnType.Date, ColumnType.Json,
            ColumnType.Timestamp,
        ];
        using var batch = new RowBatch(new RowSchema(types.Select((t, i) => ($"c{i}", t)).ToArray()));
        var options = new ConversionOptions { ZonelessTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai") };
        var row = batch.AddRow(0);

        void ConvertAll()
        {
            batch.Arena.Reset();
            var reader = new Utf8JsonReader(document);
            reader.Read();
            for (var c = 0; reader.Read() && reader.TokenType == JsonTokenType.PropertyName; c++)
            {
                reader.Read();
                if (!ValueConverter.TryWrite(document, ref reader, batch.Columns[c], row, options, out var error))
                    throw new InvalidOperationException(error);
            }
        }

        for (var i = 0; i < 100; i++) ConvertAll();
        const int rounds = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rounds; i++) ConvertAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Less than a byte a round: nothing per value, only what the runtime itself might do once.
        Assert.True(allocated < rounds, $"{allocated} bytes allocated in {rounds} rounds");
        Assert.Equal("1234.57", Encoding.UTF8.GetString(batch.Columns[6].GetBytes(row)));
        Assert.Equal(SeedMicros + 123_456 - 8 * 3_600_000_000L, batch.Columns[7].GetLong(row));
        Assert.Equal(SeedMicros, batch.Columns[11].GetLong(row));
    }
}
