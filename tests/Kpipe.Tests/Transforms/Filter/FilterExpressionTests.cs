using System.Text;
using Kpipe.Rows;
using Kpipe.Transforms.Filter;

namespace Kpipe.Tests.Transforms.Filter;

public sealed class FilterExpressionTests : IDisposable
{
    private static readonly RowSchema Schema = new(
    [
        ("id", ColumnType.String),
        ("battery_voltage", ColumnType.Double),
        ("count", ColumnType.Int),
        ("total", ColumnType.Long),
        ("price", new ColumnType(ColumnKind.Decimal, 10, 2)),
        ("active", ColumnType.Bool),
        ("day", ColumnType.Date),
        ("ts", ColumnType.Timestamp),
        ("location", ColumnType.String),
        ("manufacturer", ColumnType.String),
        ("payload", ColumnType.Json),
        ("serial no", ColumnType.String),
    ]);

    private const string AllColumns =
        "id, battery_voltage, count, total, price, active, day, ts, location, manufacturer, payload, `serial no`";

    private readonly RowBatch _rows = new(Schema);

    public FilterExpressionTests()
    {
        // Row 0
        Add(id: "FD2023", volts: 12.5, count: 3, total: 9007199254740993, price: "19.99", active: true,
            day: "2024-07-19", ts: "2024-07-19T10:00:00Z", location: "Production Line A", manufacturer: "Acme",
            payload: """{"a":1}""", serial: "S-1");
        // Row 1
        Add(id: "FD2024", volts: 9.5, count: 10, total: 100, price: "5.00", active: false,
            day: "2024-07-18", ts: "2024-07-18T23:59:59.999999Z", location: "Production Line B", manufacturer: null);
        // Row 2: most numbers and dates null
        Add(id: "FD2025", volts: null, count: null, total: -5, price: "100", active: null,
            day: null, ts: null, location: "Production Line A", manufacturer: "Bolt");
        // Row 3: a multi-byte character and LIKE's wildcards in the id
        Add(id: "é_x%", volts: 10.0, count: 0, total: 0, price: "-0.50", active: true,
            day: "2024-07-20", ts: "2024-07-20T00:00:00Z", location: "Warehouse", manufacturer: "acme");
        // Row 4: all null but a quote in the manufacturer
        Add(id: null, volts: null, count: null, total: null, price: null, active: null,
            day: null, ts: null, location: null, manufacturer: "O'Brien");
    }

    public void Dispose() => _rows.Dispose();

    private void Add(string? id, double? volts, long? count, long? total, string? price, bool? active, string? day,
        string? ts, string? location, string? manufacturer, string? payload = null, string? serial = null)
    {
        var row = _rows.AddRow(_rows.Count);
        var c = _rows.Columns;
        SetText(0, id);
        if (volts is { } v) c[1].SetDouble(row, v);
        if (count is { } n) c[2].SetLong(row, n);
        if (total is { } t) c[3].SetLong(row, t);
        SetText(4, price);
        if (active is { } a) c[5].SetLong(row, a ? 1 : 0);
        if (day is not null) c[6].SetLong(row, DateOnly.Parse(day).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber);
        if (ts is not null) c[7].SetLong(row, (DateTimeOffset.Parse(ts).UtcTicks - DateTime.UnixEpoch.Ticks) / 10);
        SetText(8, location);
        SetText(9, manufacturer);
        SetText(10, payload);
        SetText(11, serial);

        void SetText(int column, string? value)
        {
            if (value is not null) c[column].SetBytes(row, Encoding.UTF8.GetBytes(value));
        }
    }

    private int[] Match(string filter)
    {
        var expression = FilterExpression.Parse(filter, Schema);
        return Enumerable.Range(0, _rows.Count).Where(r => expression.Matches(_rows, r)).ToArray();
    }

