using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Kpipe.TestKit.Kafka;

namespace Kpipe.Benchmarks.Compare;

/// <summary>The work items of <see cref="CompareRun"/>, one method each; each starts its own embedded Kafka.</summary>
internal sealed class Runner(CompareOptions o, string repo, string kpipeDll, string work, CountingStreamLoad doris, CompareResult result)
{
    private const string SourceTopic = "source_topic";
    private const string SinkTopic = "sink_topic";
    private const string CdcTopic = "dbserver1.inventory.devices";

    private int N => o.Messages;

    private static Dictionary<string, string> KafkaEnv(EmbeddedKafka kafka) => new()
    {
        ["KAFKA_BOOTSTRAP"] = kafka.BootstrapServers,
        ["KAFKA_SINK_BOOTSTRAP"] = kafka.BootstrapServers,
    };

    // ---- (a) Kafka -> Kafka ------------------------------------------------------------------------------

    public async Task KafkaToKafkaAsync(bool kcat)
    {
        using var kafka = CompareRun.StartKafka(SinkTopic, "sink_pipe", "sink_floor");
        await Preload(kafka, SourceTopic, Workloads.Plain);

        using (var sink = new TopicWatch(kafka.BootstrapServers, SinkTopic))
        {
            // examples/kafka_to_kafka.yaml (or the variant given) unchanged: its addresses come from the environment.
            Add(RunKpipe(CompareRun.KafkaToKafka, o.KafkaToKafkaPipeline ?? Path.Combine(repo, "examples", "kafka_to_kafka.yaml"), KafkaEnv(kafka), N, N,
                sink.Messages, () => null));
        }

        if (!kcat)
        {
            result.Skipped.Add(new(CompareRun.KafkaToKafka, CompareRun.KcatPipe, "kcat or GNU time (/usr/bin/time) not installed"));
            result.Skipped.Add(new(CompareRun.KafkaToKafka, CompareRun.KcatFloor, "kcat or GNU time (/usr/bin/time) not installed"));
            return;
        }
        var b = kafka.BootstrapServers;
        // The same producer settings as kpipe's Kafka sink: idempotent, acks=all, lz4, linger 10 ms, 1 MB batches.
        var produce = $"{o.Kcat} -P -b {b} -z lz4 -K '\\t' -X enable.idempotence=true -X acks=all -X linger.ms=10 -X batch.size=1000000";
        var consume = $"{o.Kcat} -C -b {b} -t {SourceTopic} -o beginning -e -q -f '%k\\t%s\\n'";
        using (var sink = new TopicWatch(b, "sink_pipe"))
        {
            var s1 = Path.Combine(work, "pipe-consumer.time");
            var s2 = Path.Combine(work, "pipe-producer.time");
            using var sh = ChildProcess.Start("sh", ["-c", $"{Time(s1)} {consume} | {Time(s2)} {produce} -t sink_pipe"]);
            var seen = new FirstSeen(sink.Messages);
            CompareRun.WaitUntil(() => seen.Count() >= N, o.Timeout, () => $"kcat pipe: {sink.Messages()} of {N} in sink_pipe", sh);
            var done = Stopwatch.GetTimestamp();
            sh.WaitForExit(o.Timeout, "kcat pipe");
            var (c1, r1, _) = ReadTime(s1);
            var (c2, r2, _) = ReadTime(s2);
            Add(new Measurement(CompareRun.KafkaToKafka, CompareRun.KcatPipe, N, sink.Messages(), CompareRun.Seconds(sh.StartTimestamp, done), c1 + c2, r1 + r2, null,
                "CPU and RSS: both kcat processes summed; headers are not copied") { Sink = seen.Until(done) });
        }
        using (var sink = new TopicWatch(b, "sink_floor"))
        {
            var file = Path.Combine(work, "floor.tsv");
            var s1 = Path.Combine(work, "floor-consumer.time");
            var s2 = Path.Combine(work, "floor-producer.time");
            using (var c = ChildProcess.Start("sh", ["-c", $"{Time(s1)} {consume} > '{file}'"]))
                if (c.WaitForExit(o.Timeout, "kcat consumer (floor)") != 0) throw new InvalidOperationException($"kcat consumer failed: {c.Stderr}");
            var lines = File.ReadLines(file).LongCount();
            if (lines != N) throw new InvalidOperationException($"kcat floor: consumed {lines} of {N} messages into {file}");
            using (var p = ChildProcess.Start("sh", ["-c", $"{Time(s2)} {produce} -t sink_floor -l '{file}'"]))
                if (p.WaitForExit(o.Timeout, "kcat producer (floor)") != 0) throw new InvalidOperationException($"kcat producer failed: {p.Stderr}");
            CompareRun.WaitUntil(() => sink.Messages() >= N, TimeSpan.FromSeconds(30), () => $"kcat floor: {sink.Messages()} of {N} in sink_floor");
            var (c1, r1, e1) = ReadTime(s1);
            var (c2, r2, e2) = ReadTime(s2);
            Add(new Measurement(CompareRun.KafkaToKafka, CompareRun.KcatFloor, N, sink.Messages(), e1 + e2, c1 + c2, Math.Max(r1, r2), null,
                "wall and CPU: the two steps summed; RSS: the larger"));
        }
    }

