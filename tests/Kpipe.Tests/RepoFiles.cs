namespace Kpipe.Tests;

/// <summary>Files of the repository (examples, docs) found from the test's output folder.</summary>
internal static class RepoFiles
{
    public static string Path(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Kpipe.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return System.IO.Path.Combine(dir.FullName, relative);
    }
}
