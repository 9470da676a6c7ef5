using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Kpipe.Benchmarks.Compare;

/// <summary>A .NET process's CPU split by what its threads do, from /proc/PID/task: where the time per record goes
/// without a profiler (the pipeline thread, the JIT's background tier-up, the main thread's start-up, librdkafka's
/// threads, the thread pool's HTTP sends and acknowledgements).</summary>
internal static class ThreadCpu
{
    /// <summary>Seconds per kind of thread, largest first; empty when the process is gone.</summary>
    public static IReadOnlyList<(string Kind, double Seconds)> Read(int pid)
    {
        var totals = new Dictionary<string, double>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                    var seconds = ProcSample.StatCpuSeconds(stat);
                    var kind = KindOf(name, task.EndsWith($"/{pid}", StringComparison.Ordinal));
                    totals[kind] = totals.GetValueOrDefault(kind) + seconds;
                }
                catch (Exception e) when (e is IOException or FormatException)
                {
                    // The thread ended between listing and reading.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return [.. totals.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => (t.Key, t.Value))];
    }

    // Thread names are cut at 15 characters by the kernel: ".NET Long Runni" is the engine's pipeline thread.
    private static string KindOf(string name, bool main) =>
        main ? "main (start-up)"
        : name.StartsWith(".NET Long Run", StringComparison.Ordinal) ? "pipeline"
        : name.StartsWith(".NET Tiered", StringComparison.Ordinal) ? "JIT tier-up"
        : name.StartsWith(".NET TP", StringComparison.Ordinal) ? "thread pool"
        : name.StartsWith("rdk:", StringComparison.Ordinal) || name.StartsWith("kpipe-kafka", StringComparison.Ordinal) ? "librdkafka"
        : name.StartsWith(".NET BGC", StringComparison.Ordinal) || name.StartsWith(".NET Server GC", StringComparison.Ordinal) ? "GC"
        : "other";

    public static string Describe(IReadOnlyList<(string Kind, double Seconds)> split) =>
        string.Join(", ", split.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Kind} {t.Seconds:F2} s")));
}

/// <summary>CPU time and peak memory of a running process, read from /proc.</summary>
internal readonly record struct ProcSample(double CpuSeconds, double PeakRssMb)
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux the bench targets.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime (fields 14 and 15) of a /proc/PID/stat or /proc/PID/task/TID/stat line, in seconds.</summary>
    internal static double StatCpuSeconds(string stat)
    {
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>utime + stime and VmHWM; null when the process is gone.</summary>
    public static ProcSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var hwm = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var kb = hwm == null ? 0 : long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return new ProcSample(StatCpuSeconds(stat), kb / 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// A contender in its own process: stderr lines kept with the time each arrived, stdout drained (or kept),
/// SIGTERM to stop it, /proc to measure it before it stops.
/// </summary>
internal sealed partial class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly List<(DateTime At, string Line)> _stderr = [];
    private readonly List<string> _stdout = [];

    private ChildProcess(Process process, long startTimestamp)
    {
        _process = process;
        StartTimestamp = startTimestamp;
        StartedUtc = DateTime.UtcNow;
    }

    public int Id => _process.Id;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartTimestamp { get; }

    public DateTime StartedUtc { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>CPU and peak RSS when the first stderr line with ": assigned " arrived (kpipe's LogAssigned).</summary>
    public ProcSample? AtAssigned { get; private set; }

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<(DateTime At, string Line)> StderrLines
    {
        get { lock (_stderr) return [.. _stderr]; }
    }

    public string Stderr => string.Join('\n', StderrLines.Select(l => l.Line));

    public string Stdout
    {
        get { lock (_stdout) return string.Join('\n', _stdout); }
    }

    public static ChildProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var start = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var child = new ChildProcess(process, start);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (child._stderr) child._stderr.Add((DateTime.UtcNow, e.Data));
            // kpipe's start-up cost: its CPU when it logs its first partition assignment.
            if (child.AtAssigned == null && e.Data.Contains(": assigned ", StringComparison.Ordinal))
                child.AtAssigned = ProcSample.Read(process.Id);
        };
        process.OutputDataReceived += (_, e) =>
        {
            // Kept only while short: kpipe's stdout is its console sink, the shell wrappers print a line or two.
            if (e.Data != null) lock (child._stdout) if (child._stdout.Count < 1000) child._stdout.Add(e.Data);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return child;
    }

    public ProcSample? Sample() => ProcSample.Read(_process.Id);

    public void Terminate()
    {
        if (!_process.HasExited) _ = Kill(_process.Id, SigTerm);
    }

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    /// <summary>Waits for the process to exit; kills it and reports its stderr when it does not.</summary>
    public int WaitForExit(TimeSpan timeout, string what)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not exit within {timeout.TotalSeconds:0}s; stderr:\n{Tail(Stderr)}");
        }
        _process.WaitForExit(); // lets the stdout/stderr readers finish
        return _process.ExitCode;
    }

    public static string Tail(string text, int lines = 30) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
