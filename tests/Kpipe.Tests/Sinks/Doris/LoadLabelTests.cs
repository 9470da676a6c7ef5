using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

public sealed class LoadLabelTests
{
    [Fact]
    public void Plain_names_give_a_readable_label()
    {
        Assert.Equal("kpipe_pipeline_db_table_topic_3_1200_1499",
            LoadLabel.Create("kpipe", "pipeline", "db", "table", "topic", 3, 1200, 1499));
    }

    [Fact]
    public void The_same_rows_always_get_the_same_label()
    {
        Assert.Equal(LoadLabel.Create("kpipe", "p.q", "db", "order_items", "orders.v1", 0, 5, 9),
            LoadLabel.Create("kpipe", "p.q", "db", "order_items", "orders.v1", 0, 5, 9));
    }

    [Fact]
    public void Refused_characters_become_underscores_and_add_a_hash_against_collisions()
    {
        var dotted = LoadLabel.Create("kpipe", "p", "db", "t", "orders.v1", 0, 1, 2);
        var underscored = LoadLabel.Create("kpipe", "p", "db", "t", "orders_v1", 0, 1, 2);

        Assert.Matches("^kpipe_p_db_t_orders_v1_[0-9a-f]{12}_0_1_2$", dotted);
        Assert.Matches("^kpipe_p_db_t_orders_v1_[0-9a-f]{12}_0_1_2$", underscored);
        Assert.NotEqual(dotted, underscored);
        // "a_b" + "c" and "a" + "b_c" would read the same without the hash.
        Assert.NotEqual(LoadLabel.Create("kpipe", "a_b", "db", "c", "t", 0, 1, 2), LoadLabel.Create("kpipe", "a", "db", "b_c", "t", 0, 1, 2));
    }

    [Fact]
    public void Labels_use_only_the_characters_doris_accepts()
    {
        var label = LoadLabel.Create("kpipe/ü", "pipe line", "db", "tä ble", "topic#1", 7, 0, 0);
        Assert.Matches("^[-_A-Za-z0-9:]{1,128}$", label);
    }

    [Fact]
    public void Long_labels_keep_a_readable_start_a_hash_and_the_offsets()
    {
        var longTopic = new string('t', 200);
        var a = LoadLabel.Create("kpipe", "pipeline", "db", "table", longTopic, 12, 9_000_000_000, 9_000_000_999);
        var b = LoadLabel.Create("kpipe", "pipeline", "db", "table", longTopic + "x", 12, 9_000_000_000, 9_000_000_999);

        Assert.Equal(LoadLabel.MaxLength, a.Length);
        Assert.StartsWith("kpipe_pipeline_db_table_ttt", a);
        Assert.EndsWith("_12_9000000000_9000000999", a);
        Assert.Matches("^[-_A-Za-z0-9:]{1,128}$", a);
        Assert.NotEqual(a, b);
    }
}
