using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Kpipe.Sinks.Doris;

/// <summary>A precommitted two-phase load: its transaction and the offsets of the first and last record it holds.</summary>
internal sealed record PendingTransaction(TopicPartition Partition, long TxnId, long FirstOffset, long LastOffset);

/// <summary>
/// The exactly-once bookkeeping of the Doris sink (docs/guarantees.md, "Exactly once: Kafka -> Doris"): per partition,
/// the precommitted transactions not yet known to be visible, and which offset may be committed with which of them.
/// The rule it keeps: a committed offset never falls inside a precommitted transaction's records, and the commit's
/// metadata names every transaction wholly below it that is not yet known to be visible. Then after any crash the
/// next owner of the partition commits exactly those (the rows below the offset) and reads again from the offset;
/// a transaction above it is never committed by anyone, and Doris aborts it (or the reload under its label does).
/// Thread-safe: loads add transactions from their workers, the consumer thread prepares commits.
/// </summary>
internal sealed class TwoPhaseLedger(string database)
{
    /// <summary>Marks the metadata kpipe writes, and its version.</summary>
    internal const string MetadataPrefix = "kpipe-2pc/1";

    /// <summary>Kafka refuses longer offset metadata (broker offset.metadata.max.bytes, 4096 by default); kept below it.</summary>
    internal const int MaxMetadataLength = 4000;

    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];

    private sealed class PartitionState
    {
        /// <summary>The latest offset every sink acknowledged (to commit once no transaction straddles it).</summary>
        public long Acknowledged = -1;

        /// <summary>The offset last committed for the partition, -1 before the first commit.</summary>
        public long Committed = -1;

        /// <summary>The transactions it last committed in its metadata.</summary>
        public string CommittedMetadata = "";

        /// <summary>Precommitted, not yet known visible, in offset order.</summary>
        public List<PendingTransaction> Pending { get; } = [];

        /// <summary>Those of <see cref="Pending"/> a successful commit recorded (handed out to be made visible).</summary>
        public HashSet<PendingTransaction> Recorded { get; } = [];
    }

    /// <summary>A load was precommitted.</summary>
    public void Add(PendingTransaction txn)
    {
        lock (_gate)
        {
            var state = State(txn.Partition);
            var at = state.Pending.FindLastIndex(p => p.FirstOffset <= txn.FirstOffset) + 1;
            state.Pending.Insert(at, txn);
        }
    }

    /// <summary>The offsets to commit and their metadata: for each partition with news (a newly acknowledged offset or
    /// transactions not yet recorded), the highest offset at or below the acknowledged one that no pending
    /// transaction straddles and whose metadata fits, with the pending transactions wholly below it.</summary>
    public List<(TopicPartitionOffset Offset, string Metadata)> Prepare(IReadOnlyList<TopicPartitionOffset> acknowledged,
        IReadOnlyCollection<TopicPartition>? only)
    {
        lock (_gate)
        {
            foreach (var tpo in acknowledged)
            {
                var state = State(tpo.TopicPartition);
                state.Acknowledged = Math.Max(state.Acknowledged, tpo.Offset.Value);
            }
            var plan = new List<(TopicPartitionOffset, string)>();
            foreach (var (tp, state) in _partitions)
            {
                if (only != null && !only.Contains(tp)) continue;
                if (state.Acknowledged < 0) continue;
                var (offset, recorded) = Commitable(state, database);
                var metadata = Metadata(database, recorded);
                if (offset < state.Committed || (offset == state.Committed && metadata == state.CommittedMetadata)) continue;
                plan.Add((new TopicPartitionOffset(tp, offset), metadata));
            }
            return plan;
        }
    }

    /// <summary>The commit of <paramref name="plan"/> succeeded: returns the transactions it recorded first (to make
    /// visible, in offset order per partition); those an earlier commit recorded are already on their way.</summary>
    public List<PendingTransaction> Committed(IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> plan)
    {
        lock (_gate)
        {
            var recorded = new List<PendingTransaction>();
            foreach (var (tpo, metadata) in plan)
            {
                if (!_partitions.TryGetValue(tpo.TopicPartition, out var state)) continue;
                state.Committed = tpo.Offset.Value;
                state.CommittedMetadata = metadata;
                recorded.AddRange(state.Pending.Where(p => p.LastOffset < tpo.Offset.Value && state.Recorded.Add(p)));
            }
            return recorded;
        }
    }

    /// <summary>A recorded transaction is visible: later commits need not name it.</summary>
    public void Visible(PendingTransaction txn)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(txn.Partition, out var state)) return;
            state.Pending.Remove(txn);
            state.Recorded.Remove(txn);
        }
    }

    /// <summary>The partitions are gone (revoked after their last commit, or lost): what was recorded is being made
    /// visible already; what was not is left to Doris's timeout or to the next owner's reload under the same label.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var tp in partitions) _partitions.Remove(tp);
        }
    }

    /// <summary>Transactions precommitted and not yet known visible (tests, logs).</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate) return _partitions.Values.Sum(s => s.Pending.Count);
        }
    }

    private PartitionState State(TopicPartition tp)
    {
        if (!_partitions.TryGetValue(tp, out var state)) _partitions[tp] = state = new PartitionState();
        return state;
    }

    /// <summary>
    /// Lowers the acknowledged offset until no pending transaction straddles it (first below, last at or above it):
    /// the rows of a straddling transaction below the offset would never be read again, and those above would be
    /// read again and loaded twice once it is committed. Every record below the acknowledged offset is acknowledged,
    /// so every load holding one is precommitted and in the list: the transactions wholly below the result hold all
    /// of the rows below it. Then, if their metadata would not fit, the offset is lowered to the first transaction
    /// that does not fit (and again past any it straddles).
    /// </summary>
    private static (long Offset, List<PendingTransaction> Recorded) Commitable(PartitionState state, string database)
    {
        var offset = state.Acknowledged;
        while (true)
        {
            for (var lowered = true; lowered;)
            {
                lowered = false;
                foreach (var p in state.Pending)
                {
                    if (p.FirstOffset < offset && p.LastOffset >= offset)
                    {
                        offset = p.FirstOffset;
                        lowered = true;
                    }
                }
            }
            var recorded = state.Pending.Where(p => p.LastOffset < offset).ToList();
            // In UTF-8 bytes, as Kafka counts them: the prefix, the database and two separators, then the entries.
            var length = MetadataPrefix.Length + System.Text.Encoding.UTF8.GetByteCount(database) + 2;
            for (var i = 0; i < recorded.Count; i++)
            {
                length += Entry(recorded[i]).Length + (i > 0 ? 1 : 0);
                if (length > MaxMetadataLength)
                {
                    offset = recorded[i].FirstOffset;
                    recorded = null;
                    break;
                }
            }
            if (recorded != null) return (offset, recorded);
        }
    }

    /// <summary><c>kpipe-2pc/1;{database};{txn}:{first}-{last},...</c>; empty when there is no transaction to record.</summary>
    internal static string Metadata(string database, IReadOnlyList<PendingTransaction> recorded)
    {
        if (recorded.Count == 0) return "";
        var text = new StringBuilder(MetadataPrefix).Append(';').Append(database).Append(';');
        for (var i = 0; i < recorded.Count; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(Entry(recorded[i]));
        }
        return text.ToString();
    }

    private static string Entry(PendingTransaction p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.TxnId}:{p.FirstOffset}-{p.LastOffset}");

    /// <summary>The transactions a commit's metadata records, or null when it is not kpipe's (none, another tool's).</summary>
    internal static (string Database, List<PendingTransaction> Transactions)? Parse(TopicPartition partition, string? metadata)
    {
        if (metadata == null || !metadata.StartsWith(MetadataPrefix + ";", StringComparison.Ordinal)) return null;
        var parts = metadata.Split(';');
        if (parts.Length != 3) return null;
        var list = new List<PendingTransaction>();
        foreach (var entry in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            var dash = entry.IndexOf('-', colon + 1);
            if (colon < 0 || dash < 0
                || !long.TryParse(entry.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                || !long.TryParse(entry.AsSpan(colon + 1, dash - colon - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var first)
                || !long.TryParse(entry.AsSpan(dash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var last))
                return null;
            list.Add(new PendingTransaction(partition, id, first, last));
        }
        return (parts[1], list);
    }
}
