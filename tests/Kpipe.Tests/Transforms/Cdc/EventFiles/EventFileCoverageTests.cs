namespace Kpipe.Tests.Transforms.Cdc.EventFiles;

/// <summary>Every file of tests/data/debezium-events is read by a test in this folder.</summary>
public sealed class EventFileCoverageTests
{
    [Fact]
    public void Every_event_file_has_a_test()
    {
        var tests = string.Concat(Directory.GetFiles(RepoFiles.Path("tests/Kpipe.Tests/Transforms/Cdc/EventFiles"), "*.cs").Select(File.ReadAllText));
        var files = Directory.GetFiles(RepoFiles.Path(EventFile.Folder), "*.jsonl").Select(Path.GetFileName).ToList();
        Assert.NotEmpty(files);
        var untested = files.Where(f => !tests.Contains($"\"{f}\"")).ToList();
        Assert.True(untested.Count == 0, "no test reads " + string.Join(", ", untested));
    }
}
