using System.Runtime.InteropServices;

namespace Kpipe.Sinks.Doris;

/// <summary>Rows of one batch in one load: the batch's progress and the indexes of its records in the load.</summary>
/// <remarks>
/// The indexes are kept as runs of evenly spaced indexes (first, step, count) rather than one int per record:
/// a batch's records of one partition are usually consecutive (librdkafka fetches per partition) or evenly
/// interleaved, so a part holds one or a few runs whatever its size, and adding a record allocates nothing.
/// They are only read when Doris rejects a load, to report each of its records.
/// </remarks>
internal sealed class LoadPart(BatchProgress progress)
{
    private readonly List<Run> _runs = [];

    public BatchProgress Progress { get; } = progress;

    /// <summary>The first record's index.</summary>
    public int FirstRecord => _runs[0].First;

    /// <summary>Indexes in the batch of the records whose rows are in the load, each once, in order.</summary>
    public IEnumerable<int> Records
    {
        get
        {
            foreach (var run in _runs)
                for (var i = 0; i < run.Count; i++)
                    yield return run.First + i * run.Step;
        }
    }

    /// <summary>Counts the record at <paramref name="index"/> (again when it has several rows: it is kept once).</summary>
    public void Add(int index)
    {
        if (_runs.Count > 0)
        {
            ref var run = ref CollectionsMarshal.AsSpan(_runs)[^1];
            var last = run.First + (run.Count - 1) * run.Step;
            if (index == last) return;
            if (index > last && (run.Count == 1 || index - last == run.Step))
            {
                run.Step = index - last;
                run.Count++;
                return;
            }
        }
        _runs.Add(new Run(index, 1, 1));
    }

    private record struct Run(int First, int Step, int Count);
}
