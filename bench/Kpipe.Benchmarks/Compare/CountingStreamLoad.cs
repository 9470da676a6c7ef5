using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Kpipe.TestKit.Doris;
using Microsoft.AspNetCore.Http;

namespace Kpipe.Benchmarks.Compare;

/// <summary>
/// A Stream Load endpoint that only counts: <c>PUT /api/{db}/{table}/_stream_load</c> on Kestrel (which answers
/// <c>Expect: 100-continue</c> by itself when the body is first read), rows = JSON lines, deletes = lines with
/// <c>"__DORIS_DELETE_SIGN__":1</c>, answered like a BE (HTTP 200, <c>Status: Success</c>,
/// <c>NumberLoadedRows</c>). A label seen before is answered <c>Label Already Exists</c> and not counted again,
/// as Doris does. No parsing, no storage: the Doris emulator of the test kit checks types and keeps rows, which
/// costs more CPU than the pipelines being measured on a 2-core machine.
/// </summary>
internal sealed class CountingStreamLoad : IAsyncDisposable
{
    private static readonly byte[] DeleteMarker = "\"__DORIS_DELETE_SIGN__\":1"u8.ToArray();
    private readonly ConcurrentDictionary<string, TableCount> _tables = new();
    private readonly ConcurrentDictionary<string, byte> _labels = new();
    private KestrelListener? _listener;
    private long _txn;
    private TimeSpan _answerDelay;

    public string HostPort { get; private set; } = "";

    /// <summary>Rows, deletes and loads of one table, and when its last load was answered.</summary>
    public sealed class TableCount
    {
        public long Rows;
        public long Deletes;
        public long Loads;
        public long LastLoadTimestamp;
    }

    /// <param name="answerDelay">How long each load's answer is held after its body was read: a slow Doris
    /// (the sink keeps the load's body buffered meanwhile).</param>
    public static async Task<CountingStreamLoad> StartAsync(TimeSpan answerDelay = default)
    {
        var endpoint = new CountingStreamLoad { _answerDelay = answerDelay };
        endpoint._listener = await KestrelListener.StartAsync(endpoint.HandleAsync, CancellationToken.None);
        endpoint.HostPort = $"127.0.0.1:{endpoint._listener.Port}";
        return endpoint;
    }

    public TableCount Table(string db, string table) => _tables.GetOrAdd($"{db}.{table}", _ => new TableCount());

    private async Task HandleAsync(HttpContext context)
    {
        var parts = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (!HttpMethods.IsPut(context.Request.Method) || parts is not ["api", _, _, "_stream_load"])
        {
            context.Response.StatusCode = 404;
            return;
        }
        var label = context.Request.Headers["label"].ToString();
        if (label.Length == 0) label = $"bench_{Guid.NewGuid():N}";
        long rows = 0, deletes = 0, bytes = 0;
        var last = (byte)'\n';
        var reader = context.Request.BodyReader;
        byte[]? carry = null;
        while (true)
        {
            var read = await reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                var span = segment.Span;
                if (span.IsEmpty) continue;
                rows += span.Count((byte)'\n');
                deletes += CountMarkers(span, ref carry);
                bytes += span.Length;
                last = span[^1];
            }
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) break;
        }
        if (bytes > 0 && last != (byte)'\n') rows++;
        if (_answerDelay > TimeSpan.Zero) await Task.Delay(_answerDelay);

        var txn = Interlocked.Increment(ref _txn);
        string status, existing = "";
        if (_labels.TryAdd(label, 0))
        {
            status = "Success";
            var count = Table(parts[1], parts[2]);
            Interlocked.Add(ref count.Rows, rows);
            Interlocked.Add(ref count.Deletes, deletes);
            Interlocked.Increment(ref count.Loads);
            Volatile.Write(ref count.LastLoadTimestamp, Stopwatch.GetTimestamp());
        }
        else
        {
            status = "Label Already Exists";
            existing = ",\"ExistingJobStatus\":\"FINISHED\"";
        }
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(
            $$"""{"TxnId":{{txn}},"Label":"{{label}}","Comment":"","TwoPhaseCommit":"false","Status":"{{status}}"{{existing}},"Message":"OK","NumberTotalRows":{{rows}},"NumberLoadedRows":{{rows}},"NumberFilteredRows":0,"NumberUnselectedRows":0,"LoadBytes":{{bytes}},"LoadTimeMs":0,"BeginTxnTimeMs":0,"StreamLoadPutTimeMs":0,"ReadDataTimeMs":0,"WriteDataTimeMs":0,"CommitAndPublishTimeMs":0}""",
            Encoding.UTF8);
    }

    /// <summary>Counts delete markers in a body segment; <paramref name="carry"/> keeps the previous segment's
    /// tail so a marker split across segments is found once.</summary>
    private static long CountMarkers(ReadOnlySpan<byte> span, ref byte[]? carry)
    {
        long found = 0;
        if (carry != null)
        {
            var take = Math.Min(span.Length, DeleteMarker.Length - 1);
            var joined = new byte[carry.Length + take];
            carry.CopyTo(joined, 0);
            span[..take].CopyTo(joined.AsSpan(carry.Length));
            if (joined.AsSpan().IndexOf(DeleteMarker) >= 0) found++;
        }
        for (var rest = span; ;)
        {
            var at = rest.IndexOf(DeleteMarker);
            if (at < 0) break;
            found++;
            rest = rest[(at + DeleteMarker.Length)..];
        }
        var tail = Math.Min(span.Length, DeleteMarker.Length - 1);
        carry = span[^tail..].ToArray();
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener != null) await _listener.DisposeAsync();
    }
}
