using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>
/// The FE's HTTP port as a Stream Load client meets it (fe/fe-core/.../httpv2/rest/LoadAction.java):
/// it checks the credentials, then the Expect header, and answers 307 with a Location on the BE that embeds
/// the credentials. It never reads the body. Errors are HTTP 200 with a JSON body: wrong credentials give
/// {"msg":"Unauthorized","code":401,"data":...,"count":0} (RestApiExceptionHandler / ResponseEntityBuilder),
/// other refusals {"status":"FAILED","msg":...} (RestBaseResult).
/// </summary>
internal sealed class FeEndpoint(DorisCluster cluster)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly SqlEndpoint _sql = new(cluster);

    public Task HandleAsync(HttpContext ctx)
    {
        var segments = PathSegments(ctx.Request.Path);
        var method = ctx.Request.Method;
        if (segments is ["api", _, _, "_stream_load"])
            return HttpMethods.IsPut(method) ? StreamLoadAsync(ctx) : MethodNotAllowed(ctx);
        if (segments is ["api", _, "_stream_load_2pc"] or ["api", _, _, "_stream_load_2pc"])
            return HttpMethods.IsPut(method) ? TwoPhaseCommitAsync(ctx) : MethodNotAllowed(ctx);
        if (segments is ["api", "query", _, var database])
        {
            if (!HttpMethods.IsPost(method)) return MethodNotAllowed(ctx);
            return CheckPassword(ctx, out var refusal) ? _sql.HandleAsync(ctx, database) : refusal;
        }
        if (segments is ["api", "backends"] && HttpMethods.IsGet(method))
            return BackendsAsync(ctx);
        if (segments is ["api", "health"] && HttpMethods.IsGet(method))
            return WriteJsonAsync(ctx, new { msg = "success", code = 0, data = new { online_backend_num = 1, total_backend_num = 1 }, count = 0 });

        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        return WriteJsonAsync(ctx, new { msg = "Not Found", code = 404, data = $"No handler for {method} {ctx.Request.Path}", count = 0 });
    }

    internal static string[] PathSegments(PathString path) =>
        (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);

    private Task StreamLoadAsync(HttpContext ctx)
    {
        if (!CheckPassword(ctx, out var refusal))
            return refusal;

        // LoadAction.executeWithoutPassword: "A 'Load' request must have 100-continue header".
        if (!ctx.Request.Headers.ContainsKey("Expect"))
            return WriteJsonAsync(ctx, new { status = "FAILED", msg = "There is no 100-continue header" });

        return RedirectToBackendAsync(ctx);
    }

    private Task TwoPhaseCommitAsync(HttpContext ctx)
    {
        if (!CheckPassword(ctx, out var refusal))
            return refusal;

        // LoadAction.executeStreamLoad2PC checks the headers, then redirects to a BE like a load.
        var headers = ctx.Request.Headers;
        if (string.IsNullOrEmpty(headers["txn_id"]) && string.IsNullOrEmpty(headers["label"]))
            return WriteJsonAsync(ctx, new { status = "FAILED", msg = "No transaction id or label selected." });
        if (string.IsNullOrEmpty(headers["txn_operation"]))
            return WriteJsonAsync(ctx, new { status = "FAILED", msg = "No transaction operation('commit' or 'abort') selected." });
        return RedirectToBackendAsync(ctx);
    }

    private bool CheckPassword(HttpContext ctx, out Task refusal)
    {
        // BaseController.getAuthorizationInfo / checkPassword.
        var auth = BasicAuth.Parse(ctx.Request);
        string? problem = auth switch
        {
            null => "Need auth information.",
            { } a when !a.Matches(cluster.Options) => $"Access denied for {a.User}@{ctx.Connection.RemoteIpAddress}",
            _ => null,
        };
        refusal = problem is null
            ? Task.CompletedTask
            : WriteJsonAsync(ctx, new { msg = "Unauthorized", code = 401, data = problem, count = 0 });
        return problem is null;
    }

    private Task RedirectToBackendAsync(HttpContext ctx)
    {
        // RestBaseController.redirectTo: http://user:password@be_host:be_http_port/<same path>?<query>,
        // 307 Temporary Redirect so the client repeats the PUT with its body.
        var options = cluster.Options;
        var userInfo = $"{Uri.EscapeDataString(options.User)}:{Uri.EscapeDataString(options.Password)}";
        var query = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value![1..] : "";
        var location = $"http://{userInfo}@127.0.0.1:{cluster.BePort}{ctx.Request.Path.ToUriComponent()}?{query}";
        ctx.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        ctx.Response.Headers.Location = location;
        ctx.Response.ContentType = "text/html;charset=utf-8";
        return Task.CompletedTask;
    }

    private Task BackendsAsync(HttpContext ctx)
    {
        // /api/backends (fe: BackendsAction), which connectors use to find BEs to load into directly.
        if (!CheckPassword(ctx, out var refusal))
            return refusal;
        return WriteJsonAsync(ctx, new
        {
            msg = "success",
            code = 0,
            data = new { backends = new[] { new { ip = "127.0.0.1", http_port = cluster.BePort, is_alive = true } } },
            count = 0,
        });
    }

    private static Task MethodNotAllowed(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }

    internal static Task WriteJsonAsync(HttpContext ctx, object body)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
