using System.Text;

namespace Kpipe.TestKit.Doris;

/// <summary>A field read from each source record: by name (JSON key / CSV position) or by JSON path.</summary>
internal sealed record SourceField(string Name, JsonPathExpression? Path);

/// <summary>Where a target column's value comes from: a source field or a literal (columns "c = 'x'").</summary>
internal sealed record Binding(int SourceIndex, SourceValue Literal)
{
    public static Binding FromSource(int index) => new(index, SourceValue.Null);

    public static Binding FromLiteral(SourceValue literal) => new(-1, literal);
}

/// <summary>
/// How one load maps its data onto the table: the fields read from each record, the binding of every
/// column, and the filters. Built once per load from the headers, like the FE's stream load plan
/// (fe: load/Load.initColumns, NereidsLoadUtils), with the same refusals.
/// </summary>
internal sealed class LoadPlan
{
    private LoadPlan(LoadRequest request, DorisTableDefinition table)
    {
        Request = request;
        Table = table;
    }

    public LoadRequest Request { get; }
    public DorisTableDefinition Table { get; }
    public List<SourceField> SourceFields { get; } = [];
    public Binding?[] Targets { get; private set; } = [];
    public object?[] Defaults { get; private set; } = [];
    public Binding? DeleteSign { get; private set; }
    public Binding? HiddenSequence { get; private set; }
    public RowPredicate? Where { get; private set; }
    public RowPredicate? DeleteCondition { get; private set; }
    public bool[]? PartialPresent { get; private set; }
    public JsonPathExpression? JsonRoot { get; private set; }

    public static LoadPlan Build(LoadRequest request, DorisTableDefinition table, DateTime nowUtc)
    {
        var plan = new LoadPlan(request, table);
        plan.Initialize(nowUtc);
        return plan;
    }

    public int SourceIndexOf(string name) =>
        SourceFields.FindIndex(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static string AnalysisError(string message) => $"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = {message}";

    private void Initialize(DateTime nowUtc)
    {
        var table = Table;
        var request = Request;
        var unique = table.KeysType == DorisKeysType.Unique;

        // fe: NereidsStreamLoadPlanner.plan, "load by MERGE or DELETE is only supported in unique tables."
        if (request.MergeType != MergeType.Append && !unique)
            throw new LoadPlanException(AnalysisError("load by MERGE or DELETE is only supported in unique tables."));

        // fe: sequence checks in NereidsLoadTaskInfo / LoadScanProvider.
        if (table.HasHiddenSequence && request.SequenceColumn is null)
            throw new LoadPlanException(AnalysisError($"Table {table.Name} has sequence column, need to specify the sequence column"));
        if (!table.HasSequence && request.SequenceColumn is not null)
            throw new LoadPlanException(AnalysisError($"There is no sequence column in the table {table.Name}"));

        if (request.PartialColumns && !unique)
            throw new LoadPlanException(AnalysisError("Only unique key merge on write support partial update"));

        if (request.JsonRoot is not null)
            JsonRoot = ParsePath(request.JsonRoot);

        // Source fields: the `columns` names that are not expressions, or else every table column plus
        // the hidden columns named in `hidden_columns`.
        var expressions = new List<(string Target, string Expression)>();
        if (request.Columns is not null)
        {
            foreach (var item in SplitTopLevel(request.Columns))
            {
                var eq = IndexOfAssignment(item);
                if (eq < 0)
                {
                    SourceFields.Add(new SourceField(Unquote(item), null));
                }
                else
                {
                    expressions.Add((Unquote(item[..eq]), item[(eq + 1)..].Trim()));
                }
            }
        }
        else
        {
            foreach (var c in table.Columns)
                SourceFields.Add(new SourceField(c.Name, null));
            foreach (var hidden in request.HiddenColumns)
            {
                if (!IsHiddenColumn(hidden))
                    throw new LoadPlanException(AnalysisError($"Unknown hidden column '{hidden}'"));
                if (unique)
                    SourceFields.Add(new SourceField(hidden, null));
            }
        }

        if (request.JsonPaths is not null)
            BindJsonPaths(request.JsonPaths);

        Targets = new Binding?[table.Columns.Count];
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var src = SourceIndexOf(table.Columns[i].Name);
            if (src >= 0)
                Targets[i] = Binding.FromSource(src);
        }

        if (unique && SourceIndexOf(DorisTableDefinition.DeleteSignColumn) is var del and >= 0)
            DeleteSign = Binding.FromSource(del);
        if (table.HasHiddenSequence && SourceIndexOf(DorisTableDefinition.SequenceHiddenColumn) is var seq and >= 0)
            HiddenSequence = Binding.FromSource(seq);

        foreach (var (target, expression) in expressions)
            BindExpression(target, expression);

        if (request.SequenceColumn is not null && table.HasHiddenSequence)
        {
            var seqIndex = table.IndexOf(request.SequenceColumn);
            HiddenSequence = seqIndex >= 0 && Targets[seqIndex] is { } b
                ? b
                : SourceIndexOf(request.SequenceColumn) is var s and >= 0
                    ? Binding.FromSource(s)
                    : throw new LoadPlanException(AnalysisError($"Unknown column '{request.SequenceColumn}' for function_column.sequence_col"));
        }

        if (request.PartialColumns)
        {
            PartialPresent = [.. Targets.Select(t => t is not null)];
            var missing = table.KeyColumns.Where(k => Targets[table.IndexOf(k)] is null).ToList();
            if (missing.Count > 0)
                throw new LoadPlanException(AnalysisError($"Partial update should include all key columns, missing: {string.Join(",", missing)}"));
        }
        else if (request.Columns is not null)
        {
            // A NOT NULL column without a default must be supplied (fe: Load.initColumns,
            // "Column has no default value. column: x").
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var c = table.Columns[i];
                if (Targets[i] is null && !c.IsNullable && !c.HasDefault)
                    throw new LoadPlanException(AnalysisError($"Column has no default value. column: {c.Name}"));
            }
        }

