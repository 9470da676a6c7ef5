using System.Text;
using Kpipe.Engine.DeadLetters;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// Per-row isolation of a load Doris rejected on data quality (docs/errors.md, "Per-row isolation"). Doris
/// rejects a load as a whole; this finds the rows it refused, loads the others, and hands only the records of the
/// refused rows to the error policy. Rows are found from the ErrorURL report when its source lines match rows of
/// the load; otherwise (or for what the report did not cover) by loading the rows apart, halving the rejected set
/// until each rejected part is one record. Every load made here is labelled by what it holds (its first and last
/// offset, and a hash of the offsets it leaves out), so a retry or a restart that makes it again is recognised by
/// Doris as "Label Already Exists".
/// </summary>
public sealed partial class DorisSink
{
    /// <summary>Most lines read from one ErrorURL report: beyond them, loading apart finds the rest.</summary>
    private const int MaxReportLines = 10_000;

    /// <summary>A record of the rejected load: its rows in the body, its batch and index, its offset.</summary>
    private readonly record struct LoadRecord(int FirstRow, int RowCount, LoadPart Part, int Index, long Offset);

    /// <summary>A set of the load's records, as a range of them less some left out, and the answer Doris gave it.</summary>
    private sealed record Subset(int First, int Last, SortedSet<int> Excluded);

    /// <summary>False when the sink is failing (the pipeline stops); true when every record of the load was
    /// either loaded or reported to the error policy.</summary>
    private async Task<bool> IsolateAsync(PartitionLoad load, StreamLoadResponse rejection)
    {
        var lines = load.Body.Lines();
        var records = Records(load);
        if (lines.Count != load.Rows)
            throw new InvalidOperationException($"the load body holds {lines.Count} lines for {load.Rows} rows");
        var context = new Isolation(load, lines, records);
        return await SettleAsync(context, new Subset(0, records.Count - 1, []), rejection).ConfigureAwait(false);
    }

    /// <summary>Doris rejected <paramref name="subset"/>: find and report its bad records, load the rest.</summary>
    private async Task<bool> SettleAsync(Isolation context, Subset subset, StreamLoadResponse rejection)
    {
        var members = context.Members(subset);
        var report = await ReportedRowsAsync(rejection).ConfigureAwait(false);
        var bad = context.Match(members, report);
        if (bad.Count > 0 && bad.Count < members.Count)
        {
            foreach (var (record, row) in bad) ReportRejected(context.Records[record], row.Reason, row.Column);
            var rest = new Subset(subset.First, subset.Last, [.. subset.Excluded, .. bad.Keys]);
            return await LoadAsync(context, rest).ConfigureAwait(false);
        }
        if (members.Count == 1 || bad.Count == members.Count)
        {
            foreach (var record in members)
            {
                var row = bad.GetValueOrDefault(record);
                ReportRejected(context.Records[record], row?.Reason ?? Redact($"Doris rejected the row: {rejection.Message}"), row?.Column);
            }
            return true;
        }
        // The report did not say which rows: load the halves apart.
        var middle = members[members.Count / 2 - 1];
        var low = new Subset(subset.First, middle, [.. subset.Excluded.Where(r => r <= middle)]);
        var high = new Subset(middle + 1, subset.Last, [.. subset.Excluded.Where(r => r > middle)]);
        return await LoadAsync(context, low).ConfigureAwait(false) && await LoadAsync(context, high).ConfigureAwait(false);
    }

    /// <summary>Loads the rows of a subset under its own label; settles it again if Doris rejects it too.</summary>
    private async Task<bool> LoadAsync(Isolation context, Subset subset)
    {
        var members = context.Members(subset);
        if (members.Count == 0) return true;
        using var load = context.Build(members, _chunks);
        var tp = load.Partition;
        load.Label = LoadLabel.Create(_options.LabelPrefix, _pipeline, load.Table.Database, load.Table.Name, tp.Topic, tp.Partition.Value,
            context.Records[subset.First].Offset, context.Records[subset.Last].Offset,
            [.. subset.Excluded.Select(r => context.Records[r].Offset)]);
        var outcome = await SendUntilSettledAsync(load).ConfigureAwait(false);
        switch (outcome?.Kind)
        {
            case null:
                return false;
            case LoadOutcomeKind.Committed:
            case LoadOutcomeKind.AlreadyCommitted:
                LogIsolatedLoad(Name, load.Label, load.Rows);
                return true;
            default:
                return await SettleAsync(context, subset, outcome.Response!).ConfigureAwait(false);
        }
    }

