using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Confluent.Kafka;
using Kpipe.Engine;
using Kpipe.Rows;
using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// Loads rows into an Apache Doris table with HTTP Stream Load (JSON lines). Rows are buffered per Kafka
/// partition and sent as one load per partition when the buffer reaches maxRows or maxBytes, is maxAge old,
/// or the engine flushes. Each load has a label derived from its partition and offsets, so retries (and Doris's
/// "Label Already Exists") never load rows twice; loads of one partition run one at a time, in order, and at
/// most maxLoadsInFlight run at once. A batch is acknowledged when every load holding its rows is committed.
/// See docs/doris.md.
/// </summary>
public sealed partial class DorisSink : ISink
{
    private readonly DorisSinkOptions _options;
    private readonly string _pipeline;
    private readonly DorisTable _table;
    private readonly string _tableTemplate;
    private readonly RecordErrorHandler _errors;
    private readonly ILogger _logger;
    private readonly StreamLoadClient _client;
    // exactlyOnce: loads are precommitted, and committed once the offsets past them are (docs/guarantees.md).
    private readonly TwoPhaseCommits? _twoPhase;
    private readonly DorisSinkInstruments _instruments;
    private readonly Backoff _backoff;
    private readonly RowJsonWriter _rowWriter;
    // Rows are written through this writer straight into the open load's body (a LoadBody is its output).
    private readonly Utf8JsonWriter _json;
    private readonly Lock _gate = new();
    private readonly Dictionary<(DorisTable Table, TopicPartition Partition), PartitionBuffer> _partitions = [];
    // Routed rows (CDC of many tables) fill "{table}" in the configured table; one DorisTable per name.
    private readonly Dictionary<string, DorisTable> _routedTables = [];
    // The rows' columns and metadata as the table's columns (the sequence column, the delete sign).
    private readonly DorisRowColumns _dorisColumns = new();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly object _memorySignal = new();
    private readonly Timer _ageTimer;
    private readonly long _maxBytes;
    private readonly long _maxBuffered;
    private readonly long _maxAgeMs;
    private readonly int _chunkSize;
    private readonly BodyChunkPool _chunks;
    // The partition of the previous row: consecutive rows mostly share it, and this skips hashing the key.
    private PartitionBuffer? _lastPartition;
    private long _bufferedBytes;
    private long _peakBufferedBytes;
    // Bytes of sealed loads (queued or being loaded); guarded by _gate.
    private long _sealedBytes;
    // Partition workers running; guarded by _gate. _idle completes when it drops to zero.
    private int _activeWorkers;
    private TaskCompletionSource _idle = Completed();
    private Exception? _fatal;
    private int _disposed;
    private volatile bool _waitsCancelled;
    // createTable: true; null otherwise. _synced is the last route found ready, so consecutive rows skip the check.
    private readonly TableSchemaSync? _schemaSync;
    private RowRoute? _synced;

