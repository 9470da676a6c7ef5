using System.Text;

namespace Kpipe.TestKit.Doris;

/// <summary>One record of the body (a JSON object or a CSV line) as the row builder reads it.</summary>
internal interface ISourceRecord
{
    /// <summary>False when the record has no such field (a missing JSON key or path).</summary>
    bool TryGet(int field, out SourceValue value);

    /// <summary>The record as written, for the "src line [...]" of the error log.</summary>
    string SourceLine { get; }
}

/// <summary>What became of the rows of one load.</summary>
internal sealed class LoadBatch
{
    // Doris caps what it writes to the error log; the emulator keeps the first lines only.
    private const int MaxErrorLines = 10_000;

    public List<RowOp> Rows { get; } = [];
    public List<string> ErrorLines { get; } = [];
    public long TotalRows { get; set; }
    public long FilteredRows { get; set; }
    public long UnselectedRows { get; set; }

    public void Filter(string reason, string sourceLine)
    {
        FilteredRows++;
        // be: RuntimeState::append_error_msg_to_file writes "Reason: <msg>. src line [<line>]; ".
        if (ErrorLines.Count < MaxErrorLines)
            ErrorLines.Add($"Reason: {reason}. src line [{sourceLine}]; ");
    }
}

/// <summary>
/// Turns one source record into a row, or filters it, following the checks of Doris's scanner and sink:
/// a missing JSON key takes the column default (NULL without one; a NOT NULL column without default filters
/// the row); a value that does not convert becomes NULL, or filters the row in strict mode; the `where`
/// filter marks rows unselected; NULL in a NOT NULL column and over-long strings filter the row.
/// </summary>
internal sealed class RowBuilder(LoadPlan plan, LoadBatch batch)
{
    private readonly DorisTableDefinition _table = plan.Table;
    private readonly bool _json = plan.Request.Format == DataFormat.Json;

    private LoadPlan Plan { get; } = plan;

    public void Add(ISourceRecord record)
    {
        batch.TotalRows++;
        var fieldCount = Plan.SourceFields.Count;
        var source = new SourceValue?[fieldCount];
        var anyFound = false;
        for (var i = 0; i < fieldCount; i++)
        {
            if (record.TryGet(i, out var v))
            {
                source[i] = v;
                anyFound = true;
            }
        }

        // be: NewJsonReader::_set_column_value, "All fields is null, this is a invalid row." - a JSON record in
        // which no key matches a column (an envelope that was not unwrapped, for example).
        if (_json && !anyFound && fieldCount > 0)
        {
            batch.Filter("All fields is null, this is a invalid row.", record.SourceLine);
            return;
        }

        var columns = _table.Columns;
        var values = new object?[columns.Count];
        var tooLong = new Conversion?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var binding = Plan.Targets[i];
            if (binding is null)
            {
                values[i] = Plan.Defaults[i];
                continue;
            }

            if (!TryResolve(binding, source, out var value))
            {
                if (column.HasDefault || column.IsNullable)
                {
                    values[i] = Plan.Defaults[i];
                    continue;
                }

                batch.Filter($"The column `{column.Name}` is not nullable, but it's not found in jsondata.", record.SourceLine);
                return;
            }

            var converted = ValueConversion.Convert(value, column.Type, Plan.Request.TimeZone);
            switch (converted.Status)
            {
                case ConversionStatus.Ok:
                    values[i] = converted.Value;
                    break;
                case ConversionStatus.TooLong:
                    tooLong[i] = converted;
                    values[i] = converted.Value;
                    break;
                default:
                    // be: VFileScanner::_convert_to_output_block - in strict mode a non-null value that converts
                    // to NULL filters the row; otherwise it loads as NULL.
                    if (Plan.Request.StrictMode)
                    {
                        batch.Filter($"column({column.Name}) value is incorrect while strict mode is true, src value is {value.Display}",
                            record.SourceLine);
                        return;
                    }

                    values[i] = null;
                    break;
            }
        }

        var deleteSign = ResolveDeleteSign(source);
        var row = new RowValues(this, values, source, deleteSign);
        if (Plan.Where is { } where && where.Evaluate(row) != true)
        {
            batch.UnselectedRows++;
            return;
        }

        // be: OlapTableBlockConvertor::_validate_column - the sink's checks.
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (values[i] is null && !column.IsNullable)
            {
                batch.Filter($"column_name[{column.Name}], null value for not null column, type={column.Type}", record.SourceLine);
                return;
            }

            if (tooLong[i] is { } c)
            {
                batch.Filter(TooLongReason(column, (string)c.Value!, c.ActualLength), record.SourceLine);
                return;
            }
        }

        var isDelete = Plan.Request.MergeType switch
        {
            MergeType.Delete => true,
            MergeType.Merge => Plan.DeleteCondition!.Evaluate(row) == true,
            _ => deleteSign == 1,
        };

        batch.Rows.Add(new RowOp(values, isDelete, SequenceOf(values, source), Plan.PartialPresent));
    }

    private object? SequenceOf(object?[] values, SourceValue?[] source)
    {
        var table = _table;
        if (!table.HasSequence)
            return null;
        if (table.SequenceColumn is not null)
        {
            var index = table.IndexOf(table.SequenceColumn);
            return Plan.PartialPresent is { } present && !present[index] ? RowOp.KeepSequence : values[index];
        }

        if (Plan.HiddenSequence is null || !TryResolve(Plan.HiddenSequence, source, out var v))
            return Plan.PartialPresent is not null ? RowOp.KeepSequence : null;
        var converted = ValueConversion.Convert(v, table.SequenceType!, Plan.Request.TimeZone);
        return converted.Status == ConversionStatus.Ok ? converted.Value : null;
    }

    private sbyte? ResolveDeleteSign(SourceValue?[] source)
    {
        if (Plan.DeleteSign is null || !TryResolve(Plan.DeleteSign, source, out var v))
            return null;
        var converted = ValueConversion.Convert(v, DorisType.TinyInt, TimeZoneInfo.Utc);
        return converted.Value as sbyte?;
    }

    private static bool TryResolve(Binding binding, SourceValue?[] source, out SourceValue value)
    {
        if (binding.SourceIndex < 0)
        {
            value = binding.Literal;
            return true;
        }

        if (source[binding.SourceIndex] is { } v)
        {
            value = v;
            return true;
        }

        value = SourceValue.Null;
        return false;
    }

    private static string TooLongReason(DorisColumn column, string text, int actualBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var first = Encoding.UTF8.GetString(bytes, 0, Math.Min(32, bytes.Length));
        return $"column_name[{column.Name}], the length of input is too long than schema. first 32 bytes of input str: [{first}] "
               + $"schema length: {column.Type.Length}; actual length: {actualBytes}; ";
    }

    /// <summary>What `where` and `delete` see: converted columns first, then the raw source fields.</summary>
    private sealed class RowValues(RowBuilder builder, object?[] values, SourceValue?[] source, sbyte? deleteSign) : IRowValues
    {
        public bool TryGet(string name, out object? value)
        {
            var index = builder._table.IndexOf(name);
            if (index >= 0)
            {
                value = values[index];
                return true;
            }

            if (name.Equals(DorisTableDefinition.DeleteSignColumn, StringComparison.OrdinalIgnoreCase))
            {
                value = deleteSign;
                return true;
            }

            var src = builder.Plan.SourceIndexOf(name);
            if (src >= 0)
            {
                value = source[src] is { IsNull: false } s ? s.ScalarText : null;
                return true;
            }

            value = null;
            return false;
        }
    }
}
