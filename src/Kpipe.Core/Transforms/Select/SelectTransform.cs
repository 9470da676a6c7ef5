using System.Text;
using System.Text.Json;
using Kpipe.Engine;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>
/// Turns JSON record values into typed rows: one forward pass of <see cref="Utf8JsonReader"/> over the
/// message bytes per record (two with explode: the root, then the array), converting only the declared
/// fields into the batch's column lanes. No DOM and no string per field.
/// </summary>
public sealed class SelectTransform : ITransform, IDisposable
{
    private readonly ColumnOptions[] _columns;
    private readonly ConversionOptions[] _conversions;
    private readonly FieldTree _root = new();
    private readonly FieldTree? _element;
    private readonly string? _explodePath;
    private readonly RowBatch _rows;
    private readonly RowBatch _scratch;
    private readonly RowBatch _defaults;
    private readonly bool[] _seen;
    private readonly int[] _rootColumns;
    private readonly int[] _elementColumns;
    // With explode: the root and metadata columns, read once per record and copied into each element's row.
    private readonly int[] _sharedColumns;
    private readonly CellConverter _convert;
    private readonly Func<int, string> _pathOf;
    // The row the walker's conversions write to (the scratch row or an element's row).
    private RowBatch? _target;
    private int _targetRow;

    public SelectTransform(SelectOptions options)
    {
        _columns = options.Columns.ToArray();
        var zone = options.Zone;
        _conversions = _columns.Select(c => new ConversionOptions { ZonelessTimeZone = zone, EpochUnit = c.Unit }).ToArray();
        Schema = new RowSchema(_columns.Select(c => (c.Name, c.ParsedType)).ToList());
        _rows = new RowBatch(Schema);
        _scratch = new RowBatch(Schema);
        _defaults = BuildDefaults(Schema, _columns, _conversions);
        _seen = new bool[_columns.Length];
        _explodePath = options.Explode;
        if (options.Explode != null)
        {
            _root.Add(options.Explode.Split('.')).MarkExplode();
            _element = new FieldTree();
        }
        var rootColumns = new List<int>();
        var elementColumns = new List<int>();
        for (var i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i];
            if (c.Meta != MetadataField.None) continue;
            var path = c.Path ?? c.Name;
            var fromRoot = path.StartsWith("$.", StringComparison.Ordinal);
            if (fromRoot) path = path[2..];
            if (_element != null && !fromRoot)
            {
                _element.Add(path.Split('.')).Columns.Add(i);
                elementColumns.Add(i);
            }
            else
            {
                _root.Add(path.Split('.')).Columns.Add(i);
                rootColumns.Add(i);
            }
        }
        _rootColumns = rootColumns.ToArray();
        _elementColumns = elementColumns.ToArray();
        _sharedColumns = Enumerable.Range(0, _columns.Length).Except(_elementColumns).ToArray();
        _convert = ConvertCell;
        _pathOf = PathOf;
    }

    public RowSchema Schema { get; }

    public void Apply(RecordBatch batch, RecordErrorHandler errors)
    {
        _rows.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsDropped(i)) continue;
            var firstRow = _rows.Count;
            var error = Convert(batch, i);
            if (error == null) continue;
            _rows.Truncate(firstRow);
            errors.Report(batch, i, error);
        }
        batch.Rows = _rows;
    }

    /// <summary>Adds the record's rows; returns the reason when the record cannot be converted.</summary>
    private string? Convert(RecordBatch batch, int index)
    {
        var value = batch.Value(index);
        if (value.IsEmpty)
            return "the value is empty (a tombstone?); select needs a JSON object";
        try
        {
            if (_element == null)
            {
                var row = _rows.AddRow(index);
                Array.Clear(_seen);
                var error = ReadObject(value, _root, _rows, row, out _, out _);
                return error ?? Finish(batch, index, _rows, row, _rootColumns, null);
            }
            return ConvertExploded(batch, value, index);
        }
        catch (JsonException e)
        {
            return $"the value is not valid JSON: {e.Message}";
        }
    }

    private string? ConvertExploded(RecordBatch batch, ReadOnlySpan<byte> value, int index)
    {
        _scratch.Clear();
        var scratchRow = _scratch.AddRow(index);
        Array.Clear(_seen);
        var error = ReadObject(value, _root, _scratch, scratchRow, out var arrayStart, out var arrayEnd);
        if (error != null) return error;
        error = Finish(batch, index, _scratch, scratchRow, _rootColumns, null);
        if (error != null) return error;
        if (arrayStart < 0) return null; // missing or null array: no rows

        var reader = new Utf8JsonReader(value.Slice(arrayStart, arrayEnd - arrayStart));
        reader.Read(); // StartArray
        var element = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                return $"element {element} of '{_explodePath}' is {JsonText.Describe(reader.TokenType)}, not an object";
            var row = _rows.AddRow(index);
            foreach (var c in _sharedColumns) _rows.Columns[c].CopyFrom(_scratch.Columns[c], scratchRow, row);
            Array.Clear(_seen);
            error = ReadFields(value.Slice(arrayStart, arrayEnd - arrayStart), ref reader, _element!, _rows, row, out _, out _);
            error ??= Finish(batch, index, _rows, row, _elementColumns, element);
            if (error != null) return error;
            element++;
        }
        return null;
    }

    private string? ReadObject(ReadOnlySpan<byte> document, FieldTree tree, RowBatch rows, int row, out int arrayStart, out int arrayEnd)
    {
        var reader = new Utf8JsonReader(document);
        arrayStart = arrayEnd = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return $"the value is {JsonText.Describe(reader.TokenType)}, not a JSON object";
        var error = ReadFields(document, ref reader, tree, rows, row, out arrayStart, out arrayEnd);
        if (error != null) return error;
        // The object is read to its end; anything after it but whitespace (`{...} xyz`, a second object) makes
        // the value something other than one JSON object. The reader throws on such bytes, or reads a token.
        var end = reader.BytesConsumed;
        try
        {
            if (reader.Read()) return $"the value holds more than one JSON value (content after the object at byte {end})";
        }
        catch (JsonException)
        {
            var rest = document[(int)end..].Trim(" \t\r\n"u8);
            return $"the value has content after the JSON object (at byte {end}): {Encoding.UTF8.GetString(rest[..Math.Min(rest.Length, 40)])}";
        }
        return null;
    }

    private string? ReadFields(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, FieldTree tree, RowBatch rows, int row, out int arrayStart, out int arrayEnd)
    {
        _target = rows;
        _targetRow = row;
        return tree.Walk(document, ref reader, _convert, _seen, _pathOf, _explodePath, out arrayStart, out arrayEnd);
    }

    private bool ConvertCell(ReadOnlySpan<byte> document, ref Utf8JsonReader reader, int column, out string? error) =>
        ValueConverter.TryWrite(document, ref reader, _target!.Columns[column], _targetRow, _conversions[column], out error);

    /// <summary>Fills metadata columns, defaults and required checks for the columns read at this level.</summary>
    private string? Finish(RecordBatch batch, int index, RowBatch rows, int row, int[] columns, int? element)
    {
        if (element == null) SetMetadata(batch, index, rows, row);
        foreach (var c in columns)
        {
            if (_seen[c]) continue;
            if (_columns[c].Default != null) rows.Columns[c].CopyFrom(_defaults.Columns[c], 0, row);
            else if (_columns[c].Required)
                return element == null
                    ? $"required field '{PathOf(c)}' is missing or null"
                    : $"required field '{PathOf(c)}' is missing or null in element {element} of '{_explodePath}'";
        }
        return null;
    }

    private void SetMetadata(RecordBatch batch, int index, RowBatch rows, int row)
    {
        for (var c = 0; c < _columns.Length; c++)
            if (_columns[c].Meta != MetadataField.None) MetadataColumns.Set(batch, index, rows.Columns[c], row, _columns[c].Meta);
    }

    private string PathOf(int c) => _columns[c].Path ?? _columns[c].Name;

    /// <summary>One row holding each column's declared default, cast once up front.</summary>
    internal static RowBatch BuildDefaults(RowSchema schema, ColumnOptions[] columns, ConversionOptions[] conversions)
    {
        var defaults = new RowBatch(schema);
        var row = defaults.AddRow(-1);
        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c].Default is not { } text) continue;
            var json = schema.Types[c].Kind == ColumnKind.Json ? text : JsonSerializer.Serialize(text);
            var bytes = Encoding.UTF8.GetBytes(json);
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            if (!ValueConverter.TryWrite(bytes, ref reader, defaults.Columns[c], row, conversions[c], out var error))
                throw new ArgumentException($"column '{columns[c].Name}': default '{text}' is not a valid {schema.Types[c]}: {error}");
        }
        return defaults;
    }

    public void Dispose()
    {
        _rows.Dispose();
        _scratch.Dispose();
        _defaults.Dispose();
    }
}
