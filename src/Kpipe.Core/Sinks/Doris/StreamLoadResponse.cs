using System.Globalization;
using System.Text.Json;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The JSON answer to a Stream Load, read leniently: fields come and go between Doris versions, numbers may be
/// strings, names are matched case-insensitively, and a body that is not a JSON object gives null. Holds both
/// shapes: the BE's load result (<c>Status</c>, <c>Message</c>, <c>NumberFilteredRows</c>...) and the FE's
/// own errors (<c>{"msg":"Unauthorized","code":401,"data":...}</c>, <c>{"status":"FAILED","msg":...}</c>).
/// </summary>
internal sealed class StreamLoadResponse
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>BE: Success, Publish Timeout, Label Already Exists or Fail.</summary>
    public string? Status { get; private init; }
    public string? Message { get; private init; }
    public string? ExistingJobStatus { get; private init; }
    public string? Label { get; private init; }
    public long TxnId { get; private init; } = -1;
    public long NumberTotalRows { get; private init; }
    public long NumberLoadedRows { get; private init; }
    public long NumberFilteredRows { get; private init; }
    public long NumberUnselectedRows { get; private init; }
    public long LoadBytes { get; private init; }
    public long LoadTimeMs { get; private init; }
    public string? ErrorUrl { get; private init; }

    /// <summary><c>TwoPhaseCommit</c>: "true" when the load was precommitted (a string in Doris's answer); null when absent.</summary>
    public bool? TwoPhaseCommit { get; private init; }

    /// <summary>FE error shape: <c>status</c> ("FAILED"), <c>msg</c>, <c>code</c> and <c>data</c>.</summary>
    public string? FeStatus { get; private init; }
    public string? FeMessage { get; private init; }
    public long? FeCode { get; private init; }
    public string? FeData { get; private init; }

    public static StreamLoadResponse? Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body, Options);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var folded = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in root.EnumerateObject())
            {
                fields[p.Name] = p.Value.Clone();
                folded.TryAdd(p.Name, p.Value.Clone());
            }
            // The BE writes "Status"/"Message", the FE "status"/"msg": the exact spelling tells them apart.
            JsonElement? Exact(string name) => fields.TryGetValue(name, out var v) ? v : null;
            JsonElement? Any(string name) => fields.TryGetValue(name, out var v) || folded.TryGetValue(name, out v) ? v : null;
            return new StreamLoadResponse
            {
                Status = Text(Exact("Status")),
                Message = Text(Exact("Message")),
                ExistingJobStatus = Text(Any("ExistingJobStatus")),
                Label = Text(Exact("Label")),
                TxnId = Number(Any("TxnId")) ?? -1,
                NumberTotalRows = Number(Any("NumberTotalRows")) ?? 0,
                NumberLoadedRows = Number(Any("NumberLoadedRows")) ?? 0,
                NumberFilteredRows = Number(Any("NumberFilteredRows")) ?? 0,
                NumberUnselectedRows = Number(Any("NumberUnselectedRows")) ?? 0,
                LoadBytes = Number(Any("LoadBytes")) ?? 0,
                LoadTimeMs = Number(Any("LoadTimeMs")) ?? 0,
                ErrorUrl = NullIfEmpty(Text(Any("ErrorURL"))),
                TwoPhaseCommit = Text(Any("TwoPhaseCommit")) is { } twoPhase ? twoPhase.Equals("true", StringComparison.OrdinalIgnoreCase) : null,
                FeStatus = Text(Exact("status")),
                FeMessage = Text(Exact("msg")),
                FeCode = Number(Exact("code")),
                FeData = Text(Exact("data")),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True for the BE's load-result shape (a <c>Status</c> field).</summary>
    public bool IsLoadResult => Status != null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string? Text(JsonElement? e) => e?.ValueKind switch
    {
        JsonValueKind.String => e.Value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => e.Value.GetRawText(),
        JsonValueKind.Object or JsonValueKind.Array => e.Value.GetRawText(),
        _ => null,
    };

    private static long? Number(JsonElement? e)
    {
        if (e is not { } v) return null;
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out var l)) return l;
            if (v.TryGetDouble(out var d)) return (long)d;
        }
        if (v.ValueKind == JsonValueKind.String
            && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            return parsed;
        return null;
    }
}
