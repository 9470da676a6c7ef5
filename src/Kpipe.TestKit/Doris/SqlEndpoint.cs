using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The FE's SQL-over-HTTP endpoint, <c>POST /api/query/default_cluster/{db}</c> with a JSON body
/// <c>{"stmt": "..."}</c> (fe: httpv2/rest/StmtExecutionAction), which the Flink Doris connector's schema change
/// (SchemaChangeManager.execute) uses to create tables and add columns. Answers are HTTP 200:
/// <c>{"msg":"success","code":0,"data":{"type":"exec_status","status":{}},"count":0}</c> for a statement,
/// <c>{"msg":"success","code":0,"data":{"type":"result_set","meta":[{"name":..,"type":..}],"data":[[..]]},"count":0}</c>
/// for a query, and <c>{"msg":"Error","code":1,"data":"&lt;reason&gt;","count":0}</c> when the statement fails. Only the
/// request and "code 0 is success" are confirmed (by the Flink connector's client); the rest of the shape is our best
/// reading of StmtExecutionAction (docs/doris-emulator.md, departure 15). The statements understood: CREATE TABLE (the subset of DdlParser),
/// <c>ALTER TABLE [db.]t ADD COLUMN col TYPE ...</c>, <c>ALTER TABLE [db.]t MODIFY COLUMN col TYPE ...</c> (a value column,
/// to a type Doris converts it to; its job finishes at once, or after DorisEmulatorOptions.SchemaChangeRunningPolls looks),
/// <c>SHOW ALTER TABLE COLUMN</c> and <c>DESC [db.]t</c>;
/// anything else is an error.
/// </summary>
internal sealed class SqlEndpoint(DorisCluster cluster)
{
    public async Task HandleAsync(HttpContext ctx, string database)
    {
        string? stmt;
        try
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
            stmt = body.RootElement.TryGetProperty("stmt", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        catch (JsonException e)
        {
            await Error(ctx, $"the body is not JSON: {e.Message}").ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(stmt))
        {
            await Error(ctx, "stmt is empty").ConfigureAwait(false);
            return;
        }
        cluster.RecordStatement(stmt);
        object data;
        try
        {
            data = Execute(stmt.Trim().TrimEnd(';'), database);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            await Error(ctx, $"errCode = 2, detailMessage = {e.Message}").ConfigureAwait(false);
            return;
        }
        await FeEndpoint.WriteJsonAsync(ctx, new { msg = "success", code = 0, data, count = 0 }).ConfigureAwait(false);
    }

    private object Execute(string stmt, string database)
    {
        var cur = new SqlCursor(SqlLexer.Tokenize(stmt));
        if (cur.Peek().IsWord("CREATE"))
        {
            var definition = DdlParser.ParseCreateTable(stmt, database);
            var ifNotExists = cur.Peek(2).IsWord("IF");
            if (cluster.FindTable(definition.Database, definition.Name) is not null)
            {
                if (!ifNotExists) throw new InvalidOperationException($"Table '{definition.Name}' already exists");
            }
            else
            {
                cluster.AddTable(definition);
            }
            return ExecStatus();
        }
        if (cur.TryWord("ALTER"))
        {
            cur.ExpectWord("TABLE");
            var table = Table(cur, database);
            var modify = cur.TryWord("MODIFY");
            if (!modify) cur.ExpectWord("ADD");
            cur.ExpectWord("COLUMN");
            var column = DdlParser.ParseColumn(cur);
            if (!cur.AtEnd) throw new FormatException($"Unexpected {cur.Peek()} in ALTER TABLE (the emulator changes one column per statement)");
            if (!modify)
            {
                table.AddColumn(column);
                return ExecStatus();
            }
            // Refused at once when Doris would refuse the statement; applied when the job finishes.
            table.CheckModifyColumn(column);
            cluster.AddAlterJob(table.Definition.Database, table.Definition.Name, () => table.ModifyColumn(column));
            return ExecStatus();
        }
        if (cur.TryWord("SHOW"))
            return ShowAlterTableColumn(cur, database);
        if (cur.TryWord("DESC") || cur.TryWord("DESCRIBE"))
        {
            var definition = Table(cur, database).Definition;
            string[] names = ["Field", "Type", "Null", "Key", "Default", "Extra"];
            return new
            {
                type = "result_set",
                meta = names.Select(n => new { name = n, type = "CHAR" }),
                data = definition.Columns.Select(c => new object?[]
                {
                    c.Name, c.Type.ToString().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal), c.IsNullable ? "Yes" : "No", c.IsKey ? "true" : "false",
                    c.DefaultValue, "",
                }),
                time = 0,
            };
        }
        throw new NotSupportedException($"the emulator runs CREATE TABLE, ALTER TABLE ... ADD/MODIFY COLUMN, SHOW ALTER TABLE COLUMN and DESC only, not: {stmt}");
    }

