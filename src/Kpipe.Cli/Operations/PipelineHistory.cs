using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kpipe.Engine;
using Kpipe.Metrics;

namespace Kpipe.Cli.Operations;

/// <summary>One second of a pipeline: its totals then, and the rates since the sample before.</summary>
internal readonly record struct RateSample(long UnixMs, long In, long Written, double InPerSecond, double WrittenPerSecond);

/// <summary>One second of a sink's writes (Stream Loads, or produced batches): how many ended, their mean and
/// longest duration.</summary>
internal readonly record struct DurationSample(long UnixMs, int Count, double MeanSeconds, double MaxSeconds);

/// <summary>
/// What the status page and the live view draw over time: once a second, each running pipeline's totals (so
/// input and processing rates), and the durations its sinks recorded since the last second, kept for the last
/// <see cref="Capacity"/> seconds. Counts come from <see cref="PipelineMetrics"/>, durations from the sinks'
/// histograms through a <see cref="MeterListener"/>: the same numbers /metrics exports, with nothing added to the
/// hot path (a sink records once per load or batch).
/// </summary>
internal sealed class PipelineHistory : IDisposable
{
    /// <summary>Ten minutes of one-second samples.</summary>
    public const int Capacity = 600;

    private readonly ConcurrentDictionary<string, PipelineSeries> _pipelines = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private readonly Timer? _timer;

    /// <param name="sampleEverySecond">False in tests, which call <see cref="Sample"/> themselves.</param>
    public PipelineHistory(bool sampleEverySecond = true)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (SinkOperation(instrument) != null) listener.EnableMeasurementEvents(instrument, SinkOperation(instrument));
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, state) =>
        {
            string? pipeline = null, sink = null;
            foreach (var tag in tags)
            {
                if (tag.Key == MetricNames.Pipeline) pipeline = tag.Value as string;
                else if (tag.Key == MetricNames.Sink) sink = tag.Value as string;
            }
            if (pipeline != null && sink != null) Recorded(pipeline, sink, (string)state!, seconds, DateTimeOffset.UtcNow);
        });
        _listener.Start();
        if (sampleEverySecond)
            _timer = new Timer(_ => Sample(PipelineInstruments.Pipelines, DateTimeOffset.UtcNow), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>What a sink's duration histogram measures, in words; null for other instruments.</summary>
    private static string? SinkOperation(Instrument instrument) => instrument.Name switch
    {
        MetricNames.DorisLoadDuration when instrument.Meter == KpipeMeters.DorisSink => "Stream Load",
        MetricNames.OperationDuration when instrument.Meter == KpipeMeters.KafkaSink => "produce",
        _ => null,
    };

    /// <summary>Takes one sample of each pipeline (the timer calls it every second).</summary>
    public void Sample(IEnumerable<PipelineMetrics> pipelines, DateTimeOffset now)
    {
        foreach (var m in pipelines)
            Of(m.Pipeline).Sample(m.RecordsIn, m.RecordsWritten, now);
    }

    /// <summary>A sink finished a write (<paramref name="operation"/>) that took <paramref name="seconds"/>.</summary>
    public void Recorded(string pipeline, string sink, string operation, double seconds, DateTimeOffset at) =>
        Of(pipeline).Sink(sink, operation).Add(seconds, at);

    /// <summary>The pipeline's samples, oldest first.</summary>
    public IReadOnlyList<RateSample> Rates(string pipeline) =>
        _pipelines.TryGetValue(pipeline, out var s) ? s.Rates() : [];

    /// <summary>The pipeline's sinks that recorded a duration, by name.</summary>
    public IReadOnlyList<SinkDurations> Sinks(string pipeline) =>
        _pipelines.TryGetValue(pipeline, out var s) ? s.Sinks() : [];

    private PipelineSeries Of(string pipeline) => _pipelines.GetOrAdd(pipeline, static _ => new PipelineSeries());

    public void Dispose()
    {
        _timer?.Dispose();
        _listener.Dispose();
    }

    private sealed class PipelineSeries
    {
        private readonly Lock _gate = new();
        private readonly Queue<RateSample> _rates = new();
        private readonly ConcurrentDictionary<string, SinkDurations> _sinks = new(StringComparer.Ordinal);

        public void Sample(long input, long written, DateTimeOffset now)
        {
            var ms = now.ToUnixTimeMilliseconds();
            lock (_gate)
            {
                double inRate = 0, writtenRate = 0;
                if (_rates.Count > 0)
                {
                    var last = _rates.Last();
                    var seconds = (ms - last.UnixMs) / 1000.0;
                    if (seconds > 0)
                    {
                        inRate = (input - last.In) / seconds;
                        writtenRate = (written - last.Written) / seconds;
                    }
                }
                if (_rates.Count == Capacity) _rates.Dequeue();
                _rates.Enqueue(new RateSample(ms, input, written, inRate, writtenRate));
            }
            foreach (var (_, sink) in _sinks) sink.Roll(ms);
        }

        public IReadOnlyList<RateSample> Rates()
        {
            lock (_gate) return [.. _rates];
        }

        public SinkDurations Sink(string name, string operation) =>
            _sinks.GetOrAdd(name, static (n, op) => new SinkDurations(n, op), operation);

        public IReadOnlyList<SinkDurations> Sinks() => [.. _sinks.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
    }
}

/// <summary>The durations one sink recorded: every write's count, the last one, and a sample per second.</summary>
internal sealed class SinkDurations(string name, string operation)
{
    private readonly Lock _gate = new();
    private readonly Queue<DurationSample> _samples = new();
    private long _count;
    private double _last;
    private DateTimeOffset? _lastAt;
    // The second being filled.
    private int _secondCount;
    private double _secondSum, _secondMax;

    public string Name { get; } = name;

    /// <summary>"Stream Load" or "produce".</summary>
    public string Operation { get; } = operation;

    public long Count { get { lock (_gate) return _count; } }

    /// <summary>The last write's duration and when it ended; null before the first.</summary>
    public (double Seconds, DateTimeOffset At)? Last { get { lock (_gate) return _lastAt is { } at ? (_last, at) : null; } }

    public IReadOnlyList<DurationSample> Samples() { lock (_gate) return [.. _samples]; }

    internal void Add(double seconds, DateTimeOffset at)
    {
        lock (_gate)
        {
            _count++;
            (_last, _lastAt) = (seconds, at);
            _secondCount++;
            _secondSum += seconds;
            _secondMax = Math.Max(_secondMax, seconds);
        }
    }

    internal void Roll(long unixMs)
    {
        lock (_gate)
        {
            if (_samples.Count == PipelineHistory.Capacity) _samples.Dequeue();
            _samples.Enqueue(new DurationSample(unixMs, _secondCount, _secondCount > 0 ? _secondSum / _secondCount : 0, _secondMax));
            (_secondCount, _secondSum, _secondMax) = (0, 0, 0);
        }
    }
}
