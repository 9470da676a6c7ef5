using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Rows;
using Kpipe.Sinks;
using Kpipe.Sinks.Doris;
using Kpipe.TestKit.Doris;
using Microsoft.Extensions.Logging;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>Records a sink's verdicts on batches; every batch must be settled exactly once.</summary>
internal sealed class RecordingAcknowledger : ISinkAcknowledger
{
    private readonly ConcurrentDictionary<long, int> _verdicts = new();
    private readonly ConcurrentDictionary<long, Exception> _failures = new();
    private readonly ConcurrentQueue<long> _acknowledged = new();
    private int _settled;

    public IReadOnlyCollection<long> Acknowledged => [.. _acknowledged];

    public IReadOnlyDictionary<long, Exception> Failures => _failures;

    /// <summary>Batches that got more than one verdict (must stay empty).</summary>
    public IReadOnlyList<long> SettledTwice => [.. _verdicts.Where(v => v.Value > 1).Select(v => v.Key)];

    public void Acknowledge(RecordBatch batch)
    {
        _acknowledged.Enqueue(batch.Id);
        Settle(batch);
    }

    public void Fail(RecordBatch batch, Exception error)
    {
        _failures.TryAdd(batch.Id, error);
        Settle(batch);
    }

    private void Settle(RecordBatch batch)
    {
        _verdicts.AddOrUpdate(batch.Id, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _settled);
    }

    /// <summary>Waits until <paramref name="batches"/> verdicts arrived (or a generous timeout passed).</summary>
    public async Task WaitForAsync(int batches, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (Volatile.Read(ref _settled) < batches && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.True(Volatile.Read(ref _settled) >= batches,
            $"expected {batches} batches settled, got {_settled} (acks {_acknowledged.Count}, failures {_failures.Count})");
        Assert.Empty(SettledTwice);
    }
}

/// <summary>Keeps every log line, to check what is logged and that secrets are not.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];

    public string All => string.Join("\n", _lines.Select(l => $"{l.Level}: {l.Text}"));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _lines.Enqueue((logLevel, formatter(state, exception) + (exception != null ? " " + exception.Message : "")));
}

/// <summary>Builds sinks against an emulator, and record batches the way the engine hands them over.</summary>
internal sealed class DorisSinkHarness : IAsyncDisposable
{
    private long _nextBatch;

    private DorisSinkHarness(DorisEmulator doris) => Doris = doris;

    public DorisEmulator Doris { get; }

    public CapturingLogger Log { get; } = new();

    public PipelineMetrics Metrics { get; } = new();

    public RecordingAcknowledger Acks { get; } = new();

    public static async Task<DorisSinkHarness> StartAsync(string ddl, DorisEmulatorOptions? options = null)
    {
        var doris = await DorisEmulator.StartAsync(options);
        doris.CreateTable(ddl);
        return new DorisSinkHarness(doris);
    }

    public DorisSinkOptions Options(string table = "db.t", Action<DorisSinkOptions>? configure = null)
    {
        var options = new DorisSinkOptions
        {
            Name = "doris-test",
            FeNodes = [Doris.FeUrl],
            Table = table,
            User = Doris.User,
            Password = Doris.Password,
            // Flushes in tests are explicit unless a test is about maxAge.
            MaxAge = TimeSpan.FromMinutes(5),
            RetryBackoff = TimeSpan.FromMilliseconds(10),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        return options;
    }

    public DorisSink Sink(DorisSinkOptions options, ErrorPolicy policy = ErrorPolicy.Fail, string pipeline = "orders") =>
        new(options, pipeline, new RecordErrorHandler(policy, Metrics, Log), Log);

    public static ManagedRecord Record(string topic, int partition, long offset, string? value) =>
        new(topic, partition, offset, null, value == null ? null : Encoding.UTF8.GetBytes(value), 1721383200000);

    public RecordBatch Batch(IEnumerable<ManagedRecord> records) => ManagedBatch.Create(Interlocked.Increment(ref _nextBatch), records.ToList());

    /// <summary>A batch of records whose values are the given JSON texts, at consecutive offsets.</summary>
    public RecordBatch Values(string topic, int partition, long firstOffset, params string?[] values) =>
        Batch(values.Select((v, i) => Record(topic, partition, firstOffset + i, v)));

    /// <summary>
    /// A batch with one typed row (id, name) per record, as a select transform would make: records are
    /// spread over <paramref name="partitions"/> partitions of <paramref name="topic"/>, ids from
    /// <paramref name="firstId"/>. Offsets per partition start at <paramref name="firstOffset"/>.
    /// </summary>
    public RecordBatch IdRows(RowBatch rows, string topic, int partitions, long firstOffset, long firstId, int count)
    {
        var records = new List<ManagedRecord>(count);
        for (var i = 0; i < count; i++)
            records.Add(Record(topic, i % partitions, firstOffset + i / partitions, null));
        var batch = Batch(records);
        rows.Clear();
        Span<byte> name = stackalloc byte[16];
        for (var i = 0; i < count; i++)
        {
            var r = rows.AddRow(i);
            rows.Columns[0].SetLong(r, firstId + i);
            Encoding.ASCII.TryGetBytes($"n{firstId + i}", name, out var length);
            rows.Columns[1].SetBytes(r, name[..length]);
        }
        batch.Rows = rows;
        return batch;
    }

    public static RowBatch IdRowBatch() => new(new RowSchema([("id", ColumnType.Long), ("name", ColumnType.String)]));

    /// <summary>Writes as the engine does: the row batch is only valid during Write.</summary>
    public void Write(DorisSink sink, RecordBatch batch)
    {
        sink.Write(batch, Acks);
        batch.Rows = null;
    }

    public long[] Ids(string db = "db", string table = "t") =>
        [.. Doris.Rows(db, table).Select(r => Convert.ToInt64(r["id"], System.Globalization.CultureInfo.InvariantCulture)).Order()];

    public async ValueTask DisposeAsync() => await Doris.DisposeAsync();
}
