using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kpipe.TestKit.Doris;

namespace Kpipe.Tests.TestKit.Doris;

/// <summary>The FE's SQL endpoint, <c>POST /api/query/default_cluster/{db}</c> with <c>{"stmt": ...}</c>: CREATE TABLE,
/// ALTER TABLE ... ADD COLUMN and DESC, answered as Doris's StmtExecutionAction answers.</summary>
public sealed class DorisSqlEndpointTests
{
    private static async Task<JsonElement> Run(DorisEmulator doris, string stmt, string password = "secret")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{doris.FeUrl}/api/query/default_cluster/shop")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { stmt }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"root:{password}")));
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static Task<DorisEmulator> Start() => DorisEmulator.StartAsync(new DorisEmulatorOptions { User = "root", Password = "secret" });

    [Fact]
    public async Task Create_table_then_add_column_then_desc_show_the_new_column_and_old_rows_read_it_as_null()
    {
        await using var doris = await Start();
        var created = await Run(doris, """
            CREATE TABLE IF NOT EXISTS `shop`.`orders` (`id` INT NOT NULL, `amount` DECIMAL(10,2) NULL)
            UNIQUE KEY(`id`) DISTRIBUTED BY HASH(`id`) BUCKETS AUTO
            PROPERTIES ("enable_unique_key_merge_on_write" = "true")
            """);
        Assert.Equal(0, created.GetProperty("code").GetInt32());
        Assert.Equal("exec_status", created.GetProperty("data").GetProperty("type").GetString());
        using var client = new StreamLoadTestClient(doris);
        var load = await client.LoadAsync("shop", "orders", """{"id":1,"amount":"2.50"}""" + "\n", ("format", "json"), ("read_json_by_line", "true"));
        Assert.Equal("Success", load.Str("Status"));

        var added = await Run(doris, "ALTER TABLE `shop`.`orders` ADD COLUMN `note` STRING NULL");
        Assert.Equal(0, added.GetProperty("code").GetInt32());

        var desc = await Run(doris, "DESC `orders`");
        var data = desc.GetProperty("data");
        Assert.Equal("result_set", data.GetProperty("type").GetString());
        Assert.Equal(["Field", "Type", "Null", "Key", "Default", "Extra"], data.GetProperty("meta").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(["id int No true", "amount decimal(10,2) Yes false", "note string Yes false"],
            data.GetProperty("data").EnumerateArray().Select(r => string.Join(" ", r.EnumerateArray().Take(4).Select(v => v.GetString()))));
        var row = Assert.Single(doris.Rows("shop", "orders"));
        Assert.Null(row["note"]);
        Assert.Equal(3, doris.Statements.Count);
    }

    [Fact]
    public async Task Modify_column_widens_a_value_column_converting_its_rows_and_lists_a_finished_job()
    {
        await using var doris = await Start();
        await Run(doris, "CREATE TABLE `shop`.`t` (`id` INT NOT NULL, `qty` INT NULL) UNIQUE KEY(`id`)");
        using var client = new StreamLoadTestClient(doris);
        Assert.Equal("Success", (await client.LoadAsync("shop", "t", """{"id":1,"qty":7}""" + "\n", ("format", "json"), ("read_json_by_line", "true"))).Str("Status"));

        Assert.Equal(0, (await Run(doris, "ALTER TABLE `shop`.`t` MODIFY COLUMN `qty` BIGINT NULL")).GetProperty("code").GetInt32());
        Assert.Equal(7L, Assert.Single(doris.Rows("shop", "t"))["qty"]);
        var jobs = (await Run(doris, "SHOW ALTER TABLE COLUMN FROM `shop` WHERE TableName = \"t\" ORDER BY CreateTime DESC LIMIT 1")).GetProperty("data");
        Assert.Equal("State", jobs.GetProperty("meta")[9].GetProperty("name").GetString());
        var job = Assert.Single(jobs.GetProperty("data").EnumerateArray().ToList());
        Assert.Equal(("t", "FINISHED"), (job[1].GetString(), job[9].GetString()));

        // Narrowing and key columns are refused, and nothing changes.
        var narrowed = await Run(doris, "ALTER TABLE `shop`.`t` MODIFY COLUMN `qty` INT NULL");
        Assert.Equal((1, "errCode = 2, detailMessage = Can not change BIGINT to INT"), (narrowed.GetProperty("code").GetInt32(), narrowed.GetProperty("data").GetString()));
        Assert.Equal(1, (await Run(doris, "ALTER TABLE `shop`.`t` MODIFY COLUMN `id` BIGINT NOT NULL")).GetProperty("code").GetInt32());
        Assert.Equal(["id INT", "qty BIGINT"], doris.FindTable("shop", "t")!.Columns.Select(c => $"{c.Name} {c.Type}"));
    }

    [Fact]
    public async Task A_failing_statement_answers_code_1_with_the_reason()
    {
        await using var doris = await Start();
        var unknown = await Run(doris, "DESC `shop`.`missing`");
        Assert.Equal(1, unknown.GetProperty("code").GetInt32());
        Assert.Equal("errCode = 2, detailMessage = Unknown table 'missing' in shop", unknown.GetProperty("data").GetString());

        doris.CreateTable("CREATE TABLE shop.t (id INT NOT NULL, v INT) UNIQUE KEY(id)");
        var twice = await Run(doris, "ALTER TABLE shop.t ADD COLUMN v BIGINT");
        Assert.Equal("errCode = 2, detailMessage = Can not add column which already exists in base table: v", twice.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_as_the_FE_refuses_them()
    {
        await using var doris = await Start();
        var refused = await Run(doris, "DESC shop.t", password: "wrong");
        Assert.Equal(401, refused.GetProperty("code").GetInt32());
        Assert.Equal("Unauthorized", refused.GetProperty("msg").GetString());
        Assert.Empty(doris.Statements);
    }
}