    private static FilterSyntaxException Fails(string filter) =>
        Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse(filter, Schema));

    [Theory]
    [InlineData("battery_voltage > 10", new[] { 0 })]
    [InlineData("battery_voltage >= 10", new[] { 0, 3 })]
    [InlineData("battery_voltage < 10", new[] { 1 })]
    [InlineData("battery_voltage <= 10", new[] { 1, 3 })]
    [InlineData("battery_voltage == 10", new[] { 3 })]
    [InlineData("battery_voltage = 10.0", new[] { 3 })]
    [InlineData("battery_voltage != 10", new[] { 0, 1 })]
    [InlineData("battery_voltage <> 10", new[] { 0, 1 })]
    [InlineData("battery_voltage > 1e1", new[] { 0 })]
    [InlineData("10 < battery_voltage", new[] { 0 })]
    [InlineData("9.5 >= battery_voltage", new[] { 1 })]
    public void Comparison_operators(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("count > 2.5", new[] { 0, 1 })]
    [InlineData("count >= 3.0", new[] { 0, 1 })]
    [InlineData("count == 3.0", new[] { 0 })]
    [InlineData("count == 2.5", new int[0])]
    [InlineData("count != 2.5", new[] { 0, 1, 3 })]
    [InlineData("count < 0.5", new[] { 3 })]
    [InlineData("count > -0.5", new[] { 0, 1, 3 })]
    [InlineData("total < -1", new[] { 2 })]
    [InlineData("total > -10", new[] { 0, 1, 2, 3 })]
    [InlineData("total > 99999999999999999999", new int[0])]
    [InlineData("total > -99999999999999999999", new[] { 0, 1, 2, 3 })]
    // 2^53 + 1 is not a double: comparing through double would call these equal.
    [InlineData("total == 9007199254740993", new[] { 0 })]
    [InlineData("total == 9007199254740992", new int[0])]
    [InlineData("total > 9007199254740992.5", new[] { 0 })]
    public void Integer_columns_compare_exactly_with_any_number(string filter, int[] expected) =>
        Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("price > 19.9", new[] { 0, 2 })]
    [InlineData("price == 5", new[] { 1 })]
    [InlineData("price == 5.000", new[] { 1 })]
    [InlineData("price == 19.990000000000000000000000000000000001", new int[0])]
    [InlineData("price < 19.990000000000000000000000000000000001", new[] { 0, 1, 3 })]
    [InlineData("price < 0", new[] { 3 })]
    [InlineData("price == -0.5", new[] { 3 })]
    [InlineData("price > -1", new[] { 0, 1, 2, 3 })]
    [InlineData("price >= 1e2", new[] { 2 })]
    [InlineData("price in (5, 100.0)", new[] { 1, 2 })]
    [InlineData("price not in (5, 100.0)", new[] { 0, 3 })]
    public void Decimal_columns_compare_by_exact_value(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("battery_voltage > count", new[] { 0, 3 })]
    [InlineData("count < battery_voltage", new[] { 0, 3 })]
    [InlineData("price > count", new[] { 0 })]
    [InlineData("count >= price", new[] { 1, 3 })]
    [InlineData("price > battery_voltage", new[] { 0 })]
    [InlineData("battery_voltage < price", new[] { 0 })]
    [InlineData("count == total", new[] { 3 })]
    [InlineData("price == price", new[] { 0, 1, 2, 3 })]
    [InlineData("location != id", new[] { 0, 1, 2, 3 })]
    [InlineData("day < ts", new[] { 0, 1 })]
    [InlineData("ts >= day", new[] { 0, 1, 3 })]
    [InlineData("active == active", new[] { 0, 1, 3 })]
    public void Columns_compare_with_columns_of_compatible_types(string filter, int[] expected) =>
        Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("location == 'Production Line A'", new[] { 0, 2 })]
    [InlineData("location == \"Production Line A\"", new[] { 0, 2 })]
    [InlineData("location != 'Warehouse'", new[] { 0, 1, 2 })]
    [InlineData("'FD2023' == id", new[] { 0 })]
    // Ordinal by UTF-8 bytes: é (0xC3 0xA9) sorts after every ASCII letter, and 'Acme' before 'acme'.
    [InlineData("id > 'FD2023'", new[] { 1, 2, 3 })]
    [InlineData("manufacturer < 'a'", new[] { 0, 2, 4 })]
    [InlineData("manufacturer == 'O\\'Brien'", new[] { 4 })]
    [InlineData("manufacturer == 'O''Brien'", new[] { 4 })]
    [InlineData("manufacturer == \"O'Brien\"", new[] { 4 })]
    [InlineData("`serial no` == 'S-1'", new[] { 0 })]
    [InlineData("payload == '{\"a\":1}'", new[] { 0 })]
    public void Strings_compare_ordinally(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("location like 'Production%'", new[] { 0, 1, 2 })]
    [InlineData("location LIKE '%Line _'", new[] { 0, 1, 2 })]
    [InlineData("location not like '%A'", new[] { 1, 3 })]
    [InlineData("id like 'FD202_'", new[] { 0, 1, 2 })]
    [InlineData("id like 'FD%%3'", new[] { 0 })]
    [InlineData("id like '%'", new[] { 0, 1, 2, 3 })]
    [InlineData("id like '_\\_x\\%'", new[] { 3 })]
    [InlineData("id like 'é%'", new[] { 3 })]
    [InlineData("id like 'FD'", new int[0])]
    public void Like_matches_patterns(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("id in ('FD2023','FD2024')", new[] { 0, 1 })]
    [InlineData("id IN (\"FD2023\")", new[] { 0 })]
    [InlineData("id not in ('FD2023', 'FD2024')", new[] { 2, 3 })]
    [InlineData("count in (3, 10, 3)", new[] { 0, 1 })]
    [InlineData("count in (2.5)", new int[0])]
    [InlineData("count not in (3)", new[] { 1, 3 })]
    [InlineData("battery_voltage in (9.5, 10)", new[] { 1, 3 })]
    [InlineData("active in (true)", new[] { 0, 3 })]
    [InlineData("active not in (true)", new[] { 1 })]
    [InlineData("day in ('2024-07-18', '2024-07-20')", new[] { 1, 3 })]
    [InlineData("not id in ('FD2023')", new[] { 1, 2, 3 })]
    public void In_lists(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("manufacturer is not null", new[] { 0, 2, 3, 4 })]
    [InlineData("manufacturer IS NULL", new[] { 1 })]
    [InlineData("manufacturer == null", new[] { 1 })]
    [InlineData("null != manufacturer", new[] { 0, 2, 3, 4 })]
    [InlineData("not manufacturer is null", new[] { 0, 2, 3, 4 })]
    // SQL: a comparison with null is unknown, and so is its negation, so null rows never match either.
    [InlineData("battery_voltage > 10", new[] { 0 })]
    [InlineData("not (battery_voltage > 10)", new[] { 1, 3 })]
    [InlineData("not manufacturer == 'Acme'", new[] { 2, 3, 4 })]
    [InlineData("manufacturer != 'Acme'", new[] { 2, 3, 4 })]
    [InlineData("not (battery_voltage > 10 or battery_voltage < 10)", new[] { 3 })]
    // NOT (unknown AND false) is NOT false: rows 2 and 4 match through their manufacturer.
    [InlineData("not (battery_voltage > 10 and manufacturer == 'Acme')", new[] { 1, 2, 3, 4 })]
    [InlineData("battery_voltage > 10 or manufacturer is null", new[] { 0, 1 })]
    public void Nulls_match_only_is_null(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("active", new[] { 0, 3 })]
    [InlineData("not active", new[] { 1 })]
    [InlineData("active == true", new[] { 0, 3 })]
    [InlineData("active != true", new[] { 1 })]
    [InlineData("active = FALSE", new[] { 1 })]
    [InlineData("false == active", new[] { 1 })]
    public void Bool_columns(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    // not binds tighter than and, and tighter than or.
    [InlineData("not active and count > 1 or id == 'FD2025'", new[] { 1, 2 })]
    [InlineData("!active && count > 1 || id == 'FD2025'", new[] { 1, 2 })]
    [InlineData("NOT active AND count > 1 Or id == 'FD2025'", new[] { 1, 2 })]
    [InlineData("not (active and count > 1 or id == 'FD2025')", new[] { 1, 3 })]
    [InlineData("id == 'FD2023' or id == 'FD2024' and count > 50", new[] { 0 })]
    [InlineData("(id == 'FD2023' or id == 'FD2024') and count > 5", new[] { 1 })]
    [InlineData("id == 'FD2023' or id == 'FD2024' and count > 5", new[] { 0, 1 })]
    [InlineData("not not active", new[] { 0, 3 })]
    [InlineData("((count > 1))", new[] { 0, 1 })]
    [InlineData("battery_voltage > 10 and location == 'Production Line A'", new[] { 0 })]
    public void Precedence(string filter, int[] expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("ts >= '2024-07-19T00:00:00Z'", new[] { 0, 3 })]
    [InlineData("ts < '2024-07-19'", new[] { 1 })]
    [InlineData("ts == '2024-07-19T12:00:00+02:00'", new[] { 0 })]
    [InlineData("ts == '2024-07-19 10:00:00'", new[] { 0 })]
    [InlineData("ts > '2024-07-18T23:59:59.999998Z'", new[] { 0, 1, 3 })]
    [InlineData("ts > '2024-07-18T23:59:59.9999985Z'", new[] { 0, 1, 3 })]
    [InlineData("ts < '2024-07-18T23:59:59.9999995Z'", new[] { 1 })]
    [InlineData("ts == '2024-07-18T23:59:59.9999995Z'", new int[0])]
    [InlineData("day == '2024-07-19'", new[] { 0 })]
    [InlineData("day > '2024-07-18'", new[] { 0, 3 })]
    [InlineData("day <= '2024-07-19'", new[] { 0, 1 })]
    public void Timestamps_and_dates_compare_with_iso_strings(string filter, int[] expected) =>
        Assert.Equal(expected, Match(filter));

    [Fact]
    public void Unknown_column_lists_the_columns_and_suggests_one()
    {
        var e = Fails("battery_voltage > 10 and voltage > 3");
        Assert.Equal(25, e.Position);
        Assert.Equal(
            $"at column 26: unknown column 'voltage' (did you mean 'battery_voltage'?); columns: {AllColumns}",
            e.Message);

        e = Fails("ID == 'x'");
        Assert.Equal(0, e.Position);
        Assert.StartsWith("at column 1: unknown column 'ID' (did you mean 'id'?)", e.Message, StringComparison.Ordinal);

        e = Fails("zzz == 1");
        Assert.Equal($"at column 1: unknown column 'zzz'; columns: {AllColumns}", e.Message);
    }

    [Theory]
    [InlineData("battery_voltage >", 17, "expected a value after '>'")]
    [InlineData("battery_voltage > and count > 1", 18, "expected a value after '>', found 'and'")]
    [InlineData("battery_voltage > )", 18, "expected a value after '>', found ')'")]
    [InlineData("", 0, "the filter is empty")]
    [InlineData("   ", 0, "the filter is empty")]
    [InlineData("count > 1 and", 13, "expected a condition after 'and'")]
    [InlineData("count > 1 count < 3", 10, "expected 'and', 'or' or the end of the filter after '1', found 'count'")]
    [InlineData("(count > 1", 10, "missing ')' for the '(' at column 1")]
    [InlineData("(count > 1 count", 11, "expected ')', 'and' or 'or' after '1', found 'count'")]
    [InlineData("count > 1)", 9, "unexpected ')' without a matching '('")]
    [InlineData("count", 5, "expected a comparison (==, !=, <, <=, >, >=, IS NULL, IN or LIKE) after 'count'")]
    [InlineData("count 3", 6, "expected a comparison (==, !=, <, <=, >, >=, IS NULL, IN or LIKE) after 'count', found '3'")]
    [InlineData("id == 'abc", 6, "unterminated string: missing the closing '")]
    [InlineData("`serial no == 'x'", 0, "unterminated column name: missing the closing `")]
    [InlineData("count & 1", 6, "unexpected character '&'; use '&&' or 'and'")]
    [InlineData("count > 1 ; drop", 10, "unexpected character ';'")]
    [InlineData("count > 10abc", 8, "invalid number '10abc'")]
    [InlineData("count > 1.", 8, "invalid number '1.'")]
    [InlineData("1 == 2", 0, "a comparison needs a column on at least one side")]
    [InlineData("count is nul", 9, "expected NULL after 'is', found 'nul'")]
    [InlineData("count is not 3", 13, "expected NULL after 'not', found '3'")]
    [InlineData("count not 3", 10, "expected IN or LIKE after 'not', found '3'")]
    [InlineData("count < null", 8, "null can only be compared with == or != (or use IS NULL / IS NOT NULL)")]
    [InlineData("count in 3", 9, "expected '(' and a list of values after 'in', found '3'")]
    [InlineData("count in ()", 10, "expected a value after '(', found ')'")]
    [InlineData("count in (1 2)", 12, "expected ',' or ')' after '1', found '2'")]
    [InlineData("count in (1, id)", 13, "an IN list holds values, not columns")]
    [InlineData("count in (1, null)", 13, "null cannot be in an IN list; use IS NULL")]
    [InlineData("3 in (1)", 0, "IN needs a column on its left, found '3'")]
    [InlineData("count like 'a%'", 0, "LIKE needs a string column; 'count' is int")]
    [InlineData("id like id", 8, "expected a quoted pattern after 'like', found 'id'")]
    public void Syntax_errors_point_at_the_problem(string filter, int position, string reason)
    {
        var e = Fails(filter);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal($"at column {position + 1}: {reason}", e.Message);
    }

    [Theory]
    [InlineData("location > 5", 11, "string column 'location' cannot be compared with the number 5; quote the value: '5'")]
    [InlineData("count == '3'", 9, "int column 'count' cannot be compared with the string '3'; write numbers without quotes")]
    [InlineData("price > true", 8, "decimal(10,2) column 'price' cannot be compared with the boolean true; write numbers without quotes")]
    [InlineData("active == 1", 10, "bool column 'active' cannot be compared with the number 1; use true or false")]
    [InlineData("active > false", 7, "bool column 'active' can only be compared with == or !=")]
    [InlineData("day == 20240719", 7, "date column 'day' cannot be compared with the number 20240719; write dates as 'yyyy-MM-dd'")]
    [InlineData("day == '19/07/2024'", 7, "expected a date like '2024-07-19' for date column 'day', found '19/07/2024'")]
    [InlineData("ts >= 'yesterday'", 6,
        "expected an ISO-8601 instant like '2024-07-19T00:00:00Z' for timestamp column 'ts', found 'yesterday'")]
    [InlineData("id in ('a', 2)", 12, "string column 'id' cannot be compared with the number 2; quote the value: '2'")]
    [InlineData("location == battery_voltage", 12, "cannot compare string column 'location' with double column 'battery_voltage'")]
    [InlineData("ts > price", 5, "cannot compare timestamp column 'ts' with decimal(10,2) column 'price'")]
    public void Type_mismatches_are_reported_at_parse_time(string filter, int position, string reason)
    {
        var e = Fails(filter);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
    }

    [Fact]
    public void Errors_in_multi_line_filters_give_line_and_column()
    {
        var e = Fails("count > 1\n  and voltage > 2");
        Assert.Equal(16, e.Position);
        Assert.StartsWith("at line 2, column 7: unknown column 'voltage'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_rather_than_overflowing_the_stack()
    {
        Assert.Equal([0, 1], Match(new string('(', 100) + "count > 1" + new string(')', 100)));
        var e = Fails(new string('(', 101) + "count > 1" + new string(')', 101));
        Assert.Equal(100, e.Position);
        Assert.Equal("the filter nests more than 100 levels of parentheses or 'not'", e.Reason);
        Assert.Equal(400, Fails(string.Concat(Enumerable.Repeat("not ", 101)) + "active").Position);
    }

    [Fact]
    public void Text_is_the_filter_as_written()
    {
        var filter = FilterExpression.Parse("  count > 1 ", Schema);
        Assert.Equal("  count > 1 ", filter.Text);
        Assert.Equal("  count > 1 ", filter.ToString());
    }

    [Fact]
    public void Matches_allocates_nothing()
    {
        var filter = FilterExpression.Parse(
            "(battery_voltage > 10 and location like 'Prod%' or price >= 5 and price > count and day < ts) "
            + "and not id in ('x', 'y') and ts >= '2024-07-19T00:00:00Z' or manufacturer is null or active", Schema);
        var matched = 0;
        for (var row = 0; row < _rows.Count; row++)
            if (filter.Matches(_rows, row)) matched++;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            for (var row = 0; row < _rows.Count; row++)
                if (filter.Matches(_rows, row)) matched++;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(matched > 0);
    }

    [Fact]
    public void Batches_of_an_equal_schema_are_accepted_and_others_refused()
    {
        var filter = FilterExpression.Parse("count > 1", Schema);
        using var same = new RowBatch(new RowSchema(Enumerable.Range(0, Schema.Count).Select(i => (Schema.Names[i], Schema.Types[i])).ToArray()));
        same.Columns[2].SetLong(same.AddRow(0), 5);
        Assert.True(filter.Matches(same, 0));

        using var other = new RowBatch(new RowSchema([("count", ColumnType.Int)]));
        other.AddRow(0);
        Assert.Throws<ArgumentException>(() => filter.Matches(other, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => filter.Matches(_rows, _rows.Count));
    }

    [Theory]
    [InlineData("1", "1.0", 0)]
    [InlineData("-0", "0.000", 0)]
    [InlineData("0010.50", "10.5", 0)]
    [InlineData("10.5", "10.49999999999999999999999999999999", 1)]
    [InlineData("-10.5", "-10.49999999999999999999999999999999", -1)]
    [InlineData("99999999999999999999999999999999999999", "100000000000000000000000000000000000000", -1)]
    [InlineData("-1", "0.001", -1)]
    [InlineData(".5", "0.4", 1)]
    [InlineData("+2", "2", 0)]
    public void Decimal_text_compares_exactly(string a, string b, int expected)
    {
        Assert.True(DecimalText.TryCompare(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b), out var result));
        Assert.Equal(expected, result);
        Assert.True(DecimalText.TryCompare(Encoding.UTF8.GetBytes(b), Encoding.UTF8.GetBytes(a), out result));
        Assert.Equal(-expected, result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1e5")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    public void Decimal_text_refuses_what_is_not_a_plain_number(string text) =>
        Assert.False(DecimalText.TryCompare(Encoding.UTF8.GetBytes(text), "1"u8, out _));
}
