namespace Kpipe.TestKit.Doris;

/// <summary>
/// Splits a request body into lines as it streams in, so a body of hundreds of megabytes never becomes one
/// string: each line is handed over as bytes from a reusable buffer (valid only during the callback).
/// A final line without a delimiter counts; an empty final segment does not.
/// </summary>
internal static class LineSplitter
{
    public static async Task ForEachLineAsync(Stream stream, byte[] delimiter, Action<ReadOnlyMemory<byte>> onLine, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0, scanFrom = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    scanFrom -= start;
                    start = 0;
                }
                else
                {
                    // A line longer than the buffer: grow it.
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end), ct).ConfigureAwait(false);
            if (read == 0)
                break;
            end += read;

            while (true)
            {
                var found = buffer.AsSpan(scanFrom, end - scanFrom).IndexOf(delimiter);
                if (found < 0)
                {
                    scanFrom = Math.Max(start, end - delimiter.Length + 1);
                    break;
                }

                var lineEnd = scanFrom + found;
                onLine(buffer.AsMemory(start, lineEnd - start));
                start = lineEnd + delimiter.Length;
                scanFrom = start;
            }
        }

        if (end > start)
            onLine(buffer.AsMemory(start, end - start));
    }
}
