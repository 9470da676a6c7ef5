using System.Diagnostics;

namespace Kpipe.IntegrationTests;

/// <summary>
/// The two ways kpipe is shipped without a source checkout (README, "Installing"): a self-contained single-file
/// build for linux-x64 and the dotnet tool package. Each is built from this repository and then run as a user
/// would, so a packaging change that drops librdkafka's native library or the examples shows here.
/// </summary>
public sealed class Packaging_Builds : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kpipe-packaging-").FullName;

    [Fact]
    public async Task The_single_file_build_runs_the_demo_end_to_end()
    {
        var output = Path.Combine(_dir, "single-file");
        await Run("dotnet", ["publish", Path.Combine(Repo, "src", "Kpipe.Cli"), "-c", "Release", "-r", "linux-x64", "--self-contained",
            "-p:PublishSingleFile=true", "-o", output, "-nologo", "-v", "q"], TimeSpan.FromMinutes(5));
        var kpipe = Path.Combine(output, "kpipe");
        Assert.True(File.Exists(kpipe), $"{kpipe} was not produced");

        var (_, version, _) = await Run(kpipe, ["--version"], TimeSpan.FromMinutes(1));
        Assert.StartsWith("0.", version.Trim(), StringComparison.Ordinal);
        // The demo starts the embedded Kafka and the Doris emulator and runs the seed's pipelines: librdkafka is
        // loaded from the single-file layout (next to the executable), the examples are found beside it.
        var (_, demo, _) = await Run(kpipe, ["demo"], TimeSpan.FromMinutes(3), workingDirectory: _dir);
        Assert.Contains("Pipeline kafka-to-kafka stopped: in=1000 written=1000", demo, StringComparison.Ordinal);
        Assert.Contains("| FD2023    | Drilling Machine 2000 |", demo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dotnet_tool_package_installs_and_validates_a_pipeline()
    {
        var packages = Path.Combine(_dir, "packages");
        await Run("dotnet", ["pack", Path.Combine(Repo, "src", "Kpipe.Cli"), "-c", "Release", "-o", packages, "-nologo", "-v", "q"], TimeSpan.FromMinutes(5));
        var package = Assert.Single(Directory.GetFiles(packages, "kpipe.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["kpipe.".Length..];
        var tools = Path.Combine(_dir, "tools");
        // A package folder of its own: the machine-wide one may hold a kpipe package of the same version from an
        // earlier build, which the install would take instead of this one. The tool package carries its dependencies.
        await Run("dotnet", ["tool", "install", "--tool-path", tools, "kpipe", "--add-source", packages, "--version", version], TimeSpan.FromMinutes(3),
            nugetPackages: Path.Combine(_dir, "nuget"));

        var (_, stdout, _) = await Run(Path.Combine(tools, "kpipe"), ["validate", Path.Combine(Repo, "examples", "kafka_list_to_doris.yaml")], TimeSpan.FromMinutes(1));
        Assert.Contains("ok: pipeline", stdout, StringComparison.Ordinal);
    }

    private static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Kpipe.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Kpipe.sln not found above the test binaries");
        }
    }

    /// <summary>Runs a command to its end; a non-zero exit fails the test with what it printed.</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> Run(string file, string[] args, TimeSpan timeout, string? workingDirectory = null, string? nugetPackages = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Repo };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (nugetPackages != null) info.Environment["NUGET_PACKAGES"] = nugetPackages;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within {timeout}");
        }
        var (o, e) = (await stdout, await stderr);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{o}\n{e}");
        return (process.ExitCode, o, e);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
