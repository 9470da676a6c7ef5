using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>Reads and builds rd_kafka_headers_t lists without managed allocation.</summary>
public static unsafe class KafkaHeaders
{
    /// <summary>A non-NULL address for empty spans: librdkafka tells "empty" from "null" by the pointer.</summary>
    internal static readonly byte* EmptyMarker = (byte*)NativeMemory.AllocZeroed(1);

    public static int Count(nint headers) => headers == 0 ? 0 : checked((int)LibRdKafka.HeaderCount(headers));

    /// <summary>
    /// The header at <paramref name="index"/> in order (rd_kafka_header_get_all). The spans stay valid as
    /// long as the list does. False past the end.
    /// </summary>
    public static bool TryGet(
        nint headers, int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out bool valueIsNull)
    {
        byte* namePtr;
        byte* valuePtr;
        nuint size;
        if (headers == 0 || index < 0 || LibRdKafka.HeaderGetAll(headers, (nuint)index, &namePtr, &valuePtr, &size) != 0)
        {
            name = default;
            value = default;
            valueIsNull = false;
            return false;
        }

        name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(namePtr);
        valueIsNull = valuePtr == null;
        value = new ReadOnlySpan<byte>(valuePtr, checked((int)size));
        return true;
    }

    /// <summary>rd_kafka_headers_new. Destroy it unless ownership passed to librdkafka.</summary>
    public static nint Create(int capacity) => LibRdKafka.HeadersNew((nuint)Math.Max(capacity, 0));

    /// <summary>Appends a header; name and value are copied.</summary>
    public static void Add(nint headers, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool valueIsNull)
    {
        ArgumentOutOfRangeException.ThrowIfZero(headers);
        fixed (byte* namePtr = name)
        fixed (byte* valuePtr = value)
        {
            var valueArg = valueIsNull ? null : valuePtr == null ? EmptyMarker : valuePtr;
            var err = LibRdKafka.HeaderAdd(
                headers, namePtr == null ? EmptyMarker : namePtr, name.Length, valueArg, valueIsNull ? 0 : value.Length);
            NativeErrors.ThrowIfError(err, "rd_kafka_header_add");
        }
    }

    public static void Destroy(nint headers)
    {
        if (headers != 0)
        {
            LibRdKafka.HeadersDestroy(headers);
        }
    }
}
