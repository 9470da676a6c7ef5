using Kpipe.Cli;
using Kpipe.Kafka.Native;

// Before librdkafka allocates anything: the process is kpipe's, so it sets the allocator for librdkafka's buffers.
MallocTuning.Apply();
var code = await KpipeCli.RunAsync(args, Console.Out, Console.Error);
// For bench/Kpipe.Benchmarks (compare): the managed bytes this process allocated, as its last line on stderr.
if (Environment.GetEnvironmentVariable("KPIPE_BENCH_STATS") == "1")
    Console.Error.WriteLine($"kpipe-bench-stats allocated_bytes={GC.GetTotalAllocatedBytes(true)}");
return code;
