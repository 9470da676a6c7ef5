using System.Diagnostics;
using System.Text;

namespace Kpipe.IntegrationTests;

/// <summary>The real kpipe program in a child process, for what only a process shows: signals and exit codes.</summary>
internal sealed class KpipeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private KpipeProcess(Process process)
    {
        _process = process;
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static KpipeProcess Start(params string[] args)
    {
        // kpipe.dll is copied next to the tests because the test project references the CLI project.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kpipe.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var result = new KpipeProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (result._stdout) result._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (result._stderr) result._stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public void Terminate() => Signal("TERM");

    /// <summary>SIGKILL: no handler runs, nothing is drained, committed or aborted.</summary>
    public void Kill() => Signal("KILL");

    /// <summary>Waits until the process has written <paramref name="text"/> to stderr (it logs there), so a
    /// signal sent next reaches a process that has installed its handlers.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"kpipe did not log '{text}' within {timeout}; stderr:\n{Stderr}");
            await Task.Delay(50);
        }
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", $"-{name} {_process.Id}");
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kpipe did not exit within {timeout}; stderr:\n{Stderr}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
