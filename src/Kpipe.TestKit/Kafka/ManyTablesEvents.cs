using System.Text;
using Confluent.Kafka;

namespace Kpipe.TestKit.Kafka;

/// <summary>
/// Debezium change events of many source tables in one topic, as a MySQL connector routed to one topic
/// (Debezium's topic routing SMT) writes them with the JSON converter's schemas: table <c>t0001</c> ... each with
/// <c>id</c> (INT32, the primary key and the Kafka key), <c>name</c> (STRING) and <c>qty</c> (INT64). Row <c>r</c>
/// of table <c>t</c> is <c>id = r</c>, <c>name = "t{t}-r{r}"</c>, <c>qty = t * 1000 + r</c>, so a reader can check
/// every value without keeping the events. Tables interleave (row 1 of every table, then row 2...), as many
/// busy tables do in a real binlog. Used by the many-tables test and the bench's memory run.
/// </summary>
public static class ManyTablesEvents
{
    /// <summary>The source table name of table number <paramref name="table"/> (1-based).</summary>
    public static string TableName(int table) => $"t{table:D4}";

    /// <summary>The values row <paramref name="row"/> of table <paramref name="table"/> carries.</summary>
    public static (int Id, string Name, long Qty) Row(int table, int row) => (row, $"t{table}-r{row}", table * 1000L + row);

    /// <summary><paramref name="rows"/> create events for each of <paramref name="tables"/> tables.</summary>
    public static IEnumerable<Message<byte[]?, byte[]?>> Create(int tables, int rows)
    {
        const string Schema = """{"type":"struct","optional":false,"name":"mysql.Envelope","fields":[{"type":"struct","optional":true,"name":"mysql.Value","field":"after","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"field":"qty"}]},{"type":"struct","optional":false,"name":"io.debezium.connector.mysql.Source","field":"source","fields":[{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"table"}]},{"type":"string","optional":false,"field":"op"}]}""";
        for (var r = 1; r <= rows; r++)
        {
            for (var t = 1; t <= tables; t++)
            {
                var (id, name, qty) = Row(t, r);
                var value = $$$"""{"schema":{{{Schema}}},"payload":{"before":null,"after":{"id":{{{id}}},"name":"{{{name}}}","qty":{{{qty}}}},"source":{"db":"shop","table":"{{{TableName(t)}}}"},"op":"c"}}""";
                yield return new Message<byte[]?, byte[]?>
                {
                    Key = Encoding.UTF8.GetBytes($$"""{"id":{{id}}}"""),
                    Value = Encoding.UTF8.GetBytes(value),
                };
            }
        }
    }
}
