using BenchmarkDotNet.Running;
using Kpipe.Benchmarks;
using Kpipe.Benchmarks.Compare;

// dotnet run -c Release --project bench/Kpipe.Benchmarks -- --filter '*'        BenchmarkDotNet benchmarks
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- doris-memory [rows] [delayMs]   Doris sink memory
if (args is ["doris-memory", ..])
    return await DorisMemoryRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1_000_000, args.Length > 2 ? int.Parse(args[2]) : 0);
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- many-tables [tables] [rowsPerTable] [kpipe.dll]   peak RSS of one CDC pipeline into many tables
if (args is ["many-tables", ..])
    return await ManyTablesRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1000, args.Length > 2 ? int.Parse(args[2]) : 3, args.Length > 3 ? args[3] : null);
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- throughput [N]      Kafka -> Kafka end to end, in process
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- compare [--messages N] [--out DIR] [--only abc] [--kpipe-only] [--kpipe-env NAME=VALUE]... [--kpipe-dll PATH] [--doris-delay MS] [--partitions P] [--a-pipeline FILE]
//                                                                               kpipe against kcat and Python, see docs/performance.md
if (args is ["throughput", ..])
    return await ThroughputRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 500_000);
if (args is ["compare", ..])
{
    var options = new CompareOptions();
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--messages" when i + 1 < args.Length:
                options.Messages = int.Parse(args[++i]);
                break;
            case "--out" when i + 1 < args.Length:
                options.OutDir = args[++i];
                break;
            case "--only" when i + 1 < args.Length:
                options.Items = args[++i];
                break;
            case "--no-latency":
                options.Latency = false;
                break;
            case "--no-startup":
                options.StartupAndIdle = false;
                break;
            case "--kpipe-env" when i + 1 < args.Length && args[i + 1].Contains('=', StringComparison.Ordinal):
                var pair = args[++i].Split('=', 2);
                options.KpipeEnvironment[pair[0]] = pair[1];
                break;
            case "--kpipe-dll" when i + 1 < args.Length:
                options.KpipeDll = Path.GetFullPath(args[++i]);
                break;
            case "--doris-delay" when i + 1 < args.Length:
                options.DorisDelay = TimeSpan.FromMilliseconds(int.Parse(args[++i]));
                break;
            case "--partitions" when i + 1 < args.Length:
                Workloads.Partitions = int.Parse(args[++i]);
                break;
            case "--a-pipeline" when i + 1 < args.Length:
                options.KafkaToKafkaPipeline = Path.GetFullPath(args[++i]);
                break;
            case "--kpipe-only":
                options.Baselines = false;
                break;
            default:
                Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: compare [--messages N] [--out DIR] [--only abc] [--no-latency] [--no-startup] [--kpipe-only] [--kpipe-env NAME=VALUE]... [--kpipe-dll PATH] [--doris-delay MS] [--partitions P] [--a-pipeline FILE]");
                return 2;
        }
    }
    await CompareRun.RunAsync(options);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
