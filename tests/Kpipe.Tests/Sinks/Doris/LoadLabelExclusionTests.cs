using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>Labels of the loads per-row isolation makes (docs/errors.md, "Labels of isolated loads").</summary>
public sealed class LoadLabelExclusionTests
{
    [Fact]
    public void Leaving_rows_out_changes_the_label_and_leaving_the_same_ones_out_gives_the_same_label()
    {
        var full = LoadLabel.Create("kpipe", "p", "db", "t", "orders", 3, 1200, 1499);
        var without = LoadLabel.Create("kpipe", "p", "db", "t", "orders", 3, 1200, 1499, [1207, 1300]);

        Assert.Matches("^kpipe_p_db_t_orders_3_1200_1499_x[0-9a-f]{12}$", without);
        Assert.NotEqual(full, without);
        Assert.Equal(without, LoadLabel.Create("kpipe", "p", "db", "t", "orders", 3, 1200, 1499, [1300, 1207]));
        Assert.NotEqual(without, LoadLabel.Create("kpipe", "p", "db", "t", "orders", 3, 1200, 1499, [1207]));
        Assert.Equal(full, LoadLabel.Create("kpipe", "p", "db", "t", "orders", 3, 1200, 1499, []));
    }

    [Fact]
    public void A_long_label_keeps_the_exclusion_within_128_characters()
    {
        var label = LoadLabel.Create("kpipe", new string('p', 100), "db", "t", "orders", 3, 1200, 1499, [1207]);

        Assert.True(label.Length <= LoadLabel.MaxLength, label);
        Assert.EndsWith("_3_1200_1499" + LoadLabel.Excluding([1207]), label);
    }
}
