using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using Kpipe.Engine;
using Kpipe.Sinks;
using Kpipe.Sinks.Doris;
using Kpipe.Transforms.Select;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kpipe.Benchmarks;

/// <summary>
/// Memory of the Doris sink under load: seed-shape-3 messages (3 devices each) go through the select transform
/// (explode, 8 typed columns) and <see cref="DorisSink"/> with its default options into a bare Stream Load
/// endpoint that reads and discards each body (optionally after a delay, a slow Doris). Records come from a ring
/// of pre-built batches, a batch being reused only once the sink acknowledged it: the ring is the engine's
/// in-flight bound (64 MiB by default; when it is full the sink is flushed, as the engine does) and, like librdkafka's message memory, is allocated once. Prints peak
/// working set (VmHWM), GC counts and allocation per row; run it once per GC setting (environment variables),
/// see docs/performance.md.
/// </summary>
internal static class DorisMemoryRun
{
    private const int MessagesPerBatch = 1000, DevicesPerMessage = 3, Partitions = 4;

    public static async Task<int> RunAsync(int rows, int delayMs)
    {
        using var ticks = Environment.GetEnvironmentVariable("KPIPE_ALLOC_TRACE") == "1" ? new AllocationTicks() : null;
        using var endpoint = new DiscardingStreamLoad(delayMs);
        var options = new DorisSinkOptions
        {
            Name = "doris-bench", FeNodes = [endpoint.Address], BeNodes = [endpoint.Address], Table = "db.devices",
            User = "root",
        };
        var ring = BuildRing(out var ringBytes);
        using var select = new SelectTransform(SelectOptions());
        var errors = new RecordErrorHandler(ErrorPolicy.Fail, new PipelineMetrics(), NullLogger.Instance);
        var acks = new RingAcknowledger(ring.Length);
        var sink = new DorisSink(options, "bench", errors, NullLogger.Instance);

        var batches = rows / (MessagesPerBatch * DevicesPerMessage);
        // Forget the setup (the messages' strings) and start the peak working set from here: writing 5 to
        // clear_refs resets VmHWM (Linux, proc(5)).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        long sinkAllocated = 0, steadyAllocated = 0, steadyGen2 = 0;
        var clock = Stopwatch.StartNew();
        var writer = Task.Factory.StartNew(() =>
        {
            for (var b = 0; b < batches; b++)
            {
                var slot = b % ring.Length;
                if (!acks.TryTake(slot))
                {
                    // The in-flight bound is reached: the engine pauses the source and asks sinks to send.
                    _ = sink.FlushAsync(CancellationToken.None);
                    acks.WaitFree(slot);
                }
                var batch = ring[slot];
                select.Apply(batch, errors);
                var before = GC.GetAllocatedBytesForCurrentThread();
                sink.Write(batch, acks);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                sinkAllocated += allocated;
                // The second half: chunks are pooled by then (the first loads allocate them, once).
                if (b >= batches / 2) steadyAllocated += allocated;
                if (b == batches / 2) steadyGen2 = GC.CollectionCount(2);
                batch.Rows = null;
            }
        }, TaskCreationOptions.LongRunning);
        await writer;
        await sink.FlushAsync(CancellationToken.None);
        for (var slot = 0; slot < ring.Length; slot++) acks.WaitFree(slot);
        var seconds = clock.Elapsed.TotalSeconds;
        var peakBuffered = sink.PeakBufferedBytes;
        await sink.DisposeAsync();
        if (acks.Failed is { } failure) throw failure;

        var written = (long)batches * MessagesPerBatch * DevicesPerMessage;
        var totalAllocated = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
        Console.WriteLine($"rows {written:N0} in {seconds:F1}s ({written / seconds:N0}/s), loads {endpoint.Loads}, body bytes {endpoint.Bytes:N0} "
            + $"(rows loaded {endpoint.Rows:N0}), Doris delay {delayMs} ms, ring {ringBytes >> 20} MiB");
        Console.WriteLine($"GC server={GCSettings.IsServerGC} latency={GCSettings.LatencyMode} "
            + $"conserve={AppContext.GetData("GCConserveMemory") ?? Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory") ?? "-"} "
            + $"hardLimit={GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20} MiB");
        Console.WriteLine("| peak RSS (VmHWM) | peak sink buffered | gen0 | gen1 | gen2 (2nd half) | sink alloc/row (2nd half) | process alloc/row | rows/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {PeakRssMiB()} MiB | {peakBuffered >> 20} MiB | {GC.CollectionCount(0) - gc0.Item1} | {GC.CollectionCount(1) - gc0.Item2} "
            + $"| {GC.CollectionCount(2) - gc0.Item3} ({GC.CollectionCount(2) - steadyGen2}) | {sinkAllocated / (double)written:F1} B ({steadyAllocated / (written / 2.0):F1} B) | {totalAllocated / (double)written:F1} B | {written / seconds:N0} |");
        ticks?.Print();
        return endpoint.Rows == written ? 0 : 1;
    }

    private static SelectOptions SelectOptions() => new()
    {
        Explode = "payload",
        Columns =
        [
            new() { Name = "id", Path = "device_id" }, new() { Name = "device_name" },
            new() { Name = "timestamp", Type = "timestamp" }, new() { Name = "manufacturer" },
            new() { Name = "model" }, new() { Name = "description" }, new() { Name = "location" },
            new() { Name = "battery_voltage", Type = "double" },
        ],
    };

    /// <summary>Batches holding up to the engine's default in-flight bound (64 MiB) of records.</summary>
    private static RecordBatch[] BuildRing(out long bytes)
    {
        var ring = new List<RecordBatch>();
        bytes = 0;
        for (var b = 0; bytes < 64L << 20; b++)
        {
            var records = new List<ManagedRecord>(MessagesPerBatch);
            for (var i = 0; i < MessagesPerBatch; i++)
            {
                var n = (long)b * MessagesPerBatch + i;
                records.Add(new ManagedRecord("devices", (int)(n % Partitions), n / Partitions, null, Encoding.UTF8.GetBytes(Message(n))));
            }
            var batch = ManagedBatch.Create(b, records);
            bytes += batch.Bytes;
            ring.Add(batch);
        }
        return [.. ring];
    }

    private static string Message(long i)
    {
        var devices = Enumerable.Range(0, DevicesPerMessage).Select(d => $$"""
            {"device_id":"FD{{i * 3 + d}}","device_name":"Drilling Machine 2000","timestamp":"2024-07-19T10:00:{{d:00}}Z","manufacturer":"TechTools Inc.","model":"DTM-2000","description":"Advanced drilling machine for industrial use","location":"Production Line A","battery_voltage":"12.{{d}}"}
            """.Trim());
        return $$"""{"payload":[{{string.Join(",", devices)}}]}""";
    }

    private static long PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) >> 10;
        return Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    }

    /// <summary>Frees a ring slot when the sink acknowledges its batch.</summary>
    private sealed class RingAcknowledger(int slots) : ISinkAcknowledger
    {
        private readonly SemaphoreSlim[] _free = [.. Enumerable.Range(0, slots).Select(_ => new SemaphoreSlim(1, 1))];

        public Exception? Failed { get; private set; }

        /// <summary>Takes the slot once its batch is acknowledged (or was never written).</summary>
        public void WaitFree(int slot) => _free[slot].Wait();

        public bool TryTake(int slot) => _free[slot].Wait(0);

        public void Acknowledge(RecordBatch batch) => _free[batch.Id % slots].Release();

        public void Fail(RecordBatch batch, Exception error)
        {
            Failed = error;
            _free[batch.Id % slots].Release();
        }
    }

    /// <summary>Stream Load endpoint that reads and discards bodies and answers Success with the row count.</summary>
    private sealed class DiscardingStreamLoad : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int _delayMs;
        private long _loads, _bytes, _rows;

        public DiscardingStreamLoad(int delayMs)
        {
            _delayMs = delayMs;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = $"127.0.0.1:{port}";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public string Address { get; }

        public long Loads => Interlocked.Read(ref _loads);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Rows => Interlocked.Read(ref _rows);

        private async Task AcceptAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            var buffer = new byte[64 * 1024];
            long rows = 0, bytes = 0;
            int n;
            while ((n = await context.Request.InputStream.ReadAsync(buffer)) > 0)
            {
                bytes += n;
                rows += buffer.AsSpan(0, n).Count((byte)'\n');
            }
            if (_delayMs > 0) await Task.Delay(_delayMs);
            Interlocked.Increment(ref _loads);
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Add(ref _rows, rows);
            var answer = Encoding.UTF8.GetBytes($$"""{"Status":"Success","NumberTotalRows":{{rows}},"NumberLoadedRows":{{rows}},"LoadBytes":{{bytes}}}""");
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }

        public void Dispose() => _listener.Close();
    }
}

/// <summary>With KPIPE_ALLOC_TRACE=1: which types the run allocates (the runtime's allocation ticks, one per
/// ~100 KB), printed at the end.</summary>
internal sealed class AllocationTicks : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload == null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j], System.Globalization.CultureInfo.InvariantCulture) : 0;
        _bytes.AddOrUpdate(type, amount, (_, n) => n + amount);
    }

    public void Print()
    {
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(15)) Console.WriteLine($"  {bytes >> 10,10} KiB  {type}");
    }
}
