namespace Kpipe.Sinks.Doris;

/// <summary>What to do after one Stream Load attempt.</summary>
internal enum LoadOutcomeKind
{
    /// <summary>Success or Publish Timeout: committed (visible now or shortly). Done.</summary>
    Committed,

    /// <summary>Label Already Exists with ExistingJobStatus FINISHED: an earlier attempt under this label
    /// committed (its answer was lost). Done; loading again would duplicate the rows.</summary>
    AlreadyCommitted,

    /// <summary>Fail because of the data (rows rejected, "too many filtered rows"): retrying cannot help;
    /// the error policy decides.</summary>
    DataError,

    /// <summary>The credentials or privileges were refused: stop at once.</summary>
    Unauthorized,

    /// <summary>The table or its database does not exist: no retry can help, stop at once (retrying for
    /// maxRetries only delayed the same error by most of a minute).</summary>
    NoSuchTable,

    /// <summary>Anything that may pass: 5xx, connection errors, timeouts, "[E-235] too many versions", a label
    /// still RUNNING or PRECOMMITTED, an FE refusal. Retry later under the same label.</summary>
    Transient,
}

/// <summary>
/// The verdict on one Stream Load attempt. Never judged by the HTTP status alone: Doris answers HTTP 200 for
/// failed loads and for wrong credentials, so the body decides (be: StreamLoadContext::to_json; fe:
/// LoadAction, RestBaseResult, ResponseEntityBuilder).
/// </summary>
internal sealed record LoadOutcome(LoadOutcomeKind Kind, string Reason, StreamLoadResponse? Response)
{
    public static LoadOutcome Classify(StreamLoadAttempt attempt)
    {
        if (attempt.TransportError is { } transport)
            return new LoadOutcome(LoadOutcomeKind.Transient, transport, null);

        var status = attempt.HttpStatus;
        var response = StreamLoadResponse.Parse(attempt.Body);
        if (status is 401 or 403)
            return new LoadOutcome(LoadOutcomeKind.Unauthorized,
                $"HTTP {status}{Detail(response?.FeData ?? response?.FeMessage ?? response?.Message)}", response);

        if (response is { IsLoadResult: true })
            return FromLoadResult(response);

        if (response != null && (response.FeCode == 401 || Says(response.FeMessage, "Unauthorized")))
            return new LoadOutcome(LoadOutcomeKind.Unauthorized,
                $"Unauthorized{Detail(response.FeData ?? response.FeMessage)}", response);

        if (response is { FeMessage: not null } || response is { FeStatus: not null })
        {
            var message = response.FeMessage ?? response.FeData ?? response.FeStatus!;
            return IsAuthMessage(message)
                ? new LoadOutcome(LoadOutcomeKind.Unauthorized, message, response)
                : new LoadOutcome(LoadOutcomeKind.Transient, $"FE refused the load: {message}", response);
        }

        return status >= 500
            ? new LoadOutcome(LoadOutcomeKind.Transient, $"HTTP {status}{Detail(Snippet(attempt.Body))}", response)
            : new LoadOutcome(LoadOutcomeKind.Transient, $"unexpected answer, HTTP {status}{Detail(Snippet(attempt.Body))}", response);
    }

    private static LoadOutcome FromLoadResult(StreamLoadResponse r)
    {
        var status = r.Status!.Trim();
        var message = r.Message ?? "";
        if (status.Equals("Success", StringComparison.OrdinalIgnoreCase)
            || status.Equals("Publish Timeout", StringComparison.OrdinalIgnoreCase))
            return new LoadOutcome(LoadOutcomeKind.Committed, status, r);

        if (status.Equals("Label Already Exists", StringComparison.OrdinalIgnoreCase))
        {
            var job = r.ExistingJobStatus?.Trim().ToUpperInvariant();
            return job switch
            {
                "FINISHED" => new LoadOutcome(LoadOutcomeKind.AlreadyCommitted, "Label Already Exists, FINISHED", r),
                "RUNNING" => new LoadOutcome(LoadOutcomeKind.Transient,
                    "Label Already Exists, RUNNING: an earlier attempt under this label is still loading; checking again later", r),
                // Without exactlyOnce kpipe opens no two-phase transactions; one under our label (another tool) either
                // gets committed or is aborted by Doris after about an hour; until then ask again. Under exactlyOnce
                // the sink aborts its own leftover first (DorisSink.SendUntilSettledAsync).
                "PRECOMMITTED" => new LoadOutcome(LoadOutcomeKind.Transient,
                    "Label Already Exists, PRECOMMITTED: an open two-phase transaction holds this label; checking again later", r),
                _ => new LoadOutcome(LoadOutcomeKind.Transient, $"Label Already Exists, {r.ExistingJobStatus ?? "unknown job status"}: {message}", r),
            };
        }

        if (status.Equals("Fail", StringComparison.OrdinalIgnoreCase))
        {
            if (IsAuthMessage(message))
                return new LoadOutcome(LoadOutcomeKind.Unauthorized, message, r);
            // BE (StreamLoadExecutor via the FE's plan): "[ANALYSIS_ERROR]... detailMessage = unknown table,
            // tableName=..." or "unknown database, database=...".
            if (Says(message, "unknown table") || Says(message, "unknown database"))
                return new LoadOutcome(LoadOutcomeKind.NoSuchTable, message, r);
            if (Says(message, "DATA_QUALITY_ERROR") || Says(message, "too many filtered rows") || r.NumberFilteredRows > 0)
                return new LoadOutcome(LoadOutcomeKind.DataError, message, r);
            return new LoadOutcome(LoadOutcomeKind.Transient, $"Doris: {message}", r);
        }

        return new LoadOutcome(LoadOutcomeKind.Transient, $"unknown Status '{status}': {message}", r);
    }

    /// <summary>FE: "Access denied for user@host", "Need auth information."; BE: "no valid Basic authorization",
    /// "Access denied; you need (at least one of) the LOAD privilege(s)".</summary>
    internal static bool IsAuthMessage(string? message) =>
        Says(message, "Unauthorized") || Says(message, "Access denied") || Says(message, "Need auth information")
        || Says(message, "no valid Basic authorization") || Says(message, "authentication failed")
        || Says(message, "password is wrong");

    private static bool Says(string? text, string what) => text?.Contains(what, StringComparison.OrdinalIgnoreCase) == true;

    private static string Detail(string? text) => string.IsNullOrWhiteSpace(text) ? "" : $": {text.Trim()}";

    private static string Snippet(string body)
    {
        var text = body.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..200] + "...";
    }
}
