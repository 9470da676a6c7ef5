using System.Runtime.InteropServices;

namespace Kpipe.Cli;

/// <summary>
/// The first SIGINT or SIGTERM asks the pipelines to stop (drain, commit, exit 0); a second one exits at once.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TextWriter _error;
    private int _signals;

    public ShutdownSignals(TextWriter error)
    {
        _error = error;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        // Cancel the runtime's default handling (which would terminate the process right away).
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _error.WriteLine($"kpipe: {context.Signal} received: draining sinks and committing offsets (send it again to exit at once)");
            _stop.Cancel();
            return;
        }
        _error.WriteLine($"kpipe: second {context.Signal}: exiting now; unacknowledged records will be read again on restart");
        _error.Flush();
        Environment.Exit(ExitCodes.Forced);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
