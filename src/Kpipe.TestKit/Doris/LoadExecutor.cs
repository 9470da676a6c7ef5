using System.IO.Compression;

namespace Kpipe.TestKit.Doris;

/// <summary>The rows of a load and, when the load cannot be done at all, the Fail message.</summary>
internal sealed record LoadResult(LoadBatch Batch, long BodyBytes, string? Error);

/// <summary>Plans a load and reads its body into a batch of rows; nothing is stored here.</summary>
internal static class LoadExecutor
{
    public static async Task<LoadResult> RunAsync(LoadRequest request, DorisTableDefinition table, Stream body, DateTime nowUtc, CancellationToken ct)
    {
        var batch = new LoadBatch();
        var counting = new CountingStream(body);
        string? error = null;
        try
        {
            var plan = LoadPlan.Build(request, table, nowUtc);
            var rows = new RowBuilder(plan, batch);
            Stream input = counting;
            if (request.Gzip)
                input = new GZipStream(counting, CompressionMode.Decompress, leaveOpen: true);
            await using (input.ConfigureAwait(false))
            {
                if (request.Format == DataFormat.Json)
                    await new JsonBodyReader(plan, rows, batch).ReadAsync(input, ct).ConfigureAwait(false);
                else
                    await new CsvBodyReader(plan, rows, batch).ReadAsync(input, ct).ConfigureAwait(false);
            }
        }
        catch (LoadPlanException ex)
        {
            error = ex.Message;
        }
        catch (DataQualityException ex)
        {
            // The record that broke the reader is counted as filtered and written to the error log
            // (be: NewJsonReader::_parse_json, append_error_msg_to_file then DataQualityError).
            batch.TotalRows++;
            batch.Filter(ex.Message, ex.SourceLine);
            error = "[DATA_QUALITY_ERROR]" + ex.Message;
        }
        catch (InvalidDataException ex)
        {
            error = "[INTERNAL_ERROR]failed to decompress the body: " + ex.Message;
        }

        return new LoadResult(batch, counting.BytesRead, error);
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesRead += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
