using Microsoft.Extensions.Logging;

namespace Kpipe.Cli.Operations;

/// <summary>One warning or error as the status page and the live view show it.</summary>
internal readonly record struct ErrorLine(DateTimeOffset Time, LogLevel Level, string Pipeline, string Message);

/// <summary>
/// A logger provider that keeps the last warnings and errors (<see cref="Capacity"/> of them) for the status page
/// and the live view: they show what the log says, from the same lines. A line belongs to the pipeline named by
/// its <c>Pipeline</c> field, or by the <c>Pipeline</c> scope the host opens around each pipeline's run; lines of
/// neither belong to the process.
/// </summary>
internal sealed class RecentErrors : ILoggerProvider, ISupportExternalScope
{
    public const int Capacity = 50;

    private readonly Lock _gate = new();
    private readonly Queue<ErrorLine> _lines = new();
    private readonly Func<DateTimeOffset> _clock;
    private IExternalScopeProvider? _scopes;

    public RecentErrors(Func<DateTimeOffset>? clock = null)
    {
        _clock = clock ?? (static () => DateTimeOffset.UtcNow);
    }

    /// <summary>The pipeline's lines, oldest first, at most <paramref name="max"/> of the latest.</summary>
    public IReadOnlyList<ErrorLine> Of(string pipeline, int max = Capacity)
    {
        lock (_gate)
        {
            var mine = _lines.Where(l => l.Pipeline == pipeline).ToList();
            return mine.Count <= max ? mine : mine[^max..];
        }
    }

    internal void Add(LogLevel level, string pipeline, string message)
    {
        lock (_gate)
        {
            if (_lines.Count == Capacity) _lines.Dequeue();
            _lines.Enqueue(new ErrorLine(_clock(), level, pipeline, message));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static string? PipelineField(object? state) =>
        state is IEnumerable<KeyValuePair<string, object?>> fields
            ? fields.FirstOrDefault(f => f.Key == "Pipeline").Value as string
            : null;

    private sealed class Logger(RecentErrors owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
            owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var pipeline = PipelineField(state);
            if (pipeline == null)
                owner._scopes?.ForEachScope((scope, _) => pipeline ??= PipelineField(scope), (object?)null);
            owner.Add(logLevel, pipeline ?? "", formatter(state, exception));
        }
    }
}
