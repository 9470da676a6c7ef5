using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kpipe.Sinks.Doris;

/// <summary>
/// Builds the Stream Load label of a load: the idempotency key Doris remembers for
/// <c>streaming_label_keep_max_second</c> (12 hours by default). It is derived only from what the load holds
/// (prefix, pipeline, database, table, topic, partition and first-last offset), so a retry of the same rows,
/// in this process or after a restart that cuts the load at the same offsets, reuses the label and Doris
/// answers "Label Already Exists" instead of loading the rows twice.
/// </summary>
internal static class LoadLabel
{
    /// <summary>fe: FeNameFormat.LABEL_REGEX <c>^[-_A-Za-z0-9:]{1,128}$</c> (Config.label_regex_length = 128).</summary>
    public const int MaxLength = 128;

    private const int HashLength = 12;

    /// <summary>
    /// <c>prefix_pipeline_db_table_topic_partition_first_last</c>, e.g. <c>kpipe_p_shop_orders_orders_3_1200_1499</c>.
    /// Characters Doris refuses become <c>_</c>. When a name holds anything but letters, digits and <c>-</c>
    /// (an <c>_</c> that could be confused with the separator, or a replaced character such as the <c>.</c> of
    /// a topic), a hash of the exact names is added before the partition, so that two different sources can never
    /// produce the same label (a label collision would make Doris skip a load as "already loaded"). A label
    /// longer than 128 characters keeps a readable beginning, the hash and the partition and offsets.
    /// </summary>
    /// <param name="prefix">The sink's labelPrefix.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="database">The target database.</param>
    /// <param name="table">The target table.</param>
    /// <param name="topic">The source topic.</param>
    /// <param name="partition">The source partition.</param>
    /// <param name="firstOffset">The first record's offset.</param>
    /// <param name="lastOffset">The last record's offset.</param>
    /// <param name="excluded">Offsets of records within first..last whose rows the load leaves out (rows Doris
    /// rejected, see <see cref="Excluding"/>); null or empty for a load of every record in the range.</param>
    public static string Create(string prefix, string pipeline, string database, string table, string topic,
        int partition, long firstOffset, long lastOffset, IReadOnlyCollection<long>? excluded = null)
    {
        string[] names = [prefix, pipeline, database, table, topic];
        var head = new StringBuilder(64);
        var plain = true;
        foreach (var name in names)
        {
            if (head.Length > 0) head.Append('_');
            if (name.Length == 0) plain = false;
            foreach (var c in name)
            {
                if (char.IsAsciiLetterOrDigit(c) || c == '-')
                    head.Append(c);
                else
                {
                    plain = false;
                    head.Append(c == ':' ? ':' : '_');
                }
            }
        }
        var tail = string.Create(CultureInfo.InvariantCulture, $"{partition}_{firstOffset}_{lastOffset}") + Excluding(excluded);
        if (plain && head.Length + 1 + tail.Length <= MaxLength)
            return $"{head}_{tail}";

        var hash = Hash(names);
        var room = MaxLength - tail.Length - HashLength - 2;
        var readable = head.Length <= room ? head.ToString() : head.ToString(0, Math.Max(room, 0));
        return $"{readable}_{hash}_{tail}";
    }

    /// <summary>
    /// The suffix of a load that leaves rows out: <c>_x</c> and a hash of the left-out offsets, in order. A label
    /// must name exactly the rows its load holds, or Doris's "Label Already Exists" would stand for rows that were
    /// never loaded: first-last alone names every record of the range, so a load without some of them needs a
    /// label of its own, and the same one whenever the same records are left out (a retry, a restart).
    /// </summary>
    internal static string Excluding(IReadOnlyCollection<long>? excluded)
    {
        if (excluded == null || excluded.Count == 0) return "";
        var text = string.Join(",", excluded.Order().Select(o => o.ToString(CultureInfo.InvariantCulture)));
        return "_x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength];
    }

    private static string Hash(string[] names)
    {
        // Length-prefixed, so ("a_b", "c") and ("a", "b_c") differ.
        var text = new StringBuilder();
        foreach (var name in names) text.Append(name.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(name);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(digest)[..HashLength];
    }
}