    private void ReportRejected(LoadRecord record, string reason, string? column) =>
        _errors.Report(record.Part.Progress.Batch, record.Index, Rejection(Redact($"Doris rejected the row: {reason}"), column), payloadReadable: false);

    /// <summary>The ErrorURL report, parsed; empty when there is none or it cannot be read.</summary>
    private async Task<IReadOnlyList<RejectedRow>> ReportedRowsAsync(StreamLoadResponse response)
    {
        if (response.ErrorUrl == null) return [];
        var lines = await _client.ReadErrorLogAsync(response.ErrorUrl, MaxReportLines, _shutdown.Token, int.MaxValue).ConfigureAwait(false);
        return [.. lines.Where(l => l.StartsWith("Reason", StringComparison.Ordinal)).Select(RejectedRow.Parse)];
    }

    /// <summary>The load's records in body order, from its rows' origins: a record's rows are consecutive.</summary>
    private static List<LoadRecord> Records(PartitionLoad load)
    {
        var records = new List<LoadRecord>();
        for (var row = 0; row < load.Origins.Count; row++)
        {
            var (part, index) = load.Origins[row];
            if (records.Count > 0 && records[^1].Part == load.Parts[part] && records[^1].Index == index)
            {
                records[^1] = records[^1] with { RowCount = records[^1].RowCount + 1 };
                continue;
            }
            records.Add(new LoadRecord(row, 1, load.Parts[part], index, load.Parts[part].Progress.Batch.Offset(index)));
        }
        return records;
    }

    /// <summary>The rejected load's rows and records, shared by the loads isolation makes of them.</summary>
    private sealed class Isolation(PartitionLoad load, List<(long Start, int Length)> lines, List<LoadRecord> records)
    {
        public List<LoadRecord> Records { get; } = records;

        public List<int> Members(Subset subset)
        {
            var members = new List<int>();
            for (var r = subset.First; r <= subset.Last; r++)
                if (!subset.Excluded.Contains(r)) members.Add(r);
            return members;
        }

        /// <summary>The members with a row whose bytes are a source line of the report, with that line's reason.</summary>
        public Dictionary<int, RejectedRow> Match(List<int> members, IReadOnlyList<RejectedRow> report)
        {
            var wanted = new Dictionary<string, RejectedRow>(StringComparer.Ordinal);
            var lengths = new HashSet<int>();
            foreach (var row in report)
            {
                if (row.SourceLine == null) continue;
                wanted.TryAdd(row.SourceLine, row);
                lengths.Add(Encoding.UTF8.GetByteCount(row.SourceLine));
            }
            var bad = new Dictionary<int, RejectedRow>();
            if (wanted.Count == 0) return bad;
            foreach (var r in members)
            {
                var record = Records[r];
                for (var row = record.FirstRow; row < record.FirstRow + record.RowCount; row++)
                {
                    var (start, length) = lines[row];
                    if (!lengths.Contains(length)) continue;
                    if (wanted.TryGetValue(Encoding.UTF8.GetString(load.Body.Read(start, length)), out var match))
                    {
                        bad[r] = match;
                        break;
                    }
                }
            }
            return bad;
        }

        /// <summary>A load of the members' rows, copied from the rejected load's body.</summary>
        public PartitionLoad Build(List<int> members, BodyChunkPool chunks)
        {
            var child = new PartitionLoad(load.Partition, load.Table, load.Columns, chunks, Environment.TickCount64);
            foreach (var r in members)
            {
                var record = Records[r];
                for (var row = record.FirstRow; row < record.FirstRow + record.RowCount; row++)
                {
                    var (start, length) = lines[row];
                    load.Body.CopyRange(start, length + 1L, child.Body);
                }
                child.CountRows(record.RowCount, record.Offset);
            }
            return child;
        }
    }
}
