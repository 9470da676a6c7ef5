using BenchmarkDotNet.Running;
using Kpipe.Benchmarks;

// dotnet run -c Release --project bench/Kpipe.Benchmarks -- --filter '*'        BenchmarkDotNet benchmarks
// dotnet run -c Release --project bench/Kpipe.Benchmarks -- throughput [N]      Kafka -> Kafka end to end
if (args is ["throughput", ..])
    return await ThroughputRun.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 500_000);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
