namespace Kpipe.Benchmarks.Compare;

/// <summary>What <c>compare</c> runs; the smoke test shrinks it.</summary>
public sealed class CompareOptions
{
    /// <summary>Messages preloaded for each work item (a), (b) and (c).</summary>
    public int Messages { get; set; } = 300_000;

    /// <summary>Where report.md, ratios.png and the adapted pipeline files go.</summary>
    public string OutDir { get; set; } = Path.Combine("artifacts", "bench");

    /// <summary>kpipe.dll to run; null: src/Kpipe.Cli/bin/Release/net10.0/kpipe.dll, built first when missing.</summary>
    public string? KpipeDll { get; set; }

    /// <summary>The repository root (examples/, /work/shared-independent seed copies in examples/seed, bench/baselines).</summary>
    public string? RepoRoot { get; set; }

    /// <summary>Work items to run, of "a" (Kafka -> Kafka), "b" (seed 3 -> Doris), "c" (CDC -> Doris); all by default.</summary>
    public string Items { get; set; } = "abc";

    /// <summary>The pipeline file of work item (a) (<c>--a-pipeline FILE</c>); null: examples/kafka_to_kafka.yaml. For
    /// variants such as bench/variants/kafka_to_kafka.exactly-once.yaml; its addresses come from the same environment.</summary>
    public string? KafkaToKafkaPipeline { get; set; }

    /// <summary>(d): produce at this rate for <see cref="LatencySeconds"/> and measure end-to-end latency.</summary>
    public bool Latency { get; set; } = true;

    public int LatencyRate { get; set; } = 10_000;

    public int LatencySeconds { get; set; } = 10;

    /// <summary>(e) and idle: start-up time and the CPU of a pipeline with nothing to do.</summary>
    public bool StartupAndIdle { get; set; } = true;

    /// <summary>How long the idle CPU is measured over: process CPU comes in 10 ms ticks, so 20 s resolve 0.05%.</summary>
    public TimeSpan IdleWindow { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long after the last start-up record the idle window begins.</summary>
    public TimeSpan IdleSettle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for any one condition (a sink count, a log line, an exit).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Holds every Stream Load answer this long (<c>--doris-delay MS</c>): peak memory while Doris is slow.</summary>
    public TimeSpan DorisDelay { get; set; }

    /// <summary>Runs kcat and the Python scripts beside kpipe; off (<c>--kpipe-only</c>) for quick iterations on kpipe alone.</summary>
    public bool Baselines { get; set; } = true;

    /// <summary>Environment variables for kpipe's process only (<c>--kpipe-env DOTNET_TieredPGO=0</c>): runtime
    /// settings tried on kpipe without touching the bench process or the baselines.</summary>
    public Dictionary<string, string> KpipeEnvironment { get; } = new(StringComparer.Ordinal);

    public string Python { get; set; } = "/usr/bin/python3";

    public string Kcat { get; set; } = "kcat";

    /// <summary>Progress lines; the console by default.</summary>
    public Action<string> Log { get; set; } = Console.WriteLine;
}
