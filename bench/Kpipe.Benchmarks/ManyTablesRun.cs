using System.Diagnostics;
using Kpipe.Benchmarks.Compare;
using Kpipe.TestKit.Doris;
using Kpipe.TestKit.Kafka;

namespace Kpipe.Benchmarks;

/// <summary>
/// Peak memory of one CDC pipeline feeding many tables: Debezium events of <c>tables</c> source tables
/// (<see cref="ManyTablesEvents"/>) in one topic, through <c>kpipe run</c> in its own process (debezium transform with
/// <c>columns: auto</c>, Doris sink with <c>createTable: true</c> and <c>{table}</c> routing) into the Doris emulator,
/// which runs here. When every table holds every row, the child's VmHWM is read from /proc and it is stopped with
/// SIGTERM. Prints one line: tables, rows, seconds, peak RSS (docs/cdc.md, "Many tables").
/// </summary>
internal static class ManyTablesRun
{
    public static async Task<int> RunAsync(int tables, int rows, string? kpipeDll)
    {
        const string Topic = "cdc.shop";
        var dll = kpipeDll ?? Path.Combine(Repo(), "src", "Kpipe.Cli", "bin", "Release", "net10.0", "kpipe.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("build src/Kpipe.Cli -c Release first, or pass the dll", dll);
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(Topic, 1);
        await using var doris = await DorisEmulator.StartAsync();
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, Topic, ManyTablesEvents.Create(tables, rows));

        var file = Path.Combine(Path.GetTempPath(), $"kpipe-many-tables-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: many-tables
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [{Topic}]
            transforms:
              - type: debezium
                columns: auto
            sinks:
              - type: doris
                feNodes: [ "{doris.FeUrl}" ]
                table: "shop.{"{table}"}"
                user: root
                createTable: true
            """);
        var clock = Stopwatch.StartNew();
        using var child = ChildProcess.Start("dotnet", [dll, "run", file]);
        try
        {
            var last = ManyTablesEvents.TableName(tables);
            while (doris.FindTable("shop", last) is null || doris.Rows("shop", last).Count < rows || !AllLoaded(doris, tables, rows))
            {
                if (child.HasExited) throw new InvalidOperationException($"kpipe exited ({child.ExitCode}):\n{ChildProcess.Tail(child.Stderr)}");
                if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"not every row loaded in 5 min:\n{ChildProcess.Tail(child.Stderr)}");
                await Task.Delay(200);
            }
            var loaded = clock.Elapsed;
            var sample = child.Sample() ?? throw new InvalidOperationException("kpipe is gone");
            child.Terminate();
            child.WaitForExit(TimeSpan.FromSeconds(60), "kpipe");
            Console.WriteLine($"| {tables} | {rows} | {(long)tables * rows} | {loaded.TotalSeconds:0.0} s | {sample.PeakRssMb:0} MB |");
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static bool AllLoaded(DorisEmulator doris, int tables, int rows)
    {
        for (var t = 1; t <= tables; t++)
        {
            var name = ManyTablesEvents.TableName(t);
            if (doris.FindTable("shop", name) is null || doris.Rows("shop", name).Count < rows) return false;
        }
        return true;
    }

    private static string Repo()
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Kpipe.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from the repository");
    }
}
