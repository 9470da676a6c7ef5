using Kpipe.Config;

namespace Kpipe.Sinks.Doris;

/// <summary>Loads rows into an Apache Doris table through HTTP Stream Load (JSON lines), with a label per load.</summary>
[TypeName("doris")]
public sealed class DorisSinkOptions : SinkOptions, IValidatableOptions
{
    /// <summary>FE HTTP addresses, <c>host:8030</c> or <c>https://host:8443</c>. Loads go to the first
    /// reachable one and follow its redirect to a BE; several addresses give failover.</summary>
    [RequiredKey] public List<string> FeNodes { get; set; } = [];

    /// <summary>BE HTTP addresses (<c>host:8040</c>) to load into directly instead of through an FE. Optional.</summary>
    public List<string> BeNodes { get; set; } = [];

    /// <summary>Target table as <c>database.table</c> (or just <c>table</c> with <c>database</c>).</summary>
    [RequiredKey] public string Table { get; set; } = "";

    /// <summary>Database of the table when <c>table</c> does not name it.</summary>
    public string? Database { get; set; }

    /// <summary>Doris user.</summary>
    [RequiredKey] public string User { get; set; } = "";

    /// <summary>Password of the user (may be empty). Never logged; write it as <c>${DORIS_PASSWORD}</c>.</summary>
    [Secret] public string Password { get; set; } = "";

    /// <summary>Flush a partition's batch at this many rows. Default 200000.</summary>
    [ValidRange("1")] public int MaxRows { get; set; } = 200_000;

    /// <summary>Flush a partition's batch at this body size. Default 32MiB.</summary>
    // Doris refuses a Stream Load body above streaming_load_max_mb, 10240 MB by default.
    [ValidRange("1KiB", "10GiB")] public ByteSize MaxBytes { get; set; } = ByteSize.FromMiB(32);

    /// <summary>Flush a batch this long after its first row. Doris advises a load every few seconds per table
    /// rather than many per second ("too many versions"). Default 5s.</summary>
    [ValidRange("1ms")] public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most Stream Load requests running at once. Default 2.</summary>
    [ValidRange("1")] public int MaxLoadsInFlight { get; set; } = 2;

    /// <summary>Bound on the bytes of rows buffered or being loaded; writes wait above it. Default 128MiB.</summary>
    [ValidRange("1KiB")] public ByteSize MaxBufferedBytes { get; set; } = ByteSize.FromMiB(128);

    /// <summary>First part of every load label (labels also hold the pipeline, table, topic, partition and
    /// offset range, so a retried load is recognised by Doris). Default <c>kpipe</c>.</summary>
    public string LabelPrefix { get; set; } = "kpipe";

    /// <summary>Zone in which DATETIME values are written, and the Stream Load <c>timezone</c> header. Default UTC
    /// (Doris itself defaults to Asia/Shanghai).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Fraction of rows Doris may reject before the load fails (Stream Load <c>max_filter_ratio</c>). Default 0.</summary>
    [ValidRange("0", "1")] public double MaxFilterRatio { get; set; }

    /// <summary>Stream Load <c>strict_mode</c>: a value Doris cannot convert rejects the row instead of becoming NULL. Default false.</summary>
    public bool StrictMode { get; set; }

    /// <summary>Extra Stream Load headers passed as they are (<c>function_column.sequence_col</c>, <c>partial_columns</c>...).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Timeout of one Stream Load request. Default 60s.</summary>
    // Doris takes its own load timeout (the timeout header) in whole seconds.
    [ValidRange("1s")] public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a load after transient failures (5xx, connection errors, timeouts, "too many
    /// versions"), with exponential backoff and jitter, under the same label; then the pipeline stops.
    /// Default 10.</summary>
    [ValidRange("0")] public int MaxRetries { get; set; } = 10;

    /// <summary>First retry delay; doubled each time up to 60s. Default 1s.</summary>
    // Backoff caps every delay at 60s: a longer first delay would be cut to it anyway.
    [ValidRange("1ms", "60s")] public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Exactly once in every table model, Duplicate Key included: each load is a Doris two-phase-commit
    /// transaction, precommitted (invisible), recorded in the metadata of the Kafka offset commit past its records,
    /// then committed; a restarted instance, or the next owner of a partition, commits what that metadata records
    /// before reading on. Rows become visible later (up to <c>maxAge</c> plus <c>engine.commitInterval</c>), and each
    /// load costs one more request. At most one such sink per pipeline. Default false (at least once). See docs/guarantees.md.</summary>
    public bool ExactlyOnce { get; set; }

    /// <summary>Create a missing table, and add the columns the rows carry that it lacks, before they load (docs/cdc.md,
    /// "Tables that follow the source"). Needs the debezium transform's <c>columns: auto</c>, whose event schemas give the
    /// columns, their types and the key. A created table is Unique Key, merge-on-write, keyed on the Kafka key's fields,
    /// with the sequence column when the transform has a <c>sequence</c>. Default false.</summary>
    public bool CreateTable { get; set; }

    /// <summary>Extra PROPERTIES of tables made by <c>createTable</c>, such as <c>replication_num: "1"</c> on a cluster with
    /// one BE. Empty by default (Doris's defaults).</summary>
    public Dictionary<string, string> TableProperties { get; set; } = [];

    internal (string Database, string Table) QualifiedTable
    {
        get
        {
            var dot = Table.IndexOf('.');
            return dot >= 0 ? (Table[..dot], Table[(dot + 1)..]) : (Database ?? "", Table);
        }
    }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (FeNodes.Count == 0 && BeNodes.Count == 0) yield return ("feNodes", "give at least one FE address such as doris-fe:8030");
        if (QualifiedTable.Database.Length == 0) yield return ("table", "name the database: database.table, or set 'database'");
        else if (QualifiedTable.Table.Length == 0) yield return ("table", "name the table: database.table");
        foreach (var (key, nodes) in new[] { ("feNodes", FeNodes), ("beNodes", BeNodes) })
        {
            for (var i = 0; i < nodes.Count; i++)
                if (StreamLoadClient.InvalidAddress(nodes[i]) is { } reason) yield return ($"{key}[{i}]", reason);
        }
        foreach (var (name, value) in Headers)
            if (StreamLoadClient.RefusedHeader(name, value) is { } reason) yield return ($"headers.{name}", reason);
        if (TableProperties.Count > 0 && !CreateTable) yield return ("tableProperties", "only used with createTable: true");
        if (CreateTable && FeNodes.Count == 0) yield return ("createTable", "creating tables needs an FE address (feNodes): statements go to the FE");
        if (MaxBufferedBytes.Bytes < MaxBytes.Bytes) yield return ("maxBufferedBytes", "must be at least maxBytes");
        string? zoneError = null;
        try { TimeZoneInfo.FindSystemTimeZoneById(TimeZone); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { zoneError = e.Message; }
        if (zoneError != null) yield return ("timeZone", $"unknown time zone '{TimeZone}'");
    }
}