        Defaults = [.. table.Columns.Select(c => ValueConversion.DefaultOf(c, request.TimeZone, nowUtc))];

        DorisType? TypeOf(string name) =>
            table.FindColumn(name)?.Type
            ?? (name.Equals(DorisTableDefinition.DeleteSignColumn, StringComparison.OrdinalIgnoreCase) ? DorisType.TinyInt : null);

        try
        {
            if (request.Where is not null)
                Where = RowPredicate.Parse(request.Where, TypeOf, request.TimeZone);
            if (request.DeleteCondition is not null)
                DeleteCondition = RowPredicate.Parse(request.DeleteCondition, TypeOf, request.TimeZone);
        }
        catch (FormatException ex)
        {
            throw new LoadPlanException(AnalysisError(ex.Message));
        }

        // Names in `where` / `delete` must be columns of the table or fields of the load.
        foreach (var name in (Where?.Names ?? []).Concat(DeleteCondition?.Names ?? []))
        {
            if (table.IndexOf(name) < 0 && SourceIndexOf(name) < 0
                && !name.Equals(DorisTableDefinition.DeleteSignColumn, StringComparison.OrdinalIgnoreCase))
                throw new LoadPlanException(AnalysisError($"Unknown column '{name}'"));
        }
    }

    private void BindJsonPaths(string jsonPaths)
    {
        List<string>? paths;
        try
        {
            paths = System.Text.Json.JsonSerializer.Deserialize<List<string>>(jsonPaths);
        }
        catch (System.Text.Json.JsonException)
        {
            paths = null;
        }

        if (paths is null)
            throw new LoadPlanException($"[DATA_QUALITY_ERROR]Invalid json path: {jsonPaths}");

        // jsonpaths map to the source fields in order; the FE refuses a count mismatch only in some versions,
        // the emulator always does, because the extra paths or columns would silently load nothing.
        if (paths.Count != SourceFields.Count)
            throw new LoadPlanException(
                $"[INVALID_ARGUMENT]jsonpaths has {paths.Count} paths but there are {SourceFields.Count} columns to fill; list the columns in `columns`");
        for (var i = 0; i < paths.Count; i++)
            SourceFields[i] = SourceFields[i] with { Path = ParsePath(paths[i]) };
    }

    private void BindExpression(string target, string expression)
    {
        var isDeleteSign = target.Equals(DorisTableDefinition.DeleteSignColumn, StringComparison.OrdinalIgnoreCase);
        var isHiddenSeq = target.Equals(DorisTableDefinition.SequenceHiddenColumn, StringComparison.OrdinalIgnoreCase);
        var index = Table.IndexOf(target);
        if (index < 0 && !isDeleteSign && !isHiddenSeq)
            throw new LoadPlanException(AnalysisError($"Unknown column '{target}' in '{Table.Name}'"));

        Binding binding;
        var tokens = SqlLexer.Tokenize(expression);
        if (tokens.Count == 2 && tokens[0].IsName && !tokens[0].IsWord("NULL"))
        {
            var src = SourceIndexOf(tokens[0].Text);
            if (src < 0)
                throw new LoadPlanException(AnalysisError($"Unknown column '{tokens[0].Text}'"));
            binding = Binding.FromSource(src);
        }
        else if (tokens.Count == 2 && tokens[0].IsWord("NULL"))
        {
            binding = Binding.FromLiteral(SourceValue.Null);
        }
        else if (tokens.Count == 2 && tokens[0].Kind is SqlTokenKind.String or SqlTokenKind.Number)
        {
            binding = Binding.FromLiteral(SourceValue.Of(tokens[0].Text));
        }
        else if (tokens.Count == 3 && tokens[0].IsSymbol("-") && tokens[1].Kind == SqlTokenKind.Number)
        {
            binding = Binding.FromLiteral(SourceValue.Of("-" + tokens[1].Text));
        }
        else
        {
            // Doris evaluates any SQL expression here (c3 = c2 * 2, to_bitmap(x), ...); the emulator does not.
            throw new LoadPlanException(
                $"[NOT_IMPLEMENTED_ERROR]the Doris emulator only maps columns to a source column or a literal, not '{target}={expression}'");
        }

        if (isDeleteSign)
            DeleteSign = Table.KeysType == DorisKeysType.Unique
                ? binding
                : throw new LoadPlanException(AnalysisError($"Unknown column '{target}' in '{Table.Name}'"));
        else if (isHiddenSeq)
            HiddenSequence = binding;
        else
            Targets[index] = binding;
    }

    private static bool IsHiddenColumn(string name) =>
        name.Equals(DorisTableDefinition.DeleteSignColumn, StringComparison.OrdinalIgnoreCase)
        || name.Equals(DorisTableDefinition.SequenceHiddenColumn, StringComparison.OrdinalIgnoreCase);

    private static JsonPathExpression ParsePath(string text)
    {
        try
        {
            return JsonPathExpression.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new LoadPlanException($"[DATA_QUALITY_ERROR]{ex.Message}");
        }
    }

    private static string Unquote(string name)
    {
        var n = name.Trim();
        return n.Length >= 2 && n[0] == '`' && n[^1] == '`' ? n[1..^1] : n;
    }

    private static int IndexOfAssignment(string item)
    {
        var quote = '\0';
        for (var i = 0; i < item.Length; i++)
        {
            var c = item[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '\'' or '"' or '`')
            {
                quote = c;
            }
            else if (c == '=')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Splits "a, b, c=f(x, y)" on the commas that are outside parentheses and quotes.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var items = new List<string>();
        var sb = new StringBuilder();
        var depth = 0;
        var quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '\'' or '"' or '`')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                items.Add(sb.ToString().Trim());
                sb.Clear();
                continue;
            }

            sb.Append(c);
        }

        if (sb.ToString().Trim() is { Length: > 0 } last)
            items.Add(last);
        return items;
    }
}
