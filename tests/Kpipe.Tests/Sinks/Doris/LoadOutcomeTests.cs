using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class LoadOutcomeTests
{
    private static LoadOutcome Classify(string body, int status = 200) => LoadOutcome.Classify(new StreamLoadAttempt(status, body, null));

    [Theory]
    [InlineData("""{"Status":"Success","Message":"OK","NumberLoadedRows":3}""", "Committed")]
    [InlineData("""{"Status":"Publish Timeout","Message":"[PUBLISH_TIMEOUT]transaction commit successfully, BUT data will be visible later"}""", "Committed")]
    [InlineData("""{"Status":"Label Already Exists","ExistingJobStatus":"FINISHED","Message":"..."}""", "AlreadyCommitted")]
    [InlineData("""{"Status":"Label Already Exists","ExistingJobStatus":"RUNNING"}""", "Transient")]
    [InlineData("""{"Status":"Label Already Exists","ExistingJobStatus":"PRECOMMITTED"}""", "Transient")]
    [InlineData("""{"Status":"Fail","Message":"[DATA_QUALITY_ERROR]too many filtered rows","NumberFilteredRows":1,"ErrorURL":"http://be/api/_load_error_log?file=x"}""", "DataError")]
    [InlineData("""{"Status":"Fail","Message":"too many filtered rows"}""", "DataError")]
    [InlineData("""{"Status":"Fail","Message":"something","NumberFilteredRows":"2"}""", "DataError")]
    [InlineData("""{"Status":"Fail","Message":"[E-235]too many versions"}""", "Transient")]
    [InlineData("""{"Status":"Fail","Message":"[TIMEOUT]timeout"}""", "Transient")]
    [InlineData("""{"Status":"Fail","Message":"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = Access denied for root@10.0.0.1"}""", "Unauthorized")]
    [InlineData("""{"Status":"Fail","Message":"[INTERNAL_ERROR]no valid Basic authorization"}""", "Unauthorized")]
    [InlineData("""{"Status":"Fail","Message":"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = unknown table, tableName=nosuch"}""", "NoSuchTable")]
    [InlineData("""{"Status":"Fail","Message":"[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = unknown database, database=nodb"}""", "NoSuchTable")]
    [InlineData("""{"msg":"Unauthorized","code":401,"data":"Access denied for root@127.0.0.1","count":0}""", "Unauthorized")]
    [InlineData("""{"status":"FAILED","msg":"There is no 100-continue header"}""", "Transient")]
    [InlineData("""{"status":"FAILED","msg":"Access denied for user"}""", "Unauthorized")]
    [InlineData("""{"msg":"Not Found","code":404}""", "Transient")]
    [InlineData("not json at all", "Transient")]
    [InlineData("", "Transient")]
    public void Bodies_decide_not_http_statuses(string body, string expected) =>
        Assert.Equal(expected, Classify(body).Kind.ToString());

    [Fact]
    public void Http_auth_errors_and_server_errors()
    {
        Assert.Equal(LoadOutcomeKind.Unauthorized, Classify("", 401).Kind);
        Assert.Equal(LoadOutcomeKind.Unauthorized, Classify("<html>forbidden</html>", 403).Kind);
        var server = Classify("Injected fault: HTTP 503", 503);
        Assert.Equal(LoadOutcomeKind.Transient, server.Kind);
        Assert.Contains("HTTP 503", server.Reason);
    }

    [Fact]
    public void Transport_errors_are_transient()
    {
        var outcome = LoadOutcome.Classify(StreamLoadAttempt.Failed("Connection refused"));
        Assert.Equal(LoadOutcomeKind.Transient, outcome.Kind);
        Assert.Equal("Connection refused", outcome.Reason);
    }

    [Fact]
    public void Responses_are_read_leniently()
    {
        var r = StreamLoadResponse.Parse("""
            {
                "TxnId": 1003, "Label": "l", "TwoPhaseCommit": "false", "GroupCommit": false,
                "Status": "Fail", "Message": "[DATA_QUALITY_ERROR]too many filtered rows",
                "NumberTotalRows": "10", "NumberLoadedRows": 9, "NumberFilteredRows": 1.0, "LoadTimeMs": 12,
                "ErrorURL": "http://127.0.0.1:8040/api/_load_error_log?file=a", "Unknown": {"x": [1]},
            }
            """)!;
        Assert.Equal(1003, r.TxnId);
        Assert.Equal(10, r.NumberTotalRows);
        Assert.Equal(1, r.NumberFilteredRows);
        Assert.Equal("http://127.0.0.1:8040/api/_load_error_log?file=a", r.ErrorUrl);
        Assert.Null(StreamLoadResponse.Parse("[1,2]"));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_a_minute()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 100; i++)
        {
            var first = backoff.Delay(1);
            Assert.InRange(first.TotalMilliseconds, 750, 1250);
            Assert.InRange(backoff.Delay(3).TotalMilliseconds, 3000, 5000);
            Assert.InRange(backoff.Delay(40).TotalMilliseconds, 45_000, 60_000);
        }
    }
}