    public DorisSink(DorisSinkOptions options, string pipelineName, RecordErrorHandler errors, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _pipeline = pipelineName;
        _errors = errors;
        _logger = logger;
        Name = options.Name ?? "doris";
        var (database, tableName) = options.QualifiedTable;
        _table = new DorisTable(database, tableName);
        _tableTemplate = tableName;
        if (database.Length == 0 || tableName.Length == 0)
            throw new ArgumentException($"Doris sink {Name}: name the table as database.table (or set 'database')");
        _rowWriter = new RowJsonWriter(RowJsonStyle.Doris, TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone));
        _maxBytes = Math.Max(1, options.MaxBytes.Bytes);
        _maxBuffered = Math.Max(1, options.MaxBufferedBytes.Bytes);
        _maxAgeMs = Math.Max(0, (long)options.MaxAge.TotalMilliseconds);
        // Chunks well under the large-object-heap threshold; a body's first chunks are smaller (BodyChunkPool), so
        // the loads of many small tables do not hold 64 KiB each. The pool keeps what the bound lets bodies hold.
        _chunks = new BodyChunkPool((int)Math.Clamp(_maxBytes / 8, BodyChunkPool.FirstChunkSize, 64 * 1024), _maxBuffered);
        _chunkSize = _chunks.ChunkSize;
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxLoadsInFlight));
        _client = new StreamLoadClient(options, Name, logger);
        if (options.ExactlyOnce) _twoPhase = new TwoPhaseCommits(_client, options, database, Name, logger, SetFatal, _shutdown.Token);
        if (options.CreateTable) _schemaSync = new TableSchemaSync(new DorisSqlClient(options), options, Name, logger);
        _instruments = new DorisSinkInstruments(pipelineName, Name);
        _backoff = new Backoff(options.RetryBackoff);
        _json = new Utf8JsonWriter(new ArrayBufferWriter<byte>(1), new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_maxAgeMs / 5, 10, 1000));
        _ageTimer = new Timer(_ => SealAged(), null, tick, tick);
    }

    public string Name { get; }

    /// <summary>With exactlyOnce, the sink takes part in the source's offset commits.</summary>
    public ICommitParticipant? CommitParticipant => _twoPhase;

    /// <summary>Most bytes ever held by load bodies (buffered or being loaded) at once; stays within maxBufferedBytes.</summary>
    internal long PeakBufferedBytes => Interlocked.Read(ref _peakBufferedBytes);

    /// <summary>Bytes held by load bodies now.</summary>
    internal long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>The pool of body chunks (tests check that loads give their chunks back).</summary>
    internal BodyChunkPool Chunks => _chunks;

    public void Write(RecordBatch batch, ISinkAcknowledger acknowledger)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            acknowledger.Fail(batch, fatal);
            return;
        }
        var progress = new BatchProgress(batch, acknowledger);
        var written = batch.Rows is { } rows ? WriteRows(batch, rows, progress) : WriteValues(batch, progress);
        if (written) progress.Complete();
        else progress.Fail(Volatile.Read(ref _fatal) ?? new ObjectDisposedException(Name));
    }

    private bool WriteRows(RecordBatch batch, RowBatch rows, BatchProgress progress)
    {
        _dorisColumns.Follow(rows);
        var columns = _dorisColumns.Header;
        for (var r = 0; r < rows.Count; r++)
        {
            var index = rows.SourceIndex(r);
            if (rows.IsDropped(r) || batch.IsDropped(index)) continue;
            var route = rows.RouteOf(r);
            if (route == null && _tableTemplate.Contains("{table}", StringComparison.Ordinal))
            {
                _errors.Report(batch, index, $"the Doris table '{_table}' names '{{table}}', but this row has no source table (route rows with the debezium transform's 'tables')");
                continue;
            }
            var (table, rowColumns) = route != null ? Routed(route) : (_table, columns);
            if (_schemaSync != null && !ReferenceEquals(route, _synced))
            {
                // The table must have the row's columns before the row is buffered: a load only goes out after this.
                var unreachable = false;
                var refused = route == null
                    ? "createTable needs rows routed by the debezium transform's 'columns: auto'"
                    : _schemaSync.Ensure(table, _dorisColumns.Schema, _dorisColumns.Route(route).Route, _shutdown.Token, out unreachable);
                if (unreachable)
                {
                    // As after a load's exhausted retries: stop, so that no later row loads past rows left behind.
                    SetFatal(new DorisLoadException($"Doris sink {Name}: {refused}"));
                    return false;
                }
                if (refused != null)
                {
                    _errors.Report(batch, index, refused);
                    continue;
                }
                _synced = route;
            }
            var partial = route?.Partial == true;
            // The row's length is known only once written: room for it is a chunk (plus one for the move of a
            // row that overflows a load); only a row longer than a chunk can take the total past the bound.
            if (!WaitForRoom(_chunkSize)) return false;
            lock (_gate)
            {
                var (partition, load) = OpenLoad(table, batch.TopicPartition(index), rowColumns, 0, partial);
                var (start, capacity) = (load.Body.Length, load.Body.Capacity);
                try
                {
                    _json.Reset(load.Body);
                    _rowWriter.WriteRow(_json, rows, r);
                    _json.Flush();
                    load.Body.Write("\n"u8);
                }
                catch
                {
                    load.Body.Truncate(start);
                    AddBuffered(load.Body.Capacity - capacity);
                    throw;
                }
                Added(partition, load, start, capacity, progress, batch.Offset(index), index);
            }
        }
        return true;
    }

    /// <summary>
    /// Without transforms every value must be one JSON object; it is loaded as it is, copied once from the
    /// record into the body (re-written on one line when it spans several). All values are checked before any
    /// is buffered, so a record error under the <c>fail</c> policy leaves nothing of the batch behind.
    /// </summary>
    private bool WriteValues(RecordBatch batch, BatchProgress progress)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsDropped(i)) continue;
            if (!IsJsonObject(batch.HasValue(i), batch.Value(i), out var reason)) _errors.Report(batch, i, reason);
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsDropped(i)) continue;
            var line = batch.Value(i);
            var multiline = line.IndexOfAny((byte)'\n', (byte)'\r') >= 0;
            var need = line.Length + 1;
            if (!WaitForRoom(need)) return false;
            lock (_gate)
            {
                // A single-line value's length is known: a load it would take over maxBytes is sealed first.
                var (partition, load) = OpenLoad(_table, batch.TopicPartition(i), null, multiline ? 0 : need);
                var (start, capacity) = (load.Body.Length, load.Body.Capacity);
                if (multiline)
                {
                    var reader = new Utf8JsonReader(line);
                    using var doc = JsonDocument.ParseValue(ref reader);
                    _json.Reset(load.Body);
                    doc.WriteTo(_json);
                    _json.Flush();
                }
                else
                {
                    load.Body.Write(line);
                }
                load.Body.Write("\n"u8);
                Added(partition, load, start, capacity, progress, batch.Offset(i), i);
            }
        }
        return true;
    }

    internal static bool IsJsonObject(bool present, ReadOnlySpan<byte> value, out string reason)
    {
        if (!present)
        {
            reason = "the value is null (a tombstone), not a JSON object";
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(value);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "the value is not a JSON object (the Doris sink loads one JSON object per record; a select transform can shape other values)";
                return false;
            }
            reader.Skip();
            if (reader.Read())
            {
                reason = "the value holds more than one JSON value";
                return false;
            }
            reason = "";
            return true;
        }
        catch (JsonException e)
        {
            reason = $"the value is not valid JSON: {e.Message}";
            return false;
        }
    }

    /// <summary>The table and the columns header of a routed row: its route's name fills "{table}" in the
    /// configured table, and only its route's columns (and the metadata columns) are sent.</summary>
    private (DorisTable Table, string Columns) Routed(RowRoute route)
    {
        var header = _dorisColumns.Route(route).Header;
        if (!_routedTables.TryGetValue(route.Name, out var table))
        {
            table = _tableTemplate.Contains("{table}", StringComparison.Ordinal)
                ? new DorisTable(_table.Database, _tableTemplate.Replace("{table}", route.Name, StringComparison.Ordinal))
                : _table;
            _routedTables[route.Name] = table;
        }
        return (table, header);
    }

    /// <summary>
    /// The load a row of <paramref name="tp"/> goes into, decided before the row is written into its body: the
    /// partition's open load, unless it has other columns (or is partial and the row not, or the reverse) or a row of <paramref name="need"/> bytes (0: not
    /// known yet) would take it over maxBytes; then it is sealed and a new one opened. Caller holds _gate.
    /// </summary>
    private (PartitionBuffer Partition, PartitionLoad Load) OpenLoad(DorisTable table, TopicPartition tp, string? columns, int need, bool partial = false)
    {
        var partition = _lastPartition;
        if (partition == null || !ReferenceEquals(partition.Table, table) || !ReferenceEquals(partition.Partition, tp))
        {
            if (!_partitions.TryGetValue((table, tp), out partition))
                _partitions[(table, tp)] = partition = new PartitionBuffer(tp, table);
            _lastPartition = partition;
        }
        var load = partition.Open;
        if (load != null && (load.Body.Length + need > _maxBytes || !string.Equals(load.Columns, columns, StringComparison.Ordinal) || load.Partial != partial))
        {
            Seal(partition);
            load = null;
        }
        load ??= partition.Open = new PartitionLoad(tp, table, columns, _chunks, Environment.TickCount64, partial);
        return (partition, load);
    }

    /// <summary>
    /// Counts the row just written into <paramref name="load"/> from <paramref name="start"/>, and the chunks it
    /// took; seals loads that are full. A row that took a load holding other rows over maxBytes is moved into a
    /// new load (a copy, at most once per load), so that a load exceeds maxBytes only when one row does.
    /// Caller holds _gate.
    /// </summary>
    private void Added(PartitionBuffer partition, PartitionLoad load, long start, long capacity, BatchProgress progress, long offset, int index)
    {
        AddBuffered(load.Body.Capacity - capacity);
        if (load.Body.Length > _maxBytes && load.Rows > 0)
        {
            var next = new PartitionLoad(load.Partition, load.Table, load.Columns, _chunks, Environment.TickCount64, load.Partial);
            load.Body.CopyTail(start, next.Body);
            AddBuffered(next.Body.Capacity);
            var held = load.Body.Capacity;
            load.Body.Truncate(start);
            AddBuffered(load.Body.Capacity - held);
            Seal(partition);
            partition.Open = load = next;
        }
        load.AddRow(progress, index, offset);
        if (load.Rows >= _options.MaxRows || load.Body.Length >= _maxBytes) Seal(partition);
    }

    /// <summary>
    /// Blocks the consumer thread while the bodies held (buffered and being loaded) leave no room for a row
    /// plus a chunk: that is the sink's backpressure. When everything held is still being filled, it is sealed
    /// and sent, so waiting always ends.
    /// </summary>
    private bool WaitForRoom(int need)
    {
        while (true)
        {
            var buffered = Interlocked.Read(ref _bufferedBytes);
            // Room for the row, a chunk it may spill into, and (for a row of unknown length) a chunk to move
            // it into a new load when it overflows the open one.
            if (buffered == 0 || buffered + need + _chunkSize <= _maxBuffered) return true;
            if (Volatile.Read(ref _fatal) != null || _shutdown.IsCancellationRequested) return false;
            // SIGTERM while the consumer thread waits here: the engine must get its thread back to drain and commit.
            if (_waitsCancelled) throw new OperationCanceledException($"Doris sink {Name}: stopping while waiting for buffer space");
            lock (_gate)
            {
                if (_sealedBytes == 0) SealAll();
            }
            lock (_memorySignal)
            {
                if (Interlocked.Read(ref _bufferedBytes) == buffered) Monitor.Wait(_memorySignal, 100);
            }
        }
    }

    private void AddBuffered(long bytes)
    {
        var now = Interlocked.Add(ref _bufferedBytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakBufferedBytes))
               && Interlocked.CompareExchange(ref _peakBufferedBytes, now, peak) != peak)
        {
        }
    }

    /// <summary>Seals the partition's open load and hands it to the partition's worker. Caller holds _gate.</summary>
    private void Seal(PartitionBuffer partition)
    {
        var load = partition.Open;
        if (load == null) return;
        partition.Open = null;
        var tp = partition.Partition;
        load.Label = LoadLabel.Create(_options.LabelPrefix, _pipeline, load.Table.Database, load.Table.Name, tp.Topic, tp.Partition.Value,
            load.FirstOffset, load.LastOffset);
        partition.Sealed.Enqueue(load);
        _sealedBytes += load.Body.Capacity;
        if (partition.Running) return;
        partition.Running = true;
        if (_activeWorkers++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(() => RunPartitionAsync(partition));
    }

    private void SealAll()
    {
        foreach (var partition in _partitions.Values) Seal(partition);
    }

    private void SealAged()
    {
        try
        {
            lock (_gate)
            {
                if (Volatile.Read(ref _disposed) != 0) return;
                var now = Environment.TickCount64;
                foreach (var partition in _partitions.Values)
                    if (partition.Open is { } load && now - load.StartedAt >= _maxAgeMs)
                        Seal(partition);
            }
        }
        catch (Exception e)
        {
            // A broken timer would leave rows unsent forever: stop the pipeline instead (the next Write fails).
            LogTimerFailed(Name, e.Message);
            SetFatal(new DorisLoadException($"Doris sink {Name}: the maxAge timer failed: {e.Message}", e));
        }
    }

    public void CancelWaits()
    {
        _waitsCancelled = true;
        lock (_memorySignal) Monitor.PulseAll(_memorySignal);
    }

    /// <summary>Seals every partition's rows and starts their loads; does not wait for them (the engine waits
    /// for the acknowledgements, within its own timeout).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate) SealAll();
        return Task.CompletedTask;
    }

    /// <summary>Stops the maxAge timer, sends what is buffered, waits for running loads (at most requestTimeout),
    /// then cancels what is left: its batches stay unacknowledged and are read again after a restart.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _ageTimer.DisposeAsync().ConfigureAwait(false);
        Task idle;
        lock (_gate)
        {
            SealAll();
            idle = _idle.Task;
        }
        var bound = _options.RequestTimeout > TimeSpan.Zero ? _options.RequestTimeout : TimeSpan.FromSeconds(60);
        if (await Task.WhenAny(idle, Task.Delay(bound)).ConfigureAwait(false) != idle)
            LogCloseTimeout(Name, bound);
        // The source's last commit is done (sinks close after it): make visible what it recorded.
        if (_twoPhase != null) await _twoPhase.CloseAsync(bound).ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        lock (_memorySignal) Monitor.PulseAll(_memorySignal);
        // Cancelled loads end at once and give back their buffers.
        var drained = await Task.WhenAny(idle, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) == idle;
        if (_twoPhase != null) await _twoPhase.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
        _schemaSync?.Dispose();
        _json.Dispose();
        if (drained)
        {
            _shutdown.Dispose();
            _slots.Dispose();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>Removes the password (and the Basic credentials that encode it) from text that may come from
    /// Doris or a proxy before it goes into a log line or an exception.</summary>
    private string Redact(string text)
    {
        if (_options.Password.Length == 0) return text;
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{_options.User}:{_options.Password}"));
        return text.Replace(basic, "***", StringComparison.Ordinal).Replace(_options.Password, "***", StringComparison.Ordinal);
    }
}
