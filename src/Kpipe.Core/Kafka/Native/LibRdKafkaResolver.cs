using System.Reflection;
using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>
/// Points this assembly's "librdkafka" imports at the very file Confluent.Kafka loads.
/// </summary>
/// <remarks>
/// Why: the runtime would resolve "librdkafka" through deps.json to runtimes/linux-x64/native/librdkafka.so,
/// the generic build that needs libsasl2.so.3, which Debian 12 does not ship. Confluent.Kafka falls back
/// to centos8-librdkafka.so on its own; our imports have no such fallback. Loading the same path also
/// means one copy of librdkafka in the process (one set of globals), shared with Confluent.Kafka and the
/// test kit's mock cluster. Resolvers are per assembly, so this is Kpipe.Core's own copy of the logic in
/// Kpipe.TestKit's NativeMock.
/// </remarks>
internal static class LibRdKafkaResolver
{
    internal const string LibraryName = "librdkafka";

    private static int _registered;

    /// <summary>Registers the resolver once; later calls do nothing.</summary>
    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(LibRdKafkaResolver).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in CandidatePaths())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        // Zero hands the name back to the default probing (system librdkafka, LD_LIBRARY_PATH).
        return IntPtr.Zero;
    }

    private static IEnumerable<string> CandidatePaths()
    {
        var baseDir = AppContext.BaseDirectory;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

        string os;
        string[] files;
        if (OperatingSystem.IsWindows())
        {
            os = "win";
            files = ["librdkafka.dll"];
        }
        else if (OperatingSystem.IsMacOS())
        {
            os = "osx";
            files = ["librdkafka.dylib"];
        }
        else
        {
            os = "linux";
            // Confluent.Kafka's order on glibc; the alpine build last because it fails on glibc and is
            // the only one that works on musl.
            files = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];
        }

        var nativeDir = Path.Combine(baseDir, "runtimes", $"{os}-{arch}", "native");
        foreach (var file in files)
        {
            yield return Path.Combine(nativeDir, file);
        }

        // A RID-specific publish flattens the native assets into the application directory.
        foreach (var file in files)
        {
            yield return Path.Combine(baseDir, file);
        }
    }
}
