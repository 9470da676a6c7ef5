using BenchmarkDotNet.Running;
using Kpipe.Benchmarks;

// dotnet run -c Release --project bench/Kpipe.Benchmarks -- --filter '*'        BenchmarkDotNet benchmarks
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- throughput [N]      Kafka -> Kafka end to end
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- doris-memory [rows] [delayMs]   Doris sink memory
if (args is ["throughput", ..])
    return await ThroughputRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 500_000);
if (args is ["doris-memory", ..])
    return await DorisMemoryRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 1_000_000, args.Length > 2 ? int.Parse(args[2]) : 0);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
