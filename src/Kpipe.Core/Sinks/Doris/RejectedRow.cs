namespace Kpipe.Sinks.Doris;

/// <summary>
/// One line of the rejected-row report behind a load's ErrorURL: Doris writes
/// <c>Reason: {why}. src line [{the row as sent}]; </c> per rejected row (be: RuntimeState::append_error_msg_to_file),
/// and names the column as <c>column_name[{name}]</c> in most reasons. The source line lets the sink find which of
/// its rows Doris rejected; when a version writes it differently (reformatted JSON), the row is not found and the
/// sink falls back to loading the rows apart.
/// </summary>
internal sealed record RejectedRow(string Reason, string? SourceLine, string? Column)
{
    private const string ReasonPrefix = "Reason: ";
    private const string SourceMarker = ". src line [";

    public static RejectedRow Parse(string line)
    {
        line = line.Trim();
        var body = line.StartsWith(ReasonPrefix, StringComparison.Ordinal) ? line[ReasonPrefix.Length..] : line;
        string? source = null;
        var marker = body.IndexOf(SourceMarker, StringComparison.Ordinal);
        var reason = body;
        if (marker >= 0)
        {
            reason = body[..marker];
            var rest = body[(marker + SourceMarker.Length)..];
            // The line ends "]; " (trimmed: "];"); the row itself may hold "]" anywhere.
            if (rest.EndsWith("];", StringComparison.Ordinal)) source = rest[..^2];
            else if (rest.EndsWith(']')) source = rest[..^1];
        }
        return new RejectedRow(reason, source, ColumnOf(reason));
    }

    private static string? ColumnOf(string reason)
    {
        const string marker = "column_name[";
        var at = reason.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var end = reason.IndexOf(']', at + marker.Length);
        return end < 0 ? null : reason[(at + marker.Length)..end];
    }
}
