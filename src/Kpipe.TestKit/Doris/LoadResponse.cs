using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The BE's answer to a Stream Load, field for field as StreamLoadContext::to_json writes it
/// (be/src/runtime/stream_load/stream_load_context.cpp): a pretty-printed JSON object followed by a newline,
/// always with HTTP 200.
/// </summary>
internal sealed class LoadResponse
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public long TxnId { get; set; } = -1;
    public string Label { get; set; } = "";
    public string Comment { get; set; } = "";
    public bool TwoPhaseCommit { get; set; }
    public bool GroupCommit { get; set; }
    public string Status { get; set; } = DorisLoadStatus.Fail;
    public string? ExistingJobStatus { get; set; }
    public string Message { get; set; } = "";
    public long NumberTotalRows { get; set; }
    public long NumberLoadedRows { get; set; }
    public long NumberFilteredRows { get; set; }
    public long NumberUnselectedRows { get; set; }
    public long LoadBytes { get; set; }
    public long LoadTimeMs { get; set; }
    public long BeginTxnTimeMs { get; set; }
    public long StreamLoadPutTimeMs { get; set; }
    public long ReadDataTimeMs { get; set; }
    public long WriteDataTimeMs { get; set; }
    public long CommitAndPublishTimeMs { get; set; }
    public string? ErrorUrl { get; set; }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("TxnId", TxnId);
            w.WriteString("Label", Label);
            w.WriteString("Comment", Comment);
            // TwoPhaseCommit is a string "true"/"false"; group-commit loads carry GroupCommit (a boolean) instead.
            if (GroupCommit)
                w.WriteBoolean("GroupCommit", true);
            else
                w.WriteString("TwoPhaseCommit", TwoPhaseCommit ? "true" : "false");
            w.WriteString("Status", Status);
            if (Status == DorisLoadStatus.LabelAlreadyExists)
                w.WriteString("ExistingJobStatus", ExistingJobStatus ?? "");
            w.WriteString("Message", Message);
            w.WriteNumber("NumberTotalRows", NumberTotalRows);
            w.WriteNumber("NumberLoadedRows", NumberLoadedRows);
            w.WriteNumber("NumberFilteredRows", NumberFilteredRows);
            w.WriteNumber("NumberUnselectedRows", NumberUnselectedRows);
            w.WriteNumber("LoadBytes", LoadBytes);
            w.WriteNumber("LoadTimeMs", LoadTimeMs);
            if (!GroupCommit)
                w.WriteNumber("BeginTxnTimeMs", BeginTxnTimeMs);
            w.WriteNumber("StreamLoadPutTimeMs", StreamLoadPutTimeMs);
            w.WriteNumber("ReadDataTimeMs", ReadDataTimeMs);
            w.WriteNumber("WriteDataTimeMs", WriteDataTimeMs);
            if (!GroupCommit)
                w.WriteNumber("CommitAndPublishTimeMs", CommitAndPublishTimeMs);
            if (ErrorUrl is not null)
                w.WriteString("ErrorURL", ErrorUrl);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }
}
