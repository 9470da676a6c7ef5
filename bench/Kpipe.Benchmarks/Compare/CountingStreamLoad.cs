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
/// as Doris does. A load sent with <c>two_phase_commit: true</c> (the sink's <c>exactlyOnce</c>) is answered
/// precommitted and counted only when <c>PUT /api/{db}/_stream_load_2pc</c> commits it, with the answers the sink
/// reads (TwoPhaseAnswer). No parsing, no storage: the Doris emulator of the test kit checks types and keeps rows,
/// which costs more CPU than the pipelines being measured on a 2-core machine.
/// </summary>
internal sealed class CountingStreamLoad : IAsyncDisposable
{
    private static readonly byte[] DeleteMarker = "\"__DORIS_DELETE_SIGN__\":1"u8.ToArray();
    private readonly ConcurrentDictionary<string, TableCount> _tables = new();
    private readonly ConcurrentDictionary<string, byte> _labels = new();
    private readonly ConcurrentDictionary<long, (TableCount Table, long Rows, long Deletes)> _precommitted = new();
    private readonly ConcurrentDictionary<long, byte> _committed = new();
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
        if (HttpMethods.IsPut(context.Request.Method) && parts is ["api", _, "_stream_load_2pc"])
        {
            await FinishAsync(context);
            return;
        }
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
        var twoPhase = string.Equals(context.Request.Headers["two_phase_commit"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        string status, existing = "";
        if (_labels.TryAdd(label, 0))
        {
            status = "Success";
            if (twoPhase) _precommitted[txn] = (Table(parts[1], parts[2]), rows, deletes);
            else Count(Table(parts[1], parts[2]), rows, deletes);
        }
        else
        {
            status = "Label Already Exists";
            existing = ",\"ExistingJobStatus\":\"FINISHED\"";
        }
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(
            $$"""{"TxnId":{{txn}},"Label":"{{label}}","Comment":"","TwoPhaseCommit":"{{(twoPhase ? "true" : "false")}}","Status":"{{status}}"{{existing}},"Message":"OK","NumberTotalRows":{{rows}},"NumberLoadedRows":{{rows}},"NumberFilteredRows":0,"NumberUnselectedRows":0,"LoadBytes":{{bytes}},"LoadTimeMs":0,"BeginTxnTimeMs":0,"StreamLoadPutTimeMs":0,"ReadDataTimeMs":0,"WriteDataTimeMs":0,"CommitAndPublishTimeMs":0}""",
            Encoding.UTF8);
    }

    private static void Count(TableCount count, long rows, long deletes)
    {
        Interlocked.Add(ref count.Rows, rows);
        Interlocked.Add(ref count.Deletes, deletes);
        Interlocked.Increment(ref count.Loads);
        Volatile.Write(ref count.LastLoadTimestamp, Stopwatch.GetTimestamp());
    }

    /// <summary>Commits or aborts a precommitted load by <c>txn_id</c>, answering as a BE does.</summary>
    private async Task FinishAsync(HttpContext context)
    {
        var operation = context.Request.Headers["txn_operation"].ToString();
        var id = long.TryParse(context.Request.Headers["txn_id"].ToString(), out var n) ? n : -1;
        string status = "Fail", message;
        if (_precommitted.TryRemove(id, out var load))
        {
            status = "Success";
            if (string.Equals(operation, "commit", StringComparison.OrdinalIgnoreCase))
            {
                Count(load.Table, load.Rows, load.Deletes);
                _committed[id] = 0;
                message = $"transaction [{id}] commit successfully.";
            }
            else message = $"transaction [{id}] abort successfully.";
        }
        else message = _committed.ContainsKey(id) ? $"transaction [{id}] is already visible, not pre-committed." : $"transaction [{id}] not found";
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync($$"""{"status":"{{status}}","msg":"{{message}}"}""", Encoding.UTF8);
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
