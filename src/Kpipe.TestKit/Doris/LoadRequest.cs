using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

internal enum DataFormat
{
    Csv,
    Json,
}

internal enum MergeType
{
    Append,
    Delete,
    Merge,
}

/// <summary>
/// The Stream Load headers the emulator honours (names from be/src/http/http_common.h; values compared
/// case-insensitively like the BE's iequal). Header names are case-insensitive, as in HTTP.
/// </summary>
internal sealed class LoadRequest
{
    public required string Database { get; init; }
    public required string Table { get; init; }
    public required string Label { get; init; }
    public DataFormat Format { get; init; }
    public int CsvHeaderLines { get; init; }
    public bool ReadJsonByLine { get; init; }
    public bool StripOuterArray { get; init; }
    public string? JsonPaths { get; init; }
    public string? JsonRoot { get; init; }
    public string? Columns { get; init; }
    public string? Where { get; init; }
    public double MaxFilterRatio { get; init; }
    public bool StrictMode { get; init; }
    public required TimeZoneInfo TimeZone { get; init; }
    public MergeType MergeType { get; init; }
    public string? DeleteCondition { get; init; }
    public IReadOnlyList<string> HiddenColumns { get; init; } = [];
    public string? SequenceColumn { get; init; }
    public bool PartialColumns { get; init; }
    public bool TwoPhaseCommit { get; init; }
    public bool GroupCommit { get; init; }
    public bool Gzip { get; init; }
    public byte[] ColumnSeparator { get; init; } = "\t"u8.ToArray();
    public byte[] LineDelimiter { get; init; } = "\n"u8.ToArray();
    public bool TrimDoubleQuotes { get; init; }
    public string Comment { get; init; } = "";

