using System.Globalization;
using System.Text.RegularExpressions;

namespace Kpipe.Sinks.Doris;

internal enum TwoPhaseAnswerKind
{
    /// <summary>The operation took effect, or had already: "commit successfully", "already visible", "already
    /// committed" for a commit; "abort successfully" for an abort.</summary>
    Done,

    /// <summary>The transaction is aborted ("is already aborted"; for an abort request, that is success).</summary>
    Aborted,

    /// <summary>Doris does not know the transaction ("transaction [N] not found").</summary>
    NotFound,

    /// <summary>Credentials or privileges refused.</summary>
    Unauthorized,

    /// <summary>Anything else (no answer, 5xx, a transaction still PREPARE): ask again later.</summary>
    Transient,
}

/// <summary>
/// The verdict on a <c>_stream_load_2pc</c> request. The BE answers <c>{"status": "Success", "msg": "transaction [N]
/// commit successfully."}</c> or an error status with the FE's message (be: StreamLoad2PCAction; fe:
/// DatabaseTransactionMgr.commitTransaction / abortTransaction): "transaction [N] is already visible, not
/// pre-committed.", "... is already committed ...", "... is already aborted. abort reason: ...", "transaction [N] not
/// found"; the FE answers bad headers and credentials itself.
/// </summary>
internal sealed partial record TwoPhaseAnswer(TwoPhaseAnswerKind Kind, string Reason)
{
    /// <param name="attempt">The answer.</param>
    /// <param name="commit">The request was a commit (an abort otherwise: then "already visible" is not success).</param>
    public static TwoPhaseAnswer Of(StreamLoadAttempt attempt, bool commit)
    {
        if (attempt.TransportError is { } transport) return new(TwoPhaseAnswerKind.Transient, transport);
        var response = StreamLoadResponse.Parse(attempt.Body);
        var status = response?.FeStatus ?? response?.Status;
        var message = response?.FeMessage ?? response?.Message ?? response?.FeData ?? "";
        if (attempt.HttpStatus is 401 or 403 || response?.FeCode == 401 || LoadOutcome.IsAuthMessage(message) || LoadOutcome.IsAuthMessage(response?.FeData))
            return new(TwoPhaseAnswerKind.Unauthorized, $"HTTP {attempt.HttpStatus}: {response?.FeData ?? message}");
        if (string.Equals(status, "Success", StringComparison.OrdinalIgnoreCase)) return new(TwoPhaseAnswerKind.Done, message);
        if (commit && (Says(message, "already visible") || Says(message, "already committed"))) return new(TwoPhaseAnswerKind.Done, message);
        if (Says(message, "already aborted")) return new(TwoPhaseAnswerKind.Aborted, message);
        if (Says(message, "not found")) return new(TwoPhaseAnswerKind.NotFound, message);
        return new(TwoPhaseAnswerKind.Transient, status == null ? $"HTTP {attempt.HttpStatus}" : $"{status}: {message}");
    }

    /// <summary>The transaction holding a label, from the "Label Already Exists" message ("... relate to txn [N]",
    /// fe: LabelAlreadyUsedException); null when the message does not say.</summary>
    public static long? TxnOfLabel(string? message)
    {
        if (message == null) return null;
        var match = RelateToTxn().Match(message);
        return match.Success ? long.Parse(match.Groups[1].ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;
    }

    private static bool Says(string text, string what) => text.Contains(what, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"relate to txn \[(\d+)\]")]
    private static partial Regex RelateToTxn();
}
