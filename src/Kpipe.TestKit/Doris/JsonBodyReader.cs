using System.Text;
using System.Text.Json;

namespace Kpipe.TestKit.Doris;

/// <summary>A data error that stops the whole load (be: Status::DataQualityError from the JSON reader).</summary>
internal sealed class DataQualityException(string message, string sourceLine) : Exception(message)
{
    public string SourceLine { get; } = sourceLine;
}

/// <summary>
/// Reads a JSON body the three ways Doris does (be/src/vec/exec/format/json/new_json_reader.cpp):
/// with read_json_by_line one document per line (streamed line by line); with strip_outer_array one array
/// whose elements are rows (streamed element by element); otherwise the whole body is ONE document, so
/// JSON lines sent without read_json_by_line fail to parse. json_root picks the data out of each document.
/// </summary>
internal sealed class JsonBodyReader(LoadPlan plan, RowBuilder rows, LoadBatch batch)
{
    public async Task ReadAsync(Stream body, CancellationToken ct)
    {
        var request = plan.Request;
        if (request.ReadJsonByLine)
        {
            await LineSplitter.ForEachLineAsync(body, request.LineDelimiter, line => ReadDocument(line), ct).ConfigureAwait(false);
            return;
        }

        if (request.StripOuterArray && plan.JsonRoot is null)
        {
            var peek = new PeekableStream(body);
            var first = await peek.PeekNonWhitespaceAsync(ct).ConfigureAwait(false);
            if (first == '[')
            {
                await ReadArrayAsync(peek, ct).ConfigureAwait(false);
                return;
            }

            body = peek;
        }

        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, ct).ConfigureAwait(false);
        ReadDocument(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private async Task ReadArrayAsync(Stream body, CancellationToken ct)
    {
        try
        {
            await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: ct).ConfigureAwait(false))
                AddRow(element);
        }
        catch (JsonException)
        {
            throw new DataQualityException(ParseErrorMessage(3, "Invalid value."), "");
        }
    }

    private void ReadDocument(ReadOnlyMemory<byte> bytes)
    {
        if (IsBlank(bytes.Span))
            return;
        // simdjson (Doris's JSON parser since 2.0) validates UTF-8 before anything else and refuses the line;
        // System.Text.Json would only notice when a string is read.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            throw new DataQualityException(ParseErrorMessage(10, "The input is not valid UTF-8"), Encoding.UTF8.GetString(bytes.Span));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            var (code, info) = DescribeParseError(bytes.Span);
            throw new DataQualityException(ParseErrorMessage(code, info), Encoding.UTF8.GetString(bytes.Span));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (plan.JsonRoot is { } path && !path.TryEvaluate(root, out root))
                throw new DataQualityException("JSON Root not found.", Encoding.UTF8.GetString(bytes.Span));

            if (plan.Request.StripOuterArray)
            {
                if (root.ValueKind != JsonValueKind.Array)
                    throw new DataQualityException("JSON data is not an array-object, `strip_outer_array` must be FALSE.", root.GetRawText());
                foreach (var element in root.EnumerateArray())
                    AddRow(element);
            }
            else
            {
                if (root.ValueKind == JsonValueKind.Array)
                    throw new DataQualityException("JSON data is array-object, `strip_outer_array` must be TRUE.", root.GetRawText());
                AddRow(root);
            }
        }
    }

    private void AddRow(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object && plan.SourceFields.All(f => f.Path is null))
        {
            batch.TotalRows++;
            batch.Filter("Expect json object value", element.GetRawText());
            return;
        }

        rows.Add(new JsonRecord(element, plan.SourceFields));
    }

    private static string ParseErrorMessage(int code, string info) => $"Parse json data for JsonDoc failed. code: {code}, error info: {info}";

    /// <summary>Names the parse error as rapidjson does (its codes: 1 empty, 2 trailing content, 3 invalid value).</summary>
    private static (int Code, string Info) DescribeParseError(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true });
            if (!reader.Read())
                return (1, "The document is empty.");
            reader.Skip();
            if (reader.Read())
                return (2, "The document root must not be followed by other values.");
        }
        catch (JsonException)
        {
        }

        return (3, "Invalid value.");
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return false;
        }

        return true;
    }

    private sealed class JsonRecord(JsonElement element, List<SourceField> fields) : ISourceRecord
    {
        public string SourceLine => element.GetRawText();

        public bool TryGet(int field, out SourceValue value)
        {
            var f = fields[field];
            JsonElement found;
            if (f.Path is not null)
            {
                if (!f.Path.TryEvaluate(element, out found))
                {
                    value = SourceValue.Null;
                    return false;
                }
            }
            else if (!TryGetProperty(f.Name, out found))
            {
                value = SourceValue.Null;
                return false;
            }

            value = SourceValue.FromJson(found);
            return true;
        }

        private bool TryGetProperty(string name, out JsonElement value)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                value = default;
                return false;
            }

            if (element.TryGetProperty(name, out value))
                return true;
            // Column names are case-insensitive in Doris, and so is the match of JSON keys to them.
            foreach (var p in element.EnumerateObject())
            {
                if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    value = p.Value;
                    return true;
                }
            }

            return false;
        }
    }
}
