namespace Kpipe.TestKit.Doris;

/// <summary>One row a load writes: its column values (table order), whether it deletes, and its sequence value.</summary>
/// <param name="Values">All table columns in order; for a partial update the columns not in Present hold defaults.</param>
/// <param name="IsDelete">The row carries __DORIS_DELETE_SIGN__ = 1 (or came from merge_type DELETE / a MERGE delete condition).</param>
/// <param name="Sequence">The row's sequence value (tables with a sequence column only).</param>
/// <param name="Present">For partial_columns loads: which columns the load supplies; null for whole-row loads.</param>
internal sealed record RowOp(object?[] Values, bool IsDelete, object? Sequence, bool[]? Present)
{
    /// <summary>Sequence of a partial update that does not supply the sequence column: it keeps the stored one.</summary>
    public static readonly object KeepSequence = new();
}

/// <summary>
/// The stored rows of one table. Unique Key tables keep one row per key (merge-on-write: the last row by
/// sequence, then by arrival, wins); Duplicate Key tables keep every row in arrival order. One lock per
/// table keeps concurrent commits consistent.
/// </summary>
internal sealed class DorisTable(DorisTableDefinition definition)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<object?[], StoredRow> _unique = new(KeyComparer.Instance);
    private readonly List<object?[]> _duplicate = [];
    private readonly int _keyCount = definition.KeyColumns.Count;
    private DorisTableDefinition _definition = definition;

    /// <summary>The table's current definition; ALTER TABLE ... ADD COLUMN replaces it (loads started before keep theirs).</summary>
    public DorisTableDefinition Definition
    {
        get
        {
            lock (_gate)
                return _definition;
        }
    }

    /// <summary>
    /// ALTER TABLE ... ADD COLUMN: Doris's light schema change (the default since 2.0) adds the column at once;
    /// stored rows read it as its default, or NULL without one.
    /// </summary>
    public void AddColumn(DorisColumn column)
    {
        lock (_gate)
        {
            var definition = _definition.WithColumn(column);
            var value = ValueConversion.DefaultOf(column, TimeZoneInfo.Utc, DateTime.UtcNow);
            foreach (var (key, row) in _unique.ToList())
                _unique[key] = row with { Values = [.. row.Values, value] };
            for (var i = 0; i < _duplicate.Count; i++)
                _duplicate[i] = [.. _duplicate[i], value];
            _definition = definition;
        }
    }

    /// <summary>Applies a committed load. Rows of one load apply in order, all under the table lock.</summary>
    public void Apply(IReadOnlyList<RowOp> ops)
    {
        lock (_gate)
        {
            foreach (var op in ops)
            {
                // A load planned before an ADD COLUMN carries the old width: the new column reads NULL.
                var width = _definition.Columns.Count;
                var row = op.Values.Length >= width ? op : op with
                {
                    Values = [.. op.Values, .. new object?[width - op.Values.Length]],
                    Present = op.Present is null ? null : [.. op.Present, .. new bool[width - op.Present.Length]],
                };
                if (_definition.KeysType == DorisKeysType.Duplicate)
                    _duplicate.Add(row.Values);
                else
                    Upsert(row);
            }
        }
    }

    public List<object?[]> Snapshot()
    {
        lock (_gate)
        {
            if (_definition.KeysType == DorisKeysType.Duplicate)
                return [.. _duplicate.Select(r => (object?[])r.Clone())];
            return [.. _unique.Values.Where(r => !r.Deleted).Select(r => (object?[])r.Values.Clone())];
        }
    }

    public void Truncate()
    {
        lock (_gate)
        {
            _unique.Clear();
            _duplicate.Clear();
        }
    }

    private void Upsert(RowOp op)
    {
        var key = op.Values[.._keyCount];
        if (_unique.TryGetValue(key, out var existing))
        {
            // Sequence column: a row (or delete) older than the stored one is ignored; an equal sequence
            // replaces, so the later arrival wins (docs: data-operate/update/update-of-unique-model,
            // "sequence column").
            if (_definition.HasSequence && op.Sequence != RowOp.KeepSequence
                && ValueComparer.Instance.Compare(op.Sequence, existing.Sequence) < 0)
                return;
        }

        var sequence = op.Sequence == RowOp.KeepSequence ? existing?.Sequence : op.Sequence;

        if (op.IsDelete)
        {
            // With a sequence column the delete is kept as a hidden tombstone carrying its sequence value, so a
            // late row with a smaller sequence stays deleted, as in Doris where the delete-signed row is
            // stored and compared like any other version.
            if (_definition.HasSequence)
                _unique[key] = new StoredRow(op.Values, sequence, Deleted: true);
            else
                _unique.Remove(key);
            return;
        }

        var values = op.Values;
        if (op.Present is not null && existing is { Deleted: false })
        {
            // partial_columns: keep the stored value of every column the load does not supply.
            values = (object?[])existing.Values.Clone();
            for (var i = 0; i < values.Length; i++)
            {
                if (op.Present[i])
                    values[i] = op.Values[i];
            }
        }

        _unique[key] = new StoredRow(values, sequence, Deleted: false);
    }

    private sealed record StoredRow(object?[] Values, object? Sequence, bool Deleted);
}
