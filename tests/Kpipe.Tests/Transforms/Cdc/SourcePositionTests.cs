using System.Text;
using System.Text.Json;
using Kpipe.Json;
using Kpipe.Transforms.Cdc;

namespace Kpipe.Tests.Transforms.Cdc;

public sealed class SourcePositionTests
{
    private static Int128? Read(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        return SourcePosition.TryRead(bytes, new JsonSpan(0, bytes.Length, reader.TokenType), out var value) ? value : null;
    }

    [Fact]
    public void Numbers_and_decimal_strings_are_read_as_they_are()
    {
        Assert.Equal(46523128, Read("46523128"));          // PostgreSQL lsn
        Assert.Equal(13234397, Read("\"13234397\""));      // Oracle scn, a string
        Assert.Null(Read("null"));
        Assert.Null(Read("\"abc\""));
    }

    [Fact]
    public void An_sql_server_lsn_is_its_three_hex_parts_side_by_side()
    {
        // 0x2b = 43, 0x4f8 = 1272, 4: (43 << 48) | (1272 << 16) | 4.
        Assert.Equal(((Int128)43 << 48) | (1272 << 16) | 4, Read("\"0000002b:000004f8:0004\""));
        Assert.Equal(((Int128)0xffffffff << 48) | ((Int128)0xffffffff << 16) | 0xffff, Read("\"ffffffff:ffffffff:ffff\""));
    }

    [Theory]
    [InlineData("0000002b:000004f8:0004", "0000002b:000004f8:0005")]
    [InlineData("0000002b:000004f8:ffff", "0000002b:000004f9:0000")]
    [InlineData("0000002b:ffffffff:ffff", "0000002c:00000000:0000")]
    public void Sql_server_lsns_keep_their_order(string earlier, string later) =>
        Assert.True(Read($"\"{earlier}\"") < Read($"\"{later}\""));

    [Fact]
    public void A_mysql_binlog_position_puts_the_file_number_above_the_position()
    {
        var source = """{"file":"mysql-bin.000003","pos":154}"""u8.ToArray();
        Span<JsonSpan> spans = stackalloc JsonSpan[2];
        JsonObjectScan.Scan(source, [Encoding.UTF8.GetBytes("file"), Encoding.UTF8.GetBytes("pos")], spans);
        Assert.True(SourcePosition.TryReadBinlog(source, spans[0], spans[1], out var value));
        Assert.Equal((Int128)((3L << 32) + 154), value);
    }
}
