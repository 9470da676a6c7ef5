using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>Routes the BE's HTTP port: stream loads, 2PC, the error log and the health check.</summary>
internal sealed class BeEndpoint(DorisCluster cluster)
{
    private readonly BeLoadEndpoint _loads = new(cluster);
    private readonly BeTwoPhaseCommitEndpoint _twoPhase = new(cluster);

    public Task HandleAsync(HttpContext ctx)
    {
        var segments = FeEndpoint.PathSegments(ctx.Request.Path);
        var method = ctx.Request.Method;
        switch (segments)
        {
            case ["api", "_load_error_log"] when HttpMethods.IsGet(method):
                return cluster.ErrorLogs.HandleAsync(ctx);
            case ["api", "health"] when HttpMethods.IsGet(method):
                return FeEndpoint.WriteJsonAsync(ctx, new { status = "OK", msg = "To Be Added" });
            case ["api", var db, var table, "_stream_load"]:
                return HttpMethods.IsPut(method) ? _loads.HandleAsync(ctx, db, table) : MethodNotAllowed(ctx);
            case ["api", var db, "_stream_load_2pc"]:
                return HttpMethods.IsPut(method) ? _twoPhase.HandleAsync(ctx, db) : MethodNotAllowed(ctx);
            case ["api", var db, _, "_stream_load_2pc"]:
                return HttpMethods.IsPut(method) ? _twoPhase.HandleAsync(ctx, db) : MethodNotAllowed(ctx);
            default:
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    private static Task MethodNotAllowed(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }
}
