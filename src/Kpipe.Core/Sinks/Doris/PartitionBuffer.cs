using Confluent.Kafka;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// The loads of one Kafka partition: the one being filled, and the sealed ones waiting, in order, for the
/// partition's single worker (two loads of one partition never run at once, so they commit in offset order).
/// Guarded by the sink's lock.
/// </summary>
internal sealed class PartitionBuffer(TopicPartition partition, DorisTable table)
{
    public TopicPartition Partition { get; } = partition;

    /// <summary>The table this partition's rows go to (one buffer per table and partition).</summary>
    public DorisTable Table { get; } = table;

    /// <summary>The load rows are appended to; null until the next row arrives.</summary>
    public PartitionLoad? Open { get; set; }

    public Queue<PartitionLoad> Sealed { get; } = new();

    /// <summary>A worker is draining <see cref="Sealed"/>.</summary>
    public bool Running { get; set; }
}

/// <summary>One Stream Load: rows of one partition as JSON lines, the batches they came from and, once sealed,
/// its label.</summary>
internal sealed class PartitionLoad(TopicPartition partition, DorisTable table, string? columns, BodyChunkPool chunks, long startedAt, bool partial = false) : IDisposable
{
    public TopicPartition Partition { get; } = partition;

    public DorisTable Table { get; } = table;

    /// <summary>The <c>columns</c> header (null when records are loaded as they are).</summary>
    public string? Columns { get; } = columns;

    /// <summary>A partial column update (<c>partial_columns: true</c>): stored rows keep the columns not listed.</summary>
    public bool Partial { get; } = partial;

    public LoadBody Body { get; } = new(chunks);

    /// <summary>When the first row arrived (<see cref="Environment.TickCount64"/>), for maxAge.</summary>
    public long StartedAt { get; } = startedAt;

    public int Rows { get; private set; }

    public long FirstOffset { get; private set; } = -1;

    public long LastOffset { get; private set; } = -1;

    public List<LoadPart> Parts { get; } = [];

    /// <summary>The record of each row, to isolate the rows Doris rejects.</summary>
    public RowOrigins Origins { get; } = new();

    public string Label { get; set; } = "";

    /// <summary>Counts a row appended to <see cref="Body"/>, from the record at <paramref name="index"/>.</summary>
    public void AddRow(BatchProgress progress, int index, long offset)
    {
        if (Parts.Count == 0 || Parts[^1].Progress != progress)
        {
            progress.AddPart();
            Parts.Add(new LoadPart(progress));
        }
        Parts[^1].Add(index);
        Origins.Add(Parts.Count - 1, index);
        if (FirstOffset < 0) FirstOffset = offset;
        LastOffset = Math.Max(LastOffset, offset);
        Rows++;
    }

    /// <summary>Counts rows copied in from another load (isolation's loads: they settle no batch themselves).</summary>
    public void CountRows(int rows, long offset)
    {
        if (FirstOffset < 0) FirstOffset = offset;
        LastOffset = Math.Max(LastOffset, offset);
        Rows += rows;
    }

    public void Dispose()
    {
        Body.Dispose();
        Origins.Dispose();
    }
}

/// <summary>A target table, and its Stream Load path.</summary>
internal sealed record DorisTable(string Database, string Name)
{
    public string Path { get; } = $"/api/{Uri.EscapeDataString(Database)}/{Uri.EscapeDataString(Name)}/_stream_load";

    public override string ToString() => $"{Database}.{Name}";
}
