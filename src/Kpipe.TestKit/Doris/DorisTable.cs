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

    /// <summary>
    /// ALTER TABLE ... MODIFY COLUMN on a value column, to a type Doris converts it to (ALTER-TABLE-COLUMN: integer and
    /// floating types to larger numeric types, any of them or DECIMAL to VARCHAR/STRING, a longer VARCHAR). In Doris it
    /// is a heavy schema change, a job that rewrites the data and swaps the schema when done; here the stored values
    /// are converted when the emulator's job finishes (SqlEndpoint).
    /// </summary>
    public void ModifyColumn(DorisColumn column)
    {
        lock (_gate)
        {
            var index = CheckModifyColumn(column);
            var definition = _definition.WithModifiedColumn(column);
            foreach (var (key, row) in _unique.ToList())
                _unique[key] = row with { Values = Converted(row.Values, index, column.Type) };
            for (var i = 0; i < _duplicate.Count; i++)
                _duplicate[i] = Converted(_duplicate[i], index, column.Type);
            _definition = definition;
        }
    }

    /// <summary>The index of the column MODIFY COLUMN changes; throws Doris's refusal when it cannot.</summary>
    public int CheckModifyColumn(DorisColumn column)
    {
        lock (_gate)
        {
            var index = _definition.IndexOf(column.Name);
            if (index < 0) throw new ArgumentException($"Column[{column.Name}] does not exists");
            var from = _definition.Columns[index];
            if (from.IsKey)
                throw new NotSupportedException($"the emulator does not modify key columns ({from.Name}): that is Doris's sort schema change");
            // fe: ColumnType.checkSupportSchemaChangeForColumnType, "Can not change INT to DATE".
            if (!CanChange(from.Type, column.Type))
                throw new InvalidOperationException($"Can not change {from.Type} to {column.Type}");
            return index;
        }
    }

    private static bool CanChange(DorisType from, DorisType to)
    {
        if (from == to) return true;
        if (to.Kind == DorisTypeKind.String) return from.Kind is not (DorisTypeKind.Date or DorisTypeKind.DateTime);
        if (to.Kind == DorisTypeKind.Varchar)
            return from.IsNumeric || (from.Kind == DorisTypeKind.Varchar && to.Length >= from.Length);
        return (from.IsInteger || from.Kind is DorisTypeKind.Float or DorisTypeKind.Double)
            && (to.IsInteger || to.Kind is DorisTypeKind.Float or DorisTypeKind.Double)
            && Rank(to) > Rank(from);
    }

    // Integers by width, then FLOAT and DOUBLE: "larger numeric types" in Doris's list.
    private static int Rank(DorisType type) => type.Kind switch
    {
        DorisTypeKind.TinyInt => 1,
        DorisTypeKind.SmallInt => 2,
        DorisTypeKind.Int => 3,
        DorisTypeKind.BigInt => 4,
        DorisTypeKind.LargeInt => 5,
        DorisTypeKind.Float => 3,
        DorisTypeKind.Double => 5,
        _ => 0,
    };

    private static object?[] Converted(object?[] values, int index, DorisType type)
    {
        var copy = (object?[])values.Clone();
        var v = copy[index];
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        copy[index] = v is null ? null : type.Kind switch
        {
            DorisTypeKind.SmallInt => System.Convert.ToInt16(v, invariant),
            DorisTypeKind.Int => System.Convert.ToInt32(v, invariant),
            DorisTypeKind.BigInt => System.Convert.ToInt64(v, invariant),
            DorisTypeKind.LargeInt => v is Int128 big ? big : (Int128)System.Convert.ToInt64(v, invariant),
            DorisTypeKind.Float => System.Convert.ToSingle(v, invariant),
            DorisTypeKind.Double => System.Convert.ToDouble(v, invariant),
            _ => System.Convert.ToString(v, invariant),
        };
        return copy;
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
