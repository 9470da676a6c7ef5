using System.Buffers;
using System.Text.Json;
using Kpipe.Engine;

namespace Kpipe.Cli.Operations;

/// <summary>
/// <c>/status.json</c>, what the status page draws: per pipeline its state and health, its counts in total and
/// per partition with the lag, input and processing rates per second over the last ten minutes, its sinks' write
/// durations, and its recent warnings and errors. Times are Unix milliseconds; durations seconds.
/// </summary>
internal static class StatusJson
{
    /// <summary>Duration statistics on the page cover the last minute.</summary>
    private const int WindowSeconds = 60;

    public static byte[] Write(IReadOnlyCollection<PipelineMetrics> pipelines, PipelineHistory history, RecentErrors errors, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("now", now.ToUnixTimeMilliseconds());
            w.WriteNumber("windowSeconds", WindowSeconds);
            w.WriteStartArray("pipelines");
            foreach (var m in pipelines) Pipeline(w, m, history, errors, now);
            w.WriteEndArray();
            w.WriteStartArray("processErrors");
            foreach (var e in errors.Of("")) Error(w, e);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Pipeline(Utf8JsonWriter w, PipelineMetrics m, PipelineHistory history, RecentErrors errors, DateTimeOffset now)
    {
        var verdict = PipelineHealth.Check(m);
        w.WriteStartObject();
        w.WriteString("name", m.Pipeline);
        w.WriteString("state", m.State.ToString().ToLowerInvariant());
        w.WriteBoolean("ready", verdict.Ready);
        w.WriteBoolean("healthy", verdict.Healthy);
        w.WriteString("reason", verdict.Reason);
        w.WriteNumber("in", m.RecordsIn);
        w.WriteNumber("written", m.RecordsWritten);
        w.WriteNumber("filtered", m.RecordsFiltered);
        w.WriteNumber("skipped", m.RecordsSkipped);
        w.WriteNumber("deadLettered", m.RecordsDeadLettered);
        NumberOrNull(w, "lag", m.Lag);
        w.WriteNumber("inFlightBytes", m.InFlightBytes());
        NumberOrNull(w, "oldestUnwrittenSeconds", m.OldestUnwrittenAge()?.TotalSeconds);

        w.WriteStartArray("partitions");
        foreach (var (tp, c) in m.Partitions.OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition.Value))
        {
            w.WriteStartObject();
            w.WriteString("topic", tp.Topic);
            w.WriteNumber("partition", tp.Partition.Value);
            w.WriteNumber("in", c.In);
            w.WriteNumber("written", c.Written);
            w.WriteNumber("filtered", c.Filtered);
            w.WriteNumber("skipped", c.Skipped);
            w.WriteNumber("deadLettered", c.DeadLettered);
            NumberOrNull(w, "lag", c.Lag);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        // [time, in/s, written/s]: arrays, not objects, since there are up to 600 of them every second.
        w.WriteStartArray("rates");
        foreach (var s in history.Rates(m.Pipeline))
        {
            w.WriteStartArray();
            w.WriteNumberValue(s.UnixMs);
            w.WriteNumberValue(Math.Round(s.InPerSecond, 1));
            w.WriteNumberValue(Math.Round(s.WrittenPerSecond, 1));
            w.WriteEndArray();
        }
        w.WriteEndArray();

        w.WriteStartArray("sinks");
        foreach (var sink in history.Sinks(m.Pipeline)) Sink(w, sink, now);
        w.WriteEndArray();

        w.WriteStartArray("errors");
        foreach (var e in errors.Of(m.Pipeline)) Error(w, e);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Sink(Utf8JsonWriter w, SinkDurations sink, DateTimeOffset now)
    {
        var samples = sink.Samples();
        var recent = samples.Skip(Math.Max(0, samples.Count - WindowSeconds)).Where(s => s.Count > 0).ToList();
        var count = recent.Sum(s => s.Count);
        w.WriteStartObject();
        w.WriteString("name", sink.Name);
        w.WriteString("operation", sink.Operation);
        w.WriteNumber("count", sink.Count);
        var last = sink.Last;
        NumberOrNull(w, "lastSeconds", last?.Seconds);
        NumberOrNull(w, "lastAgoSeconds", last is { } l ? Math.Max(0, (now - l.At).TotalSeconds) : null);
        NumberOrNull(w, "meanSeconds", count > 0 ? recent.Sum(s => s.MeanSeconds * s.Count) / count : null);
        NumberOrNull(w, "maxSeconds", count > 0 ? recent.Max(s => s.MaxSeconds) : null);
        // [time, mean, max] of each second with writes.
        w.WriteStartArray("durations");
        foreach (var s in samples)
        {
            if (s.Count == 0) continue;
            w.WriteStartArray();
            w.WriteNumberValue(s.UnixMs);
            w.WriteNumberValue(s.MeanSeconds);
            w.WriteNumberValue(s.MaxSeconds);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Error(Utf8JsonWriter w, ErrorLine e)
    {
        w.WriteStartObject();
        w.WriteNumber("time", e.Time.ToUnixTimeMilliseconds());
        w.WriteString("level", e.Level.ToString());
        w.WriteString("message", e.Message);
        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void NumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, Math.Round(v, 4));
        else w.WriteNull(name);
    }
}
