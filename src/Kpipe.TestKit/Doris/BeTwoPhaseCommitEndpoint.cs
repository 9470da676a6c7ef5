using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// PUT /api/{db}/_stream_load_2pc on the BE (be/src/http/action/stream_load_2pc.cpp): headers txn_id (or,
/// in newer versions, label) and txn_operation "commit" or "abort". Success answers
/// {"status": "Success", "msg": "transaction [N] commit successfully."}; errors answer Status::to_json,
/// i.e. the error code name and the FE's message, e.g.
/// {"status": "ANALYSIS_ERROR", "msg": "TStatus: errCode = 2, detailMessage = transaction [N] is already visible, not pre-committed."}.
/// </summary>
internal sealed class BeTwoPhaseCommitEndpoint(DorisCluster cluster)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public Task HandleAsync(HttpContext ctx, string db)
    {
        var headers = ctx.Request.Headers;
        var txnIdText = headers["txn_id"].ToString().Trim();
        var label = headers["label"].ToString().Trim();
        long? txnId = null;
        if (txnIdText.Length > 0 || label.Length == 0)
        {
            if (!long.TryParse(txnIdText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                return ReplyAsync(ctx, "INTERNAL_ERROR", $"convert txn_id [{txnIdText}] failed");
            txnId = id;
        }

        // Compared exactly, as the BE does (txn_operation.compare("commit")).
        var operation = headers["txn_operation"].ToString().Trim();
        if (operation is not ("commit" or "abort"))
            return ReplyAsync(ctx, "INTERNAL_ERROR", "transaction operation should be 'commit' or 'abort'");

        var auth = BasicAuth.Parse(ctx.Request);
        if (auth is null)
            return ReplyAsync(ctx, "INTERNAL_ERROR", "no valid Basic authorization");
        if (!auth.Value.Matches(cluster.Options))
            return FeErrorAsync(ctx, $"Access denied for {auth.Value.User}@{ctx.Connection.RemoteIpAddress}");
        if (!cluster.HasDatabase(db))
            return FeErrorAsync(ctx, $"unknown database, database={db}");

        var txn = cluster.Transactions.Find(db, txnId, txnId is null ? label : null);
        if (txn is null)
            return FeErrorAsync(ctx, txnId is { } n ? $"transaction [{n}] not found" : $"label [{label}] not found");

        if (operation == "commit")
        {
            var claim = cluster.Transactions.ClaimForCommit(txn);
            if (!claim.Success)
                return FeErrorAsync(ctx, claim.Message);
            cluster.GetTable(txn.Database, txn.Table).Apply(txn.PendingRows ?? []);
            cluster.Transactions.MarkVisible(txn);
        }
        else
        {
            var abort = cluster.Transactions.AbortByUser(txn);
            if (!abort.Success)
                return FeErrorAsync(ctx, abort.Message);
        }

        return ReplyAsync(ctx, "Success", $"transaction [{txn.Id}] {operation} successfully.");
    }

    private static Task FeErrorAsync(HttpContext ctx, string message) =>
        ReplyAsync(ctx, "ANALYSIS_ERROR", $"TStatus: errCode = 2, detailMessage = {message}");

    private static Task ReplyAsync(HttpContext ctx, string status, string message)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("status", status);
            w.WriteString("msg", message);
            w.WriteEndObject();
        }

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
