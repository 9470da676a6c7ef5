using System.Globalization;
using System.Text;
using System.Text.Json;
using Kpipe.Rows;

namespace Kpipe.Tests.Transforms;

/// <summary>
/// Converts one JSON value into a one-column batch and reads the cell back as text, for the conversion
/// tables of ValueConverter and DebeziumValueDecoder: <c>NULL</c> is a null cell, timestamps are
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, and <c>!text</c> is an error containing text.
/// </summary>
internal static class CellHarness
{
    public const string Null = "NULL";

    public delegate bool CellWriter(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, ColumnVector column, int row, out string? error);

    /// <summary>Writes the value of <c>v</c> in <paramref name="document"/> (<c>{"v": ...}</c>) and checks the reader
    /// can go on to the closing brace, and that a failure leaves the cell alone.</summary>
    public static string Run(string type, byte[] document, CellWriter write)
    {
        Assert.True(ColumnType.TryParse(type, out var columnType), type);
        using var batch = new RowBatch(new RowSchema([("v", columnType)]));
        var row = batch.AddRow(0);
        var column = batch.Columns[0];
        var reader = new Utf8JsonReader(document);
        Assert.True(reader.Read() && reader.Read() && reader.Read());

        var ok = write(document, ref reader, column, row, out var error);

        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        if (!ok)
        {
            Assert.False(string.IsNullOrEmpty(error));
            Assert.True(column.IsNull(row), "a failed conversion must leave the cell alone");
            return "!" + error;
        }
        Assert.Null(error);
        return Render(column, row);
    }

    public static string Render(ColumnVector column, int row)
    {
        if (column.IsNull(row)) return Null;
        switch (column.Type.Kind)
        {
            case ColumnKind.String or ColumnKind.Json or ColumnKind.Decimal:
                return Encoding.UTF8.GetString(column.GetBytes(row));
            case ColumnKind.Bool:
                Assert.InRange(column.GetLong(row), 0, 1);
                return column.GetBool(row) ? "true" : "false";
            case ColumnKind.Int or ColumnKind.Long:
                return column.GetLong(row).ToString(CultureInfo.InvariantCulture);
            case ColumnKind.Double:
                return column.GetDouble(row).ToString("R", CultureInfo.InvariantCulture);
            case ColumnKind.Date:
                return DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)column.GetLong(row))
                    .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case ColumnKind.Timestamp:
                return DateTime.UnixEpoch.AddTicks(column.GetLong(row) * 10)
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            default:
                throw new InvalidOperationException(column.Type.ToString());
        }
    }

    public static void AssertCell(string expected, string actual)
    {
        if (expected.StartsWith('!'))
        {
            Assert.StartsWith("!", actual);
            Assert.Contains(expected[1..], actual, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, actual);
        }
    }
}
