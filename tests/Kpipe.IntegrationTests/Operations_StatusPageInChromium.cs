using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Kpipe.Cli;
using Kpipe.TestKit.Kafka;

namespace Kpipe.IntegrationTests;

/// <summary>Runs only where a Chromium is installed (.ci/run installs Debian's); elsewhere the test is reported
/// as skipped with the reason, never as passed.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Operations_StatusPageInChromium.Chromium == null)
            Skip = "no chromium on PATH (apt-get install chromium; .ci/run installs it), nor KPIPE_TEST_CHROMIUM";
    }
}

/// <summary>
/// The status page in a real browser: a pipeline runs with --http, and once it has processed every record, a
/// headless Chromium loads the page, runs its script (which reads status.json) and hands back the DOM. What the
/// page shows (the pipeline's name, its counts, a row per partition with its counts and lag, the rejected
/// records' error lines) must equal what was processed.
/// </summary>
public sealed class Operations_StatusPageInChromium
{
    private const int Good = 600;
    private const int Bad = 3;

    internal static string? Chromium { get; } = FindChromium();

    [ChromiumFact]
    public async Task The_page_shows_the_pipeline_its_counts_and_each_partitions_lag_as_processed()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("in", 3);
        kafka.CreateTopic("out", 3);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", PipelineHarness.Numbered(Good));
        // Bad records: n is no number, so the select transform rejects them and errors.policy skip drops them.
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, "in", Enumerable.Range(0, Bad).Select(i =>
            new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"bad{i}"), Value = Encoding.UTF8.GetBytes($"{{\"n\":\"x{i}\"}}") }));
        var produced = KafkaTestClient.GetWatermarks(kafka.BootstrapServers, "in");
        var file = Path.Combine(Path.GetTempPath(), $"kpipe-status-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            name: status-page
            source:
              bootstrapServers: {kafka.BootstrapServers}
              topics: [in]
            transforms:
              - type: select
                columns:
                  - name: n
                    type: long
            sinks:
              - type: kafka
                bootstrapServers: {kafka.BootstrapServers}
                topic: out
            errors:
              policy: skip
            engine:
              commitInterval: 100ms
            """);
        var port = OperationsEndpoint.FreePort();
        var url = $"http://127.0.0.1:{port}/";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var kpipe = KpipeProcess.Start("run", file, "--http", $"127.0.0.1:{port}");
            // Done when every record has an outcome and every partition's lag is known to be 0 (the lag comes
            // from librdkafka's statistics, after the last commit).
            await OperationsEndpoint.WaitUntil(async () =>
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(await http.GetStringAsync(url + "status.json"));
                        var p = doc.RootElement.GetProperty("pipelines").EnumerateArray().SingleOrDefault();
                        return p.ValueKind == JsonValueKind.Object
                            && p.GetProperty("written").GetInt64() == Good && p.GetProperty("skipped").GetInt64() == Bad
                            && p.GetProperty("partitions").GetArrayLength() == 3
                            && p.GetProperty("partitions").EnumerateArray().All(q => q.GetProperty("lag").ValueKind == JsonValueKind.Number && q.GetProperty("lag").GetInt64() == 0);
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(60), async () => $"status.json never showed every record processed and lag 0:\n{await TryGet(http, url + "status.json")}\nstderr:\n{kpipe.Stderr}");

            var dom = await DumpDomAsync(url);

            var section = Regex.Match(dom, "<section class=\"pipeline\" data-pipeline=\"status-page\">(.*?)</section>", RegexOptions.Singleline);
            Assert.True(section.Success, $"no section for the pipeline in the page:\n{dom}");
            var page = section.Groups[1].Value;
            Assert.Contains("<span class=\"name\">status-page</span>", page);
            var counts = Regex.Match(page, "<table class=\"counts\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
            Assert.Equal((Good + Bad).ToString(), Cell(counts, "in"));
            Assert.Equal(Good.ToString(), Cell(counts, "written"));
            Assert.Equal(Bad.ToString(), Cell(counts, "skipped"));
            Assert.Equal("0", Cell(counts, "deadLettered"));
            Assert.Equal("0", Cell(counts, "lag"));

            var rows = Regex.Matches(page, "<tr class=\"partition\" data-topic=\"in\" data-partition=\"(\\d+)\">(.*?)</tr>", RegexOptions.Singleline)
                .ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Value);
            Assert.Equal(produced.Keys.Order(), rows.Keys.Order());
            foreach (var (partition, (low, high)) in produced)
            {
                var row = rows[partition];
                var handled = long.Parse(Cell(row, "written")) + long.Parse(Cell(row, "skipped"));
                Assert.Equal((high - low).ToString(), Cell(row, "in"));
                Assert.Equal(high - low, handled);
                Assert.Equal("0", Cell(row, "lag"));
            }
            Assert.Equal((long)Good, rows.Values.Sum(r => long.Parse(Cell(r, "written"))));

            // Each rejected record's log line, with its time.
            var errors = Regex.Matches(page, "<li data-level=\"Warning\"><time datetime=\"[^\"]+\">\\d\\d:\\d\\d:\\d\\dZ</time>Warning Pipeline status-page: skipped record in\\[\\d\\]@\\d+ \\(transforms\\[0\\]\\.select\\)");
            Assert.Equal(Bad, errors.Count);
            // The rate chart drew both series.
            Assert.Contains("data-series=\"in\"", page);
            Assert.Contains("data-series=\"written\"", page);

            kpipe.Terminate();
            Assert.Equal(ExitCodes.Ok, await kpipe.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The text of the cell whose data-field is <paramref name="field"/>.</summary>
    private static string Cell(string html, string field)
    {
        var m = Regex.Match(html, $"<td data-field=\"{field}\">([^<]*)</td>");
        Assert.True(m.Success, $"no {field} cell in:\n{html}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    /// <summary>Chromium's DOM of the page after its scripts ran: --virtual-time-budget lets the page's timers and
    /// its fetch of status.json complete before --dump-dom prints.</summary>
    private static async Task<string> DumpDomAsync(string url)
    {
        var profile = Directory.CreateTempSubdirectory("kpipe-chromium-");
        try
        {
            var info = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", $"--user-data-dir={profile.FullName}",
                "--virtual-time-budget=3000", "--dump-dom", url })
                info.ArgumentList.Add(a);
            using var chromium = Process.Start(info)!;
            var stdout = chromium.StandardOutput.ReadToEndAsync();
            var stderr = chromium.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await chromium.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not print the page within 90 s; stderr:\n{await stderr}");
            }
            var dom = await stdout;
            Assert.True(dom.Contains("data-loaded=\"true\"", StringComparison.Ordinal), $"the page never rendered status.json; DOM:\n{dom}\nchromium stderr:\n{await stderr}");
            return dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static async Task<string> TryGet(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(url);
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("KPIPE_TEST_CHROMIUM") is { Length: > 0 } given) return given;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }
}
