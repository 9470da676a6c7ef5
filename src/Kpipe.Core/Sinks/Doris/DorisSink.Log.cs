using Microsoft.Extensions.Logging;

namespace Kpipe.Sinks.Doris;

public sealed partial class DorisSink
{
    [LoggerMessage(LogLevel.Debug, "Doris sink {Sink}: load {Label} committed ({Status}): {Rows} rows, {Bytes} bytes, {LoadTimeMs} ms in Doris")]
    private partial void LogLoaded(string sink, string label, int rows, long bytes, long loadTimeMs, string status);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: load {Label} ({Rows} rows) was already committed by an earlier attempt (Label Already Exists, FINISHED); not loading it again")]
    private partial void LogAlreadyCommitted(string sink, string label, int rows);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: load {Label} ({Rows} rows) failed: {Reason}; retry {Retry} of {MaxRetries} in {Delay}")]
    private partial void LogRetry(string sink, string label, int rows, string reason, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Doris sink {Sink}: load {Label} failed: {Reason}")]
    private partial void LogLoadFailed(string sink, string label, string reason);

    [LoggerMessage(LogLevel.Error, "Doris sink {Sink}: {Message}")]
    private partial void LogRejected(string sink, string message);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: load {Label}: Doris rejected a row: {Reason}")]
    private partial void LogRejectedRow(string sink, string label, string reason);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: load {Label} committed without {Filtered} rows Doris filtered out (maxFilterRatio {Ratio})")]
    private partial void LogFilteredRows(string sink, string label, long filtered, double ratio);

    [LoggerMessage(LogLevel.Information, "Doris sink {Sink}: load {Label} committed {Rows} rows of a rejected load without its rejected rows")]
    private partial void LogIsolatedLoad(string sink, string label, int rows);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: load {Label} ({Rows} rows) abandoned at shutdown; its records were not acknowledged and will be read again")]
    private partial void LogAbandoned(string sink, string label, int rows);

    [LoggerMessage(LogLevel.Warning, "Doris sink {Sink}: loads still running {Timeout} after close; cancelling them")]
    private partial void LogCloseTimeout(string sink, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Doris sink {Sink}: maxAge timer failed: {Reason}")]
    private partial void LogTimerFailed(string sink, string reason);
}