    private static string Time(string file) => $"/usr/bin/time -f '%U %S %M %e' -o '{file}'";

    /// <summary>CPU seconds (user + sys), peak RSS in MB and elapsed seconds from GNU time's output.</summary>
    private static (double Cpu, double RssMb, double Elapsed) ReadTime(string file)
    {
        var f = File.ReadAllLines(file).Last(l => l.Length > 0).Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return (f[0] + f[1], f[2] / 1024, f[3]);
    }

    // ---- (b) seed 3 -> Doris, (c) CDC -> Doris -----------------------------------------------------------

    public async Task Seed3Async(bool python)
    {
        using var kafka = CompareRun.StartKafka();
        await Preload(kafka, SourceTopic, Workloads.Seed3);
        // The seed's own settings file; only its placeholder addresses are replaced, as the seed integration test does.
        var seed = File.ReadAllText(Path.Combine(repo, "examples", "seed", "kafka_list_to_doris_setting.yaml"))
            .Replace("host:port", kafka.BootstrapServers, StringComparison.Ordinal)
            .Replace("host:8030", doris.HostPort, StringComparison.Ordinal);
        var file = Path.Combine(work, "kafka_list_to_doris_setting.yaml");
        await File.WriteAllTextAsync(file, seed);
        var rows = 3L * N;
        var table = doris.Table("database", "sink_table");
        Add(RunKpipe(CompareRun.Seed3, file, [], N, rows, () => table.Rows, () => table.LastLoadTimestamp,
            "Doris sink defaults (seed files set none): a partition's rows wait up to maxAge 5 s before their load"));
        if (!python)
        {
            result.Skipped.Add(new(CompareRun.Seed3, CompareRun.Python, "python3-confluent-kafka not installed"));
            return;
        }
        var py = doris.Table("database", "sink_table_python");
        Add(RunPython(CompareRun.Seed3, "seed3_to_doris.py", kafka, SourceTopic, "database.sink_table_python", N, rows, py));
    }

    public async Task CdcAsync(bool python)
    {
        using var kafka = CompareRun.StartKafka();
        await Preload(kafka, CdcTopic, i => Workloads.Cdc(i, N));
        var deletes = Workloads.CdcDeletes(N);
        var env = KafkaEnv(kafka);
        env["DORIS_FE"] = doris.HostPort;
        env["DORIS_USER"] = "root";
        env["DORIS_PASSWORD"] = "password";
        var table = doris.Table("demo", "devices_current");
        Add(RunKpipe(CompareRun.Cdc, Path.Combine(repo, "examples", "kafka_cdc_to_doris.yaml"), env, N, N, () => table.Rows, () => table.LastLoadTimestamp,
            "Doris sink defaults: a partition's rows wait up to maxAge 5 s before their load"));
        CheckDeletes(table, deletes, Cdc: "kpipe");
        if (!python)
        {
            result.Skipped.Add(new(CompareRun.Cdc, CompareRun.Python, "python3-confluent-kafka not installed"));
            return;
        }
        var py = doris.Table("demo", "devices_current_python");
        Add(RunPython(CompareRun.Cdc, "cdc_to_doris.py", kafka, CdcTopic, "demo.devices_current_python", N, N, py));
        CheckDeletes(py, deletes, Cdc: "python");
    }

