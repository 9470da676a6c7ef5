using System.Diagnostics;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>
/// The crash harness of issue #12 for Kafka -> Doris: the embedded Kafka and the Doris emulator live in the test
/// process; kpipe runs as child processes (<c>kpipe run</c>) connecting to them over TCP, loading into a Duplicate Key
/// table with <c>exactlyOnce: true</c>, and is SIGKILLed at random moments (some while a load's answer is held back
/// after Doris precommitted it) while records keep arriving. At the end the table must hold exactly the input.
/// </summary>
internal sealed class DorisCrashHarness : IAsyncDisposable
{
    public const string Table = "devices";

    private readonly string _file;

    private DorisCrashHarness(EmbeddedKafka kafka, DorisEmulator doris, string name, string file)
    {
        Kafka = kafka;
        Doris = doris;
        Name = name;
        _file = file;
    }

    public EmbeddedKafka Kafka { get; }

    public DorisEmulator Doris { get; }

    public string Name { get; }

    public string Group => $"kpipe-{Name}";

    /// <summary>Records produced so far (numbered 0..Produced-1).</summary>
    public int Produced { get; private set; }

    public static async Task<DorisCrashHarness> StartAsync(string name, int partitions, int maxRows = 300)
    {
        var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", partitions);
        var doris = await DorisEmulator.StartAsync(new DorisEmulatorOptions
        {
            Tables = [$"CREATE TABLE shop.{Table} (n BIGINT NOT NULL, name VARCHAR(64)) DUPLICATE KEY(n)"],
        });
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-{name}-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: {name}
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
              maxRecordsPerBatch: 200
              properties:
                # A killed member holds its partitions until its session times out: keep that short.
                session.timeout.ms: "3000"
                heartbeat.interval.ms: "300"
            sinks:
              - type: doris
                feNodes: [{doris.FeUrl}]
                table: shop.{Table}
                user: {doris.User}
                password: "{doris.Password}"
                exactlyOnce: true
                maxRows: {maxRows}
                maxAge: 150ms
                retryBackoff: 50ms
                requestTimeout: 5s
            engine:
              commitInterval: 100ms
              statsInterval: 0s
            """);
        return new DorisCrashHarness(kafka, doris, name, file);
    }

    private readonly List<KpipeProcess> _instances = [];

    public KpipeProcess StartInstance()
    {
        var instance = KpipeProcess.Start("run", _file);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>What the instances did on restart, from their logs: transactions of a last owner committed on
    /// resuming, and leftover precommitted transactions aborted to reuse their labels.</summary>
    public string Recoveries()
    {
        var logs = _instances.Select(i => i.Stderr).ToList();
        int Count(string text) => logs.Sum(l => l.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal)));
        return $"{Count("its last owner had recorded")} resumes committing recorded transactions, {Count("left by an earlier run")} leftover transactions aborted";
    }

    /// <summary>Produces <paramref name="chunk"/> records every <paramref name="pause"/> until <paramref name="until"/>
    /// is cancelled or <paramref name="max"/> records are produced.</summary>
    public async Task ProduceWhileAsync(int chunk, TimeSpan pause, int max, CancellationToken until)
    {
        while (!until.IsCancellationRequested && Produced < max)
        {
            var n = Math.Min(chunk, max - Produced);
            await KafkaTestClient.ProduceAsync(Kafka.BootstrapServers, "in", PipelineHarness.Numbered(n, start: Produced));
            Produced += n;
            try
            {
                await Task.Delay(pause, until);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Kills the running instance at a random moment: after a random delay, or (every other time) while a load's
    /// answer is held back after Doris precommitted it (the emulator's stall after commit).
    /// </summary>
    public async Task<string> KillAtRandomAsync(KpipeProcess instance, Random random)
    {
        if (random.Next(2) == 1) return await KillWhileAnswerHeldBackAsync(instance, random.Next(0, 200));
        var delay = random.Next(100, 2_500);
        await Task.Delay(delay);
        await KillAsync(instance);
        return $"after {delay} ms";
    }

    /// <summary>Kills the instance <paramref name="afterMs"/> after the BE took its next load and precommitted it,
    /// holding the answer back.</summary>
    public async Task<string> KillWhileAnswerHeldBackAsync(KpipeProcess instance, int afterMs = 0)
    {
        Doris.Faults.Inject(DorisFault.Stall(TimeSpan.FromSeconds(30), afterCommit: true));
        // The fault is taken by the next load that reaches the BE.
        var clock = Stopwatch.StartNew();
        while (Doris.Faults.Pending > 0 && clock.Elapsed < TimeSpan.FromSeconds(20) && !instance.HasExited)
            await Task.Delay(20);
        var moment = Doris.Faults.Pending == 0 ? "while a precommitted load's answer was held back" : "after waiting for a load in vain";
        Doris.Faults.Clear();
        await Task.Delay(afterMs);
        await KillAsync(instance);
        return moment;
    }

    private static async Task KillAsync(KpipeProcess instance)
    {
        instance.Kill();
        await instance.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs a last instance until every produced record is committed, then stops it with SIGTERM.</summary>
    public async Task FinishAsync(TimeSpan timeout)
    {
        using var last = StartInstance();
        await WaitForCommittedAsync(timeout);
        last.Terminate();
        var exit = await last.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"exit code {exit}; stderr:\n{last.Stderr}");
    }

    /// <summary>Waits until the group committed every produced record.</summary>
    public async Task WaitForCommittedAsync(TimeSpan timeout)
    {
        await PipelineHarness.WaitForCommitted(Kafka.BootstrapServers, Group, "in", Produced, timeout);
        var committed = KafkaTestClient.GetCommittedOffsets(Kafka.BootstrapServers, Group, "in").Values.Sum();
        Assert.True(committed == Produced, $"{committed} of {Produced} offsets committed within {timeout}");
    }

    /// <summary>The table against the input, as a multiset: rows per number n.</summary>
    public CrashResult Check()
    {
        var counts = new Dictionary<long, int>();
        foreach (var row in Doris.Rows("shop", Table))
        {
            var n = Convert.ToInt64(row["n"]);
            counts[n] = counts.GetValueOrDefault(n) + 1;
        }
        var duplicates = counts.Values.Sum(c => Math.Max(0, c - 1));
        var lost = Enumerable.Range(0, Produced).Count(n => !counts.ContainsKey(n));
        var foreign = counts.Keys.Count(n => n < 0 || n >= Produced);
        return new CrashResult(Produced, counts.Values.Sum(), duplicates, lost, foreign);
    }

    public async ValueTask DisposeAsync()
    {
        await Doris.DisposeAsync();
        Kafka.Dispose();
        File.Delete(_file);
    }
}

/// <summary>What the table holds against the input.</summary>
internal sealed record CrashResult(int Input, int Rows, int Duplicates, int Lost, int Foreign)
{
    public bool Exact => Rows == Input && Duplicates == 0 && Lost == 0 && Foreign == 0;

    public override string ToString() => $"{Input} records in, {Rows} rows in the table, {Duplicates} duplicates, {Lost} lost, {Foreign} unknown";
}