    /// <summary><c>SHOW ALTER TABLE COLUMN [FROM db] [WHERE TableName = "t"] [ORDER BY ...] [LIMIT n]</c>: the jobs of
    /// MODIFY COLUMN, newest first, with Doris's columns (fe: SchemaChangeProcDir.TITLE_NAMES).</summary>
    private object ShowAlterTableColumn(SqlCursor cur, string database)
    {
        cur.ExpectWord("ALTER");
        cur.ExpectWord("TABLE");
        cur.ExpectWord("COLUMN");
        var db = cur.TryWord("FROM") || cur.TryWord("IN") ? cur.ExpectName() : database;
        string? tableName = null;
        var limit = int.MaxValue;
        while (!cur.AtEnd)
        {
            if (cur.TryWord("WHERE"))
            {
                if (!cur.TryWord("TableName")) throw new NotSupportedException("the emulator filters SHOW ALTER TABLE COLUMN by TableName only");
                cur.ExpectSymbol("=");
                tableName = cur.Next().Text;
            }
            else if (cur.TryWord("ORDER"))
            {
                // Newest first is the only order the emulator gives.
                cur.ExpectWord("BY");
                cur.ExpectName();
                _ = cur.TryWord("DESC") || cur.TryWord("ASC");
            }
            else if (cur.TryWord("LIMIT"))
            {
                limit = int.Parse(cur.Next().Text, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                throw new FormatException($"Unexpected {cur.Peek()} in SHOW ALTER TABLE COLUMN");
            }
        }
        string[] names = ["JobId", "TableName", "CreateTime", "FinishTime", "IndexName", "IndexId", "OriginIndexId", "SchemaVersion", "TransactionId", "State", "Msg", "Progress", "Timeout"];
        var jobs = cluster.PollAlterJobs().Where(j => j.Database == db && (tableName == null || j.TableName == tableName)).Reverse().Take(limit);
        return new
        {
            type = "result_set",
            meta = names.Select(n => new { name = n, type = "CHAR" }),
            data = jobs.Select(j => new object?[]
            {
                j.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), j.TableName, Time(j.CreateTime), j.FinishTime is { } f ? Time(f) : "NULL", j.TableName,
                "0", "0", "1:0", "0", j.State, j.Msg, "N/A", "2592000",
            }),
            time = 0,
        };

        static string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
    }

    private DorisTable Table(SqlCursor cur, string database)
    {
        var first = cur.ExpectName();
        var (db, name) = cur.TrySymbol(".") ? (first, cur.ExpectName()) : (database, first);
        // fe: ErrorCode.ERR_UNKNOWN_TABLE, "Unknown table 'x' in db".
        return cluster.FindTable(db, name) ?? throw new InvalidOperationException($"Unknown table '{name}' in {db}");
    }

    private static object ExecStatus() => new { type = "exec_status", status = new { } };

    private static Task Error(HttpContext ctx, string reason) =>
        FeEndpoint.WriteJsonAsync(ctx, new { msg = "Error", code = 1, data = reason, count = 0 });
}
