using System.Reflection;
using System.Runtime.InteropServices;

namespace Kpipe.TestKit.Kafka;

/// <summary>
/// P/Invoke surface of librdkafka's mock cluster (rdkafka_mock.h) plus the few rdkafka.h calls
/// needed to create the handle that owns it.
/// </summary>
/// <remarks>
/// Signatures follow librdkafka 2.16's headers; the mock API is explicitly outside librdkafka's
/// ABI guarantees, so revisit them when the Confluent.Kafka version moves. Variadic entry points
/// (rd_kafka_mock_push_request_errors, ..._error_rtts) are deliberately not declared: the varargs
/// calling convention differs from a fixed-arity call on several ABIs and .NET cannot express it.
/// </remarks>
internal static partial class NativeMock
{
    private const string LibraryName = "librdkafka";

    internal const int RdKafkaProducer = 0;
    internal const int ConfOk = 0;

    // Why a resolver at all: the runtime would resolve "librdkafka" through deps.json to
    // runtimes/linux-x64/native/librdkafka.so, the generic build that needs libsasl2.so.3, which
    // Debian 12 does not ship, so the load fails. Confluent.Kafka survives that by falling back to
    // centos8-librdkafka.so on its own, but our P/Invokes have no such fallback. Resolving to the
    // very same file also matters beyond "it loads": dlopen of one path yields one copy of the
    // library in the process, so the mock cluster and the Confluent clients share one librdkafka
    // (one set of globals, one version) instead of two that merely happen to speak TCP to each other.
    static NativeMock()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeMock).Assembly, Resolve);
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
            // Same order Confluent.Kafka tries on glibc; the alpine build is last because on glibc
            // it fails to load, and on musl it is the only one that works.
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

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    internal static unsafe partial IntPtr New(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr Err2Str(int err);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr ClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void ClusterDestroy(IntPtr mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr ClusterBootstraps(IntPtr mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int PartitionSetLeader(IntPtr mcluster, string topic, int partition, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int BrokerSetDown(IntPtr mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int BrokerSetUp(IntPtr mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int BrokerSetRtt(IntPtr mcluster, int brokerId, int rttMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static unsafe partial void PushRequestErrorsArray(IntPtr mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    internal static partial void ClearRequestErrors(IntPtr mcluster, short apiKey);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void GroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_start_request_tracking")]
    internal static partial void StartRequestTracking(IntPtr mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_stop_request_tracking")]
    internal static partial void StopRequestTracking(IntPtr mcluster);

    /// <summary>An array of rd_kafka_mock_request_t* (free with <see cref="RequestDestroyArray"/>).</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_get_requests")]
    internal static unsafe partial IntPtr* GetRequests(IntPtr mcluster, nuint* count);

    /// <summary>Destroys every request of the array and the array itself.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_request_destroy_array")]
    internal static unsafe partial void RequestDestroyArray(IntPtr* requests, nuint count);

    /// <summary>The id of the broker the request was sent to.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_request_id")]
    internal static partial int RequestBrokerId(IntPtr request);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_request_api_key")]
    internal static partial short RequestApiKey(IntPtr request);

    /// <summary>When the request arrived, in microseconds.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_request_timestamp")]
    internal static partial long RequestTimestamp(IntPtr request);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_clear_requests")]
    internal static partial void ClearRequests(IntPtr mcluster);

    internal static string ErrorText(int err) =>
        Marshal.PtrToStringUTF8(Err2Str(err)) ?? $"error {err}";
}
