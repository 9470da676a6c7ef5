using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class RejectedRowTests
{
    [Fact]
    public void A_report_line_gives_the_reason_the_row_as_sent_and_the_column()
    {
        var row = RejectedRow.Parse("Reason: column_name[name], the length of input is too long than schema. first 32 bytes of input str: [x] schema length: 4; actual length: 13; . src line [{\"id\":2,\"name\":\"a]b\"}]; ");

        Assert.Equal("{\"id\":2,\"name\":\"a]b\"}", row.SourceLine);
        Assert.Equal("name", row.Column);
        Assert.StartsWith("column_name[name], the length of input is too long than schema", row.Reason);
    }

    [Fact]
    public void A_line_without_a_source_line_still_has_its_reason()
    {
        var row = RejectedRow.Parse("Reason: The column `id` is not nullable, but it's not found in jsondata.");

        Assert.Null(row.SourceLine);
        Assert.Null(row.Column);
        Assert.Equal("The column `id` is not nullable, but it's not found in jsondata.", row.Reason);
    }
}
