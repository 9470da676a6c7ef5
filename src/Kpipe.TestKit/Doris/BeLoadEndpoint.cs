using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The BE's Stream Load handler (be/src/http/action/stream_load.cpp): checks Basic auth, begins a transaction
/// under the label (refusing a label in use), reads and converts the body, applies max_filter_ratio, then
/// commits (or precommits for two-phase commit) and answers with the load's JSON, HTTP 200 in every case.
/// Injected faults replace or disturb parts of that path.
/// </summary>
internal sealed class BeLoadEndpoint(DorisCluster cluster)
{
    // fe: FeNameFormat.LABEL_REGEX with Config.label_regex_length = 128.
    private const string LabelRegex = "^[-_A-Za-z0-9:]{1,128}$";

    public async Task HandleAsync(HttpContext ctx, string db, string tableName)
    {
        var started = Stopwatch.GetTimestamp();
        var headers = ctx.Request.Headers;
        var headerLabel = headers["label"].ToString().Trim();
        var response = new LoadResponse
        {
            Label = headerLabel.Length > 0 ? headerLabel : Guid.NewGuid().ToString(),
            TwoPhaseCommit = string.Equals(headers["two_phase_commit"].ToString().Trim(), "true", StringComparison.OrdinalIgnoreCase),
            Comment = headers["comment"].ToString(),
        };
        var outcome = new Outcome(db, tableName, response);

        // be: StreamLoadAction::_on_header, parse_basic_auth: "no valid Basic authorization". Wrong credentials
        // are refused by the FE when the BE begins the transaction.
        var auth = BasicAuth.Parse(ctx.Request);
        if (auth is null)
        {
            await FinishAsync(ctx, outcome.Fail("[INTERNAL_ERROR]no valid Basic authorization"), started).ConfigureAwait(false);
            return;
        }

        if (!auth.Value.Matches(cluster.Options))
        {
            await FinishAsync(ctx, outcome.Fail(
                $"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for {auth.Value.User}@{ctx.Connection.RemoteIpAddress}"), started)
                .ConfigureAwait(false);
            return;
        }

        outcome.Fault = cluster.Faults.Take(db, tableName);
        if (await ApplyFaultBeforeLoadAsync(ctx, outcome, started).ConfigureAwait(false))
            return;

        var request = LoadRequest.Parse(headers, db, tableName, cluster.Options.DefaultTimezone, out var headerError);
        response.Label = request.Label;
        response.TwoPhaseCommit = request.TwoPhaseCommit;
        response.GroupCommit = request.GroupCommit;
        if (headerError is not null)
        {
            await FinishAsync(ctx, outcome.Fail(headerError), started).ConfigureAwait(false);
            return;
        }

        var table = cluster.FindTable(db, tableName);
        if (table is null)
        {
            var missing = cluster.HasDatabase(db) ? $"unknown table, tableName={tableName}" : $"unknown database, database={db}";
            await FinishAsync(ctx, outcome.Fail($"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = {missing}"), started).ConfigureAwait(false);
            return;
        }

        if (!IsValidLabel(request.Label))
        {
            await FinishAsync(ctx, outcome.Fail(
                $"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Label format error. regex: {LabelRegex}, label: {request.Label}"), started)
                .ConfigureAwait(false);
            return;
        }

        var begin = cluster.Transactions.Begin(db, tableName, request.Label, request.TwoPhaseCommit);
        if (begin is BeginResult.LabelExists exists)
        {
            // fe: LabelAlreadyUsedException; the response's TxnId stays -1 and the existing transaction is named
            // only in the message.
            response.Status = DorisLoadStatus.LabelAlreadyExists;
            response.ExistingJobStatus = exists.Existing.ExistingJobStatus;
            response.Message = "[LABEL_ALREADY_EXISTS]TStatus: errCode = 2, detailMessage = "
                               + $"Label [{request.Label}] has already been used, relate to txn [{exists.Existing.Id}]";
            await FinishAsync(ctx, outcome, started).ConfigureAwait(false);
            return;
        }

        var txn = ((BeginResult.Started)begin).Txn;
        response.TxnId = txn.Id;
        var beginDone = Stopwatch.GetTimestamp();
        response.BeginTxnTimeMs = Millis(started, beginDone);

        LoadResult result;
        try
        {
            result = await LoadExecutor.RunAsync(request, table.Definition, ctx.Request.Body, cluster.Clock.GetUtcNow().UtcDateTime, ctx.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client went away mid-body (be: "sender is gone"): the transaction is rolled back.
            cluster.Transactions.Abort(txn, "sender is gone");
            outcome.Fail("[CANCELLED]sender is gone");
            outcome.ResponseSent = false;
            Record(outcome);
            return;
        }

        var readDone = Stopwatch.GetTimestamp();
        response.ReadDataTimeMs = Millis(beginDone, readDone);
        var batch = result.Batch;
        response.NumberTotalRows = batch.TotalRows;
        response.NumberFilteredRows = batch.FilteredRows;
        response.NumberUnselectedRows = batch.UnselectedRows;
        response.LoadBytes = result.BodyBytes;
        if (batch.ErrorLines.Count > 0)
            response.ErrorUrl = cluster.ErrorLogs.Save(batch.ErrorLines, cluster.BePort);

        var error = result.Error;
        // be: StreamLoadExecutor - filtered / (total - unselected) above max_filter_ratio fails the load.
        var selected = batch.TotalRows - batch.UnselectedRows;
        if (error is null && selected > 0 && (double)batch.FilteredRows / selected > request.MaxFilterRatio)
            error = "[DATA_QUALITY_ERROR]too many filtered rows";

        if (error is null)
            Commit(table, txn, request, batch, outcome);
        else
        {
            cluster.Transactions.Abort(txn, error);
            outcome.Fail(error);
        }

        response.WriteDataTimeMs = Millis(readDone, Stopwatch.GetTimestamp());
        await ApplyFaultAfterCommitAndFinishAsync(ctx, outcome, started).ConfigureAwait(false);
    }

    private void Commit(DorisTable table, DorisTransaction txn, LoadRequest request, LoadBatch batch, Outcome outcome)
    {
        var response = outcome.Response;
        var commitStart = Stopwatch.GetTimestamp();
        var claimed = request.TwoPhaseCommit
            ? cluster.Transactions.Precommit(txn, batch.Rows)
            : cluster.Transactions.BeginCommit(txn);
        if (!claimed)
        {
            // Aborted through _stream_load_2pc while the body was still being read.
            outcome.Fail($"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = transaction [{txn.Id}] is already aborted. abort reason: {txn.AbortReason}");
            return;
        }

        if (!request.TwoPhaseCommit)
        {
            table.Apply(batch.Rows);
            cluster.Transactions.MarkVisible(txn);
        }

        outcome.Committed = true;
        response.Status = DorisLoadStatus.Success;
        response.Message = "OK";
        response.NumberLoadedRows = batch.Rows.Count;
        if (outcome.Fault?.Kind == DorisFaultKind.PublishTimeout && !request.TwoPhaseCommit)
        {
            // be: StreamLoadExecutor::commit_txn, Status::PublishTimeout - committed, visible later.
            response.Status = DorisLoadStatus.PublishTimeout;
            response.Message = "[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later";
        }

        response.CommitAndPublishTimeMs = Millis(commitStart, Stopwatch.GetTimestamp());
    }

    /// <summary>Applies a fault that acts before the load; true when the request is finished.</summary>
    private async Task<bool> ApplyFaultBeforeLoadAsync(HttpContext ctx, Outcome outcome, long started)
    {
        var fault = outcome.Fault;
        switch (fault?.Kind)
        {
            case DorisFaultKind.HttpError:
                ctx.Response.StatusCode = fault.HttpStatusCode;
                ctx.Response.ContentType = "text/plain";
                await TryWriteAsync(ctx, $"Injected fault: HTTP {fault.HttpStatusCode}\n").ConfigureAwait(false);
                outcome.Fail($"injected HTTP {fault.HttpStatusCode}");
                outcome.ResponseSent = false;
                Record(outcome);
                return true;
            case DorisFaultKind.DropConnection:
                outcome.Fail("injected: connection dropped before the load");
                outcome.ResponseSent = false;
                Record(outcome);
                ctx.Abort();
                return true;
            case DorisFaultKind.Fail:
                await FinishAsync(ctx, outcome.Fail(fault.Message ?? ""), started).ConfigureAwait(false);
                return true;
            case DorisFaultKind.Stall when !fault.AfterCommit:
                if (await StallAsync(fault.Duration, ctx.RequestAborted).ConfigureAwait(false))
                    return false;
                outcome.Fail("[CANCELLED]sender is gone");
                outcome.ResponseSent = false;
                Record(outcome);
                return true;
            default:
                return false;
        }
    }

    private async Task ApplyFaultAfterCommitAndFinishAsync(HttpContext ctx, Outcome outcome, long started)
    {
        var fault = outcome.Fault;
        if (fault is { Kind: DorisFaultKind.Stall, AfterCommit: true })
        {
            // The load is done whatever the client does now; only shutting the emulator down ends the wait.
            await StallAsync(fault.Duration, CancellationToken.None).ConfigureAwait(false);
        }

        if (fault?.Kind == DorisFaultKind.DropConnectionAfterCommit)
        {
            // The "lost response": committed, but the client sees a broken connection.
            outcome.ResponseSent = false;
            outcome.Response.LoadTimeMs = Millis(started, Stopwatch.GetTimestamp());
            Record(outcome);
            ctx.Abort();
            return;
        }

        await FinishAsync(ctx, outcome, started).ConfigureAwait(false);
    }

    private async Task FinishAsync(HttpContext ctx, Outcome outcome, long started)
    {
        outcome.Response.LoadTimeMs = Millis(started, Stopwatch.GetTimestamp());
        Record(outcome);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await TryWriteAsync(ctx, outcome.Response.ToJson()).ConfigureAwait(false);
    }

    private async Task<bool> StallAsync(TimeSpan duration, CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, cluster.Shutdown);
        try
        {
            await Task.Delay(duration, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return !requestAborted.IsCancellationRequested;
        }
    }

    private static async Task TryWriteAsync(HttpContext ctx, string text)
    {
        try
        {
            await ctx.Response.WriteAsync(text, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client is gone; there is nobody to answer.
        }
    }

    private void Record(Outcome outcome)
    {
        var r = outcome.Response;
        cluster.Record(new DorisLoadRecord
        {
            Database = outcome.Database,
            Table = outcome.Table,
            Label = r.Label,
            TxnId = r.TxnId,
            Status = r.Status,
            Message = r.Message,
            ExistingJobStatus = r.Status == DorisLoadStatus.LabelAlreadyExists ? r.ExistingJobStatus : null,
            NumberTotalRows = r.NumberTotalRows,
            NumberLoadedRows = r.NumberLoadedRows,
            NumberFilteredRows = r.NumberFilteredRows,
            NumberUnselectedRows = r.NumberUnselectedRows,
            LoadBytes = r.LoadBytes,
            TwoPhaseCommit = r.TwoPhaseCommit,
            ErrorUrl = r.ErrorUrl,
            Fault = outcome.Fault,
            ResponseSent = outcome.ResponseSent,
            Committed = outcome.Committed,
            Time = cluster.Clock.GetUtcNow(),
        });
    }

    private static bool IsValidLabel(string label)
    {
        if (label.Length is 0 or > 128)
            return false;
        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or ':'))
                return false;
        }

        return true;
    }

    private static long Millis(long from, long to) => (long)Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>What happened to one request, gathered for the answer and the load log.</summary>
    private sealed class Outcome(string db, string table, LoadResponse response)
    {
        public string Database { get; } = db;
        public string Table { get; } = table;
        public LoadResponse Response { get; } = response;
        public DorisFault? Fault { get; set; }
        public bool ResponseSent { get; set; } = true;
        public bool Committed { get; set; }

        public Outcome Fail(string message)
        {
            Response.Status = DorisLoadStatus.Fail;
            Response.Message = message;
            // be: a failed load reports no loaded rows (StreamLoadExecutor: number_loaded_rows = 0).
            Response.NumberLoadedRows = 0;
            return this;
        }
    }
}
