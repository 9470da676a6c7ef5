using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>
/// Keeps glibc from handing librdkafka's fetch buffers back to the kernel after every fetch.
/// </summary>
/// <remarks>
/// Why: librdkafka allocates each fetch response and each lz4-decompressed message set with malloc, a few
/// hundred KiB to several MiB at a time, on its broker threads. glibc serves blocks that size with a fresh
/// mmap (or trims them off the top of a thread arena) and returns them on free, so every fetch faults its pages
/// in again and the kernel zeroes them. A perf profile of seed pipeline 3 showed the broker thread spending
/// most of its time in those page faults (13% of the process's CPU). A fixed mmap threshold of 32 MiB (glibc's
/// ceiling for it) and a trim threshold of 64 MiB keep the blocks in the arenas for reuse; what that can hold
/// is bounded by the consumer's prefetch (<c>queued.max.messages.kbytes</c>) and the producer's queue.
/// Measured in docs/performance.md. Only glibc on Linux; a user who sets <c>GLIBC_TUNABLES</c> or
/// <c>MALLOC_*_</c> variables keeps their own choice.
/// </remarks>
public static partial class MallocTuning
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    internal const int MmapThresholdBytes = 32 * 1024 * 1024;
    internal const int TrimThresholdBytes = 64 * 1024 * 1024;

    /// <summary>Applies the thresholds once, before librdkafka starts; returns whether they were applied.</summary>
    public static bool Apply() => Apply(Environment.GetEnvironmentVariable);

    internal static bool Apply(Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux() || UserChoseOwn(environment)) return false;
        try
        {
            return mallopt(MMmapThreshold, MmapThresholdBytes) == 1 & mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (musl has no mallopt thresholds): nothing to tune
        }
    }

    private static bool UserChoseOwn(Func<string, string?> environment) =>
        environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true
        || environment("MALLOC_MMAP_THRESHOLD_") != null
        || environment("MALLOC_TRIM_THRESHOLD_") != null;

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}
