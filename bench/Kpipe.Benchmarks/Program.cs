using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Kpipe.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
