using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The rejected-row reports behind ErrorURL. Doris writes them to a file on the BE and serves it at
/// /api/_load_error_log?file=__shard_N/error_log_insert_stmt_... (be: LoadErrorLogAction, to_load_error_http_path);
/// the emulator keeps them in memory and serves them the same way from the BE port.
/// </summary>
internal sealed class ErrorLogStore
{
    public const string Path = "/api/_load_error_log";

    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _files = new();

    public string Save(IReadOnlyList<string> lines, int bePort)
    {
        var id = Guid.NewGuid().ToString("N");
        var file = $"__shard_{_files.Count % 64}/error_log_insert_stmt_{id[..16]}-{id[16..]}_{id[..16]}_{id[16..]}";
        _files[file] = [.. lines];
        return $"http://127.0.0.1:{bePort}{Path}?file={file}";
    }

    public IReadOnlyList<string>? Lines(string file) => _files.GetValueOrDefault(file);

    public async Task HandleAsync(HttpContext ctx)
    {
        var file = ctx.Request.Query["file"].ToString();
        var lines = Lines(file);
        if (lines is null)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            await ctx.Response.WriteAsync($"error log file not found: {file}\n").ConfigureAwait(false);
            return;
        }

        ctx.Response.ContentType = "text/plain; charset=utf-8";
        var sb = new StringBuilder();
        foreach (var line in lines)
            sb.Append(line).Append('\n');
        await ctx.Response.WriteAsync(sb.ToString()).ConfigureAwait(false);
    }
}