    /// <summary>Reads the headers; returns the error Doris would answer (as a Fail message) or null.</summary>
    public static LoadRequest Parse(IHeaderDictionary headers, string db, string table, string defaultTimezone, out string? error)
    {
        error = null;
        string? H(string name)
        {
            var v = headers[name].ToString();
            return string.IsNullOrEmpty(v) ? null : v.Trim();
        }

        // Separators are taken verbatim: a space is a valid column_separator.
        string? Raw(string name)
        {
            var v = headers[name].ToString();
            return string.IsNullOrEmpty(v) ? null : v;
        }

        bool True(string name) => string.Equals(H(name), "true", StringComparison.OrdinalIgnoreCase);

        var label = H("label");
        var groupCommit = H("group_commit");
        var isGroupCommit = groupCommit is not null && !groupCommit.Equals("off_mode", StringComparison.OrdinalIgnoreCase);
        var fallback = new LoadRequest
        {
            Database = db, Table = table, Label = label ?? Guid.NewGuid().ToString(), TimeZone = TimeZoneInfo.Utc,
            TwoPhaseCommit = True("two_phase_commit"), GroupCommit = isGroupCommit,
        };

        if (isGroupCommit)
        {
            // be: StreamLoadAction::_handle_group_commit: group commit takes no label and no 2PC.
            if (!groupCommit!.Equals("async_mode", StringComparison.OrdinalIgnoreCase)
                && !groupCommit.Equals("sync_mode", StringComparison.OrdinalIgnoreCase))
                return Fail(out error, fallback, $"[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]");
            if (label is not null)
                return Fail(out error, fallback, "[INVALID_ARGUMENT]label and group_commit can't be set at the same time");
            if (fallback.TwoPhaseCommit)
                return Fail(out error, fallback, "[INVALID_ARGUMENT]group commit does not support two phase commit");
        }

        var formatText = H("format") ?? "csv";
        DataFormat format;
        var headerLines = 0;
        switch (formatText.ToLowerInvariant())
        {
            case "csv":
                format = DataFormat.Csv;
                break;
            case "csv_with_names":
                format = DataFormat.Csv;
                headerLines = 1;
                break;
            case "csv_with_names_and_types":
                format = DataFormat.Csv;
                headerLines = 2;
                break;
            case "json":
                format = DataFormat.Json;
                break;
            case "parquet":
            case "orc":
            case "arrow":
                return Fail(out error, fallback, $"[NOT_IMPLEMENTED_ERROR]the Doris emulator does not read format={formatText}");
            default:
                return Fail(out error, fallback, $"[INTERNAL_ERROR]unknown data format, format={formatText}");
        }

        var compress = H("compress_type");
        var gzip = false;
        if (compress is not null)
        {
            // Doris 2.1 refuses compressed JSON (be: StreamLoadAction::_on_header); JSON compression came in 3.0.5.
            if (format == DataFormat.Json)
                return Fail(out error, fallback, "[INTERNAL_ERROR]compress data of JSON format is not supported.");
            if (!compress.Equals("gz", StringComparison.OrdinalIgnoreCase))
                return Fail(out error, fallback, $"[NOT_IMPLEMENTED_ERROR]the Doris emulator only decompresses compress_type=gz, not {compress}");
            gzip = true;
        }

        var maxFilterRatio = 0.0;
        if (H("max_filter_ratio") is { } ratioText
            && (!double.TryParse(ratioText, NumberStyles.Float, CultureInfo.InvariantCulture, out maxFilterRatio)
                || maxFilterRatio < 0 || maxFilterRatio > 1))
            return Fail(out error, fallback, $"[INVALID_ARGUMENT]Invalid max_filter_ratio: {ratioText}");

        if (H("timeout") is { } timeout && !int.TryParse(timeout, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            return Fail(out error, fallback, "[INVALID_ARGUMENT]Invalid timeout format");

        var zoneName = H("timezone") ?? H("time_zone") ?? defaultTimezone;
        var zone = DorisTimeZones.Resolve(zoneName);
        if (zone is null)
            return Fail(out error, fallback, $"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Unknown or incorrect time zone: '{zoneName}'");

        var mergeText = H("merge_type") ?? "APPEND";
        MergeType mergeType;
        switch (mergeText.ToUpperInvariant())
        {
            case "APPEND":
                mergeType = MergeType.Append;
                break;
            case "DELETE":
                mergeType = MergeType.Delete;
                break;
            case "MERGE":
                mergeType = MergeType.Merge;
                break;
            default:
                return Fail(out error, fallback, $"[INVALID_ARGUMENT]Invalid merge type {mergeText}");
        }

        var deleteCondition = H("delete");
        // fe: LoadTask / StreamLoadTask.setOptionalFromTSLPutRequest: "use delete condition must in merge mode".
        if (deleteCondition is not null && mergeType != MergeType.Merge)
            return Fail(out error, fallback, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = not support DELETE ON clause when merge type is not MERGE.");
        if (deleteCondition is null && mergeType == MergeType.Merge)
            return Fail(out error, fallback, "[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Excepted DELETE ON clause when merge type is MERGE.");

        byte[] separator, delimiter;
        try
        {
            separator = Unescape(Raw("column_separator")) ?? "\t"u8.ToArray();
            delimiter = Unescape(Raw("line_delimiter")) ?? "\n"u8.ToArray();
        }
        catch (FormatException ex)
        {
            return Fail(out error, fallback, $"[INVALID_ARGUMENT]{ex.Message}");
        }

        return new LoadRequest
        {
            Database = db,
            Table = table,
            Label = fallback.Label,
            Format = format,
            CsvHeaderLines = headerLines,
            ReadJsonByLine = True("read_json_by_line"),
            StripOuterArray = True("strip_outer_array"),
            JsonPaths = H("jsonpaths"),
            JsonRoot = H("json_root"),
            Columns = H("columns"),
            Where = H("where"),
            MaxFilterRatio = maxFilterRatio,
            StrictMode = True("strict_mode"),
            TimeZone = zone,
            MergeType = mergeType,
            DeleteCondition = deleteCondition,
            HiddenColumns = (H("hidden_columns") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            SequenceColumn = H("function_column.sequence_col"),
            PartialColumns = True("partial_columns"),
            TwoPhaseCommit = fallback.TwoPhaseCommit,
            GroupCommit = isGroupCommit,
            Gzip = gzip,
            ColumnSeparator = separator,
            LineDelimiter = delimiter,
            TrimDoubleQuotes = True("trim_double_quotes"),
            Comment = H("comment") ?? "",
        };
    }

    private static LoadRequest Fail(out string? error, LoadRequest fallback, string message)
    {
        error = message;
        return fallback;
    }

    /// <summary>Separators may be written in hex as "\x01" (docs: stream-load-manual, column_separator).</summary>
    private static byte[]? Unescape(string? text)
    {
        if (text is null)
            return null;
        if (text.StartsWith("\\x", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
        {
            var hex = text[2..];
            if (hex.Length % 2 != 0)
                throw new FormatException($"invalid hex separator {text}");
            return Convert.FromHexString(hex);
        }

        return Encoding.UTF8.GetBytes(text switch
        {
            "\\t" => "\t",
            "\\n" => "\n",
            _ => text,
        });
    }
}
