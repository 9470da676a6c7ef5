namespace Kpipe.Cli.Operations;

/// <summary>The status page: one HTML file with its script and styles inline (no CDN, no other request than
/// <c>status.json</c>), embedded in the assembly so that it works offline and ships with the binary.</summary>
internal static class StatusPage
{
    public static readonly byte[] Html = Load();

    private static byte[] Load()
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("Kpipe.Cli.Operations.status.html")
            ?? throw new InvalidOperationException("the status page is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
