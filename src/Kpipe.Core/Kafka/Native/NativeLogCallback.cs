using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>A client that receives librdkafka's log lines; found through the handle's opaque.</summary>
internal interface ILogTarget
{
    void Log(int syslogLevel, string facility, string message);
}

/// <summary>The rd_kafka_conf_set_log_cb callback shared by consumer and producer.</summary>
internal static unsafe class NativeLogCallback
{
    /// <remarks>
    /// librdkafka calls this from its own threads (no log.queue is configured) and hands over only the
    /// rd_kafka_t*, so the target is found through rd_kafka_opaque. It may run during rd_kafka_new, before
    /// the constructor returned, which is why the opaque is a GCHandle to an object whose events field
    /// is set first. Nothing may escape into native code: an exception here would kill the process.
    /// </remarks>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static void OnLog(nint rk, int level, byte* facility, byte* message)
    {
        try
        {
            var opaque = LibRdKafka.Opaque(rk);
            if (opaque != 0 && GCHandle.FromIntPtr(opaque).Target is ILogTarget target)
            {
                target.Log(level, LibRdKafka.Utf8(facility), LibRdKafka.Utf8(message));
            }
        }
        catch
        {
            // The contract says OnLog must not throw; if it does, the line is lost, not the process.
        }
    }
}