    private static void CheckDeletes(CountingStreamLoad.TableCount table, long expected, string Cdc)
    {
        if (table.Deletes != expected)
            throw new InvalidOperationException($"CDC ({Cdc}): {table.Deletes} rows carried the delete sign, {expected} deletes were produced");
    }

    // ---- (e) start-up and idle CPU --------------------------------------------------------------------------

    public async Task StartupAndIdleAsync()
    {
        const int count = 1_000;
        using var kafka = CompareRun.StartKafka(SinkTopic);
        await Preload(kafka, SourceTopic, Workloads.Plain, count);
        long firstTicks = 0; // DateTime.UtcNow.Ticks of the first record seen at the sink, written once by the reader
        using var stopReader = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            using var consumer = SinkReader(kafka);
            while (!stopReader.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) != null)
                {
                    Interlocked.Exchange(ref firstTicks, DateTime.UtcNow.Ticks);
                    return;
                }
            }
        });
        using var sink = new TopicWatch(kafka.BootstrapServers, SinkTopic);
        using var p = StartKpipe(Path.Combine(repo, "examples", "kafka_to_kafka.yaml"), KafkaEnv(kafka));
        try
        {
            CompareRun.WaitUntil(() => sink.Messages() >= count && Interlocked.Read(ref firstTicks) != 0, o.Timeout, () => $"start-up: {sink.Messages()} of {count} in {SinkTopic}, first seen: {Interlocked.Read(ref firstTicks) != 0}", p);
            var first = new DateTime(Interlocked.Read(ref firstTicks), DateTimeKind.Utc);
            var assigned = CompareRun.Assigned(p) ?? throw new InvalidOperationException($"kpipe logged no 'assigned' line:\n{ChildProcess.Tail(p.Stderr)}");
            result.ProcessStartToAssignedMs = (assigned - p.StartedUtc).TotalMilliseconds;
            result.AssignedToFirstRecordMs = (first - assigned).TotalMilliseconds;

            // Idle: the same pipeline, caught up, with nothing more to read. It settles first: the runtime compiles
            // the methods the first records made hot in the background for a few seconds after they ran, which is
            // start-up work, not what a pipeline costs while it waits.
            Thread.Sleep(o.IdleSettle);
            var before = p.Sample() ?? throw new InvalidOperationException("kpipe exited before the idle window");
            var t0 = Stopwatch.GetTimestamp();
            Thread.Sleep(o.IdleWindow);
            var after = p.Sample() ?? throw new InvalidOperationException("kpipe exited during the idle window");
            result.IdleCpuPercent = (after.CpuSeconds - before.CpuSeconds) / CompareRun.Seconds(t0, Stopwatch.GetTimestamp()) * 100;
            o.Log($"start-up: process start -> assigned {result.ProcessStartToAssignedMs:F0} ms, assigned -> first record at the sink {result.AssignedToFirstRecordMs:F0} ms; idle CPU {result.IdleCpuPercent:F2}% of a core");
        }
        finally
        {
            await stopReader.CancelAsync();
            await reader;
        }
        Stop(p, "kpipe (start-up)");
    }

    // ---- (d) latency ---------------------------------------------------------------------------------------

    /// <summary>Latency of the example pipeline as it is, then with its consumer's fetch.wait.max.ms at 10 ms: the
    /// mock broker appears to hold an empty fetch for the whole wait (500 ms by default) instead of answering when
    /// data arrives as Kafka does, which a caught-up consumer feels on every fetch.</summary>
    public async Task LatencyAsync()
    {
        var example = Path.Combine(repo, "examples", "kafka_to_kafka.yaml");
        await Task.Run(() => MeasureLatency("kpipe, examples/kafka_to_kafka.yaml", example, tracked: true));
        var text = await File.ReadAllTextAsync(example);
        var tuned = Path.Combine(work, "kafka_to_kafka.fetch-wait-10ms.yaml");
        await File.WriteAllTextAsync(tuned, text.Replace("  maxRecordsPerBatch: 10000\n", "  maxRecordsPerBatch: 10000\n  properties:\n    fetch.wait.max.ms: \"10\"\n", StringComparison.Ordinal));
        if (await File.ReadAllTextAsync(tuned) != text)
            await Task.Run(() => MeasureLatency("kpipe, same file + source properties fetch.wait.max.ms: 10", tuned, tracked: false));
        // Tuned for latency rather than throughput: fetches held at most 5 ms (the floor reader's setting) and the
        // producer's linger at 1 ms instead of the sink's 10 ms default, the settings docs/performance.md names.
        var low = Path.Combine(work, "kafka_to_kafka.low-latency.yaml");
        await File.WriteAllTextAsync(low, text
            .Replace("  maxRecordsPerBatch: 10000\n", "  maxRecordsPerBatch: 10000\n  properties:\n    fetch.wait.max.ms: \"5\"\n", StringComparison.Ordinal)
            .Replace("    partitioning: preserve\n", "    partitioning: preserve\n    properties:\n      linger.ms: \"1\"\n", StringComparison.Ordinal));
        if (!(await File.ReadAllTextAsync(low)).Contains("linger.ms", StringComparison.Ordinal))
            throw new InvalidOperationException($"{example} changed: the low-latency variant could not be derived from it");
        await Task.Run(() => MeasureLatency("kpipe, same file + fetch.wait.max.ms: 5 (source), linger.ms: 1 (sink)", low, tracked: false));
    }

    private void MeasureLatency(string label, string file, bool tracked)
    {
        using var kafka = CompareRun.StartKafka(SourceTopic, SinkTopic);
        using var p = StartKpipe(file, KafkaEnv(kafka));
        CompareRun.WaitUntil(() => CompareRun.Assigned(p) != null, o.Timeout, () => "latency: kpipe logged no 'assigned' line", p);
        var total = (long)o.LatencyRate * o.LatencySeconds;
        // The same reader on the source topic gives the floor: producer, mock broker and reader without a pipeline.
        var (sink, sinkReader) = LatencyReader(kafka, SinkTopic, total);
        var (source, sourceReader) = LatencyReader(kafka, SourceTopic, total);
        double achieved;
        long steadyFrom;
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers, Acks = Acks.All, EnableIdempotence = true, CompressionType = CompressionType.Lz4, LingerMs = 1,
        }).Build())
        {
            // Warm-up, unstamped (the readers skip it): metadata and the idempotent producer id are fetched before the
            // first stamped message, which would otherwise wait for them and count it as latency.
            producer.Produce(SourceTopic, new Message<byte[]?, byte[]?> { Value = "{}"u8.ToArray() });
            producer.Flush(TimeSpan.FromSeconds(30));
            var clock = Stopwatch.StartNew();
            steadyFrom = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            for (long sent = 0; sent < total;)
            {
                var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * o.LatencyRate));
                for (; sent < due; sent++)
                {
                    var m = Workloads.Plain((int)sent);
                    m.Headers = new Headers { { "bench-ts", BitConverter.GetBytes(Stopwatch.GetTimestamp()) } };
                    producer.Produce(SourceTopic, m);
                }
                Thread.Sleep(1);
            }
            achieved = total / clock.Elapsed.TotalSeconds;
            producer.Flush(TimeSpan.FromSeconds(30));
        }
        sinkReader.Join();
        sourceReader.Join();
        Stop(p, "kpipe (latency)");
        if (sink.Count < total || source.Count < total)
            throw new TimeoutException($"latency: {sink.Count} of {total} messages reached {SinkTopic}, {source.Count} were read back from {SourceTopic}");
        if (tracked) result.Latencies.Add(Percentiles("bench producer -> bench reader of the source topic (no pipeline)", source, achieved, steadyFrom));
        var run = Percentiles(label, sink, achieved, steadyFrom);
        result.Latencies.Add(run);
        o.Log($"latency ({label}) at {achieved:N0} msg/s: p50 {run.P50Ms:F1} ms, p99 {run.P99Ms:F1} ms, max {run.MaxMs:F1} ms; after the first second p50 {run.SteadyP50Ms:F1} ms, p99 {run.SteadyP99Ms:F1} ms");
    }

    /// <summary>Percentiles over every message, and over those produced from <paramref name="steadyFrom"/> on (after
    /// the first second, when the clients' first fetches and metadata are behind them).</summary>
    private static LatencyRun Percentiles(string label, List<(long Produced, double Ms)> samples, double rate, long steadyFrom)
    {
        static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];
        var all = samples.Select(x => x.Ms).Order().ToList();
        var steady = samples.Where(x => x.Produced >= steadyFrom).Select(x => x.Ms).Order().ToList();
        if (steady.Count == 0) steady = all;
        return new LatencyRun(label, all.Count, rate, At(all, 0.50), At(all, 0.99), all[^1], At(steady, 0.50), At(steady, 0.99));
    }

    /// <summary>A thread reading <paramref name="topic"/> until <paramref name="total"/> stamped messages arrived (or the
    /// timeout), recording for each how long ago the bench produced it.</summary>
    private (List<(long Produced, double Ms)> Latencies, Thread Reader) LatencyReader(EmbeddedKafka kafka, string topic, long total)
    {
        var latencies = new List<(long, double)>((int)total);
        var consumer = Reader(kafka, topic);
        var reader = new Thread(() =>
        {
            using (consumer)
            {
                var deadline = Stopwatch.GetTimestamp() + (long)((o.LatencySeconds + o.Timeout.TotalSeconds) * Stopwatch.Frequency);
                while (latencies.Count < total && Stopwatch.GetTimestamp() < deadline)
                {
                    var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (r?.Message.Headers?.TryGetLastBytes("bench-ts", out var ts) != true) continue;
                    var produced = BitConverter.ToInt64(ts);
                    latencies.Add((produced, CompareRun.Seconds(produced, Stopwatch.GetTimestamp()) * 1000));
                }
            }
        }) { IsBackground = true };
        reader.Start();
        return (latencies, reader);
    }

    private static IConsumer<byte[]?, byte[]?> SinkReader(EmbeddedKafka kafka) => Reader(kafka, SinkTopic);

    /// <summary>A reader of a whole topic by assignment (no group), its fetches waiting at most 5 ms.</summary>
    private static IConsumer<byte[]?, byte[]?> Reader(EmbeddedKafka kafka, string topic)
    {
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers, GroupId = $"bench-reader-{Guid.NewGuid():N}", EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Workloads.Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer;
    }

    // ---- contenders ------------------------------------------------------------------------------------------

    private async Task Preload(EmbeddedKafka kafka, string topic, Func<int, Message<byte[]?, byte[]?>> message, int? count = null)
    {
        var clock = Stopwatch.StartNew();
        await Workloads.PreloadAsync(kafka, topic, count ?? N, message);
        o.Log($"preloaded {count ?? N:N0} messages into {topic} ({clock.Elapsed.TotalSeconds:F1} s)");
    }

    private ChildProcess StartKpipe(string file, Dictionary<string, string> env)
    {
        env["KPIPE_BENCH_STATS"] = "1";
        foreach (var (name, value) in o.KpipeEnvironment) env[name] = value;
        return ChildProcess.Start("dotnet", [kpipeDll, "run", file], env);
    }

    private void Stop(ChildProcess p, string what)
    {
        p.Terminate();
        var code = p.WaitForExit(TimeSpan.FromMinutes(1), what);
        if (code != 0) throw new InvalidOperationException($"{what} exited with {code}:\n{ChildProcess.Tail(p.Stderr)}");
    }

    /// <summary>Runs kpipe until the sink holds <paramref name="expected"/> records, reads its CPU and peak RSS from
    /// /proc, stops it with SIGTERM and expects exit code 0 and its allocation line.</summary>
    private Measurement RunKpipe(string item, string file, Dictionary<string, string> env, long messages, long expected, Func<long> count, Func<long?> doneAt, string? note = null)
    {
        o.Log($"{item}: kpipe");
        using var p = StartKpipe(file, env);
        // Doris loads are cut by size or age, so most rows are converted before the first load lands: CPU from
        // the first record at the sink only means something for Kafka -> Kafka.
        var seen = new FirstSeen(count, item == CompareRun.KafkaToKafka ? () => p.Sample()?.CpuSeconds : null);
        CompareRun.WaitUntil(() => seen.Count() >= expected, o.Timeout, () => $"{item}, kpipe: {count()} of {expected} records at the sink", p);
        var done = doneAt() ?? Stopwatch.GetTimestamp();
        var sample = p.Sample() ?? throw new InvalidOperationException("kpipe exited before it was measured");
        var threads = ThreadCpu.Read(p.Id);
        Stop(p, $"kpipe ({item})");
        var startup = p.AtAssigned is { } a ? $"start-up (process start to 'assigned') took {a.CpuSeconds:F2} s of the CPU time" : null;
        // Threads that ended are gone from /proc (the JIT's background worker stops after a few idle seconds, and
        // comes back when there is more to compile): the process total still holds their time.
        var ended = sample.CpuSeconds - threads.Sum(t => t.Seconds);
        if (ended >= 0.05) threads = [.. threads, ("threads that ended", ended)];
        var split = threads.Count > 0 ? $"CPU by thread: {ThreadCpu.Describe(threads)}" : null;
        note = string.Join("; ", new[] { note, startup, split }.Where(n => n != null));
        return new Measurement(item, CompareRun.Kpipe, messages, count(), CompareRun.Seconds(p.StartTimestamp, done), sample.CpuSeconds, sample.PeakRssMb, CompareRun.Allocated(p), note.Length == 0 ? null : note)
            { Sink = seen.Until(done) };
    }

    private Measurement RunPython(string item, string script, EmbeddedKafka kafka, string topic, string table, long messages, long expected, CountingStreamLoad.TableCount count)
    {
        o.Log($"{item}: python");
        var dir = Path.Combine(repo, "bench", "baselines");
        using var p = ChildProcess.Start(o.Python, [Path.Combine(dir, script), kafka.BootstrapServers, topic, "bench-python", doris.HostPort, table], workingDirectory: dir);
        var seen = new FirstSeen(() => count.Rows);
        CompareRun.WaitUntil(() => seen.Count() >= expected, o.Timeout, () => $"{item}, python: {count.Rows} of {expected} rows at the sink", p);
        var done = count.LastLoadTimestamp;
        var sample = p.Sample() ?? throw new InvalidOperationException("python exited before it was measured");
        Stop(p, $"python ({item})");
        return new Measurement(item, CompareRun.Python, messages, count.Rows, CompareRun.Seconds(p.StartTimestamp, done), sample.CpuSeconds, sample.PeakRssMb, null,
            "loads of up to 200,000 rows, and whatever is pending when the topic is caught up; commit after each load") { Sink = seen.Until(done) };
    }

    private void Add(Measurement m)
    {
        result.Measurements.Add(m);
        o.Log($"  {m.Contender}: {m.Records:N0} records, {m.WallSeconds:F2} s, {m.RecordsPerSecond:N0}/s, {m.CpuMicrosPerRecord:F2} us CPU/record, peak RSS {m.PeakRssMb:F0} MB"
            + (m.AllocatedBytesPerRecord is { } a ? $", {a:F0} B allocated/record" : ""));
    }
}
