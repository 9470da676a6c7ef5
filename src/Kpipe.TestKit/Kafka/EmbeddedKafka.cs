using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Kpipe.TestKit.Kafka;

/// <summary>
/// Kafka protocol request numbers (ApiKey) for <see cref="EmbeddedKafka.PushRequestErrors"/>.
/// </summary>
public static class KafkaApiKey
{
    public const short Produce = 0;
    public const short Fetch = 1;
    public const short ListOffsets = 2;
    public const short Metadata = 3;
    public const short OffsetCommit = 8;
    public const short OffsetFetch = 9;
    public const short FindCoordinator = 10;
    public const short JoinGroup = 11;
    public const short Heartbeat = 12;
    public const short LeaveGroup = 13;
    public const short SyncGroup = 14;
    public const short ApiVersions = 18;
    public const short InitProducerId = 22;
    public const short AddPartitionsToTxn = 24;
    public const short AddOffsetsToTxn = 25;
    public const short EndTxn = 26;
    public const short TxnOffsetCommit = 28;
}

/// <summary>One request the mock cluster received (<see cref="EmbeddedKafka.Requests"/>).</summary>
/// <param name="ApiKey">The request type (<see cref="KafkaApiKey"/>).</param>
/// <param name="BrokerId">The broker it was sent to.</param>
/// <param name="TimestampMicros">When it arrived, in microseconds.</param>
public readonly record struct MockRequest(short ApiKey, int BrokerId, long TimestampMicros);

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock brokers, listening on 127.0.0.1 and speaking the
/// real wire protocol, so any client (Confluent.Kafka in this process, kcat in another) can use
/// <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// Data lives in memory only and each partition keeps roughly 5 MB of record batches, dropping older
/// batches silently like retention; produce large preloads with compression (see
/// <see cref="KafkaTestClient.ProduceAsync"/>) or across more partitions, and check the low
/// watermark when a test seems to lose data. Unknown topics are auto-created by producers with the
/// mock's defaults, so call <see cref="CreateTopic"/> first when the partition count matters.
/// Transactions are accepted, but a read_committed consumer still sees aborted records.
/// </remarks>
public sealed class EmbeddedKafka : IDisposable
{
    private const int ErrStrSize = 512;

    private readonly object _gate = new();
    private IntPtr _rk;
    private IntPtr _cluster;

    private EmbeddedKafka(IntPtr rk, IntPtr cluster, int brokerCount, string bootstrapServers)
    {
        _rk = rk;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated host:port list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1..BrokerCount.</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// Starts a cluster of <paramref name="brokers"/> brokers with ids 1..<paramref name="brokers"/>.
    /// </summary>
    /// <remarks>
    /// group.initial.rebalance.delay.ms is set to 0 (the mock, like Kafka, defaults to 3 s) so a
    /// consumer group forms as soon as its first member joins; later members trigger an ordinary
    /// rebalance.
    /// </remarks>
    public static EmbeddedKafka Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);

        var conf = NativeMock.ConfNew();
        if (conf == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_conf_new returned NULL.");
        }

        IntPtr rk;
        unsafe
        {
            var errstr = stackalloc byte[ErrStrSize];
            try
            {
                // The owner handle never gets bootstrap.servers, which librdkafka reports at NOTICE
                // on every start; warnings and errors from the mock brokers still get through.
                SetConf(conf, "log_level", "4", errstr);
                SetConf(conf, "client.id", "kpipe-embedded-kafka", errstr);
            }
            catch
            {
                NativeMock.ConfDestroy(conf);
                throw;
            }

            // rd_kafka_new owns conf only on success.
            rk = NativeMock.New(NativeMock.RdKafkaProducer, conf, errstr, ErrStrSize);
            if (rk == IntPtr.Zero)
            {
                NativeMock.ConfDestroy(conf);
                throw new InvalidOperationException(
                    $"rd_kafka_new failed: {Marshal.PtrToStringUTF8((IntPtr)errstr)}");
            }
        }

        var cluster = NativeMock.ClusterNew(rk, brokers);
        if (cluster == IntPtr.Zero)
        {
            NativeMock.Destroy(rk);
            throw new InvalidOperationException(
                $"rd_kafka_mock_cluster_new failed for {brokers} broker(s); see librdkafka's log on stderr.");
        }

        NativeMock.GroupInitialRebalanceDelayMs(cluster, 0);

        var bootstraps = Marshal.PtrToStringUTF8(NativeMock.ClusterBootstraps(cluster));
        if (string.IsNullOrEmpty(bootstraps))
        {
            NativeMock.ClusterDestroy(cluster);
            NativeMock.Destroy(rk);
            throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        }

        return new EmbeddedKafka(rk, cluster, brokers, bootstraps);
    }

    /// <summary>Creates a topic; fails if it already exists (including auto-created ones).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        // The mock silently caps the replica count at the broker count; a test asking for more
        // almost certainly meant a bigger cluster.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);

        Check(
            Call(c => NativeMock.TopicCreate(c, topic, partitions, replicationFactor)),
            $"create topic '{topic}' ({partitions} partitions, replication {replicationFactor})");
    }

    /// <summary>
    /// Closes the broker's connections and refuses new ones. Leadership does not move: partitions led
    /// by this broker stay unavailable until <see cref="SetBrokerUp"/> or <see cref="SetPartitionLeader"/>.
    /// </summary>
    public void SetBrokerDown(int brokerId)
    {
        CheckBroker(brokerId);
        Check(Call(c => NativeMock.BrokerSetDown(c, brokerId)), $"set broker {brokerId} down");
    }

    /// <summary>Lets the broker accept connections again.</summary>
    public void SetBrokerUp(int brokerId)
    {
        CheckBroker(brokerId);
        Check(Call(c => NativeMock.BrokerSetUp(c, brokerId)), $"set broker {brokerId} up");
    }

    /// <summary>Delays every response of the broker by <paramref name="rtt"/> (zero to clear).</summary>
    public void SetBrokerRtt(int brokerId, TimeSpan rtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rtt, TimeSpan.FromMilliseconds(int.MaxValue));
        CheckBroker(brokerId);
        var rttMs = (int)rtt.TotalMilliseconds;
        Check(
            Call(c => NativeMock.BrokerSetRtt(c, brokerId, rttMs)),
            $"set broker {brokerId} rtt to {rtt}");
    }

    /// <summary>
    /// Makes the next <c>errors.Length</c> requests of type <paramref name="apiKey"/> (see
    /// <see cref="KafkaApiKey"/>), to any broker, fail with the given codes in order.
    /// <see cref="ErrorCode.Local_Transport"/> makes the broker drop the connection instead.
    /// </summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            return;
        }

        // rd_kafka_resp_err_t is a C enum (int), as is ErrorCode, and the numbers are the same.
        var codes = Array.ConvertAll(errors, e => (int)e);
        Call(c =>
        {
            unsafe
            {
                fixed (int* p = codes)
                {
                    NativeMock.PushRequestErrorsArray(c, apiKey, (nuint)codes.Length, p);
                }
            }

            return 0;
        });
    }

    /// <summary>Drops errors queued by <see cref="PushRequestErrors"/> for <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(short apiKey) => Call(c =>
    {
        NativeMock.ClearRequestErrors(c, apiKey);
        return 0;
    });

    /// <summary>
    /// Moves the leadership of a partition; -1 makes it leaderless. Clients learn it on their next
    /// metadata refresh (usually prompted by a NOT_LEADER error from the old leader).
    /// The mock creates the topic, with default settings, when it does not exist.
    /// </summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (brokerId != -1)
        {
            CheckBroker(brokerId);
        }

        Check(
            Call(c => NativeMock.PartitionSetLeader(c, topic, partition, brokerId)),
            $"set leader of {topic}[{partition}] to broker {brokerId}");
    }

    /// <summary>
    /// Starts recording every request any client sends to the cluster (see <see cref="Requests"/>): the way to
    /// check a protocol sequence, such as a transaction's, where the mock's answers cannot show it.
    /// </summary>
    public void StartRequestTracking() => Call(c =>
    {
        NativeMock.StartRequestTracking(c);
        return 0;
    });

    public void StopRequestTracking() => Call(c =>
    {
        NativeMock.StopRequestTracking(c);
        return 0;
    });

    /// <summary>Forgets the requests recorded so far.</summary>
    public void ClearRequests() => Call(c =>
    {
        NativeMock.ClearRequests(c);
        return 0;
    });

    /// <summary>The requests recorded since <see cref="StartRequestTracking"/>, in arrival order.</summary>
    public IReadOnlyList<MockRequest> Requests()
    {
        var result = new List<MockRequest>();
        Call(c =>
        {
            unsafe
            {
                nuint count = 0;
                var requests = NativeMock.GetRequests(c, &count);
                if (requests == null)
                {
                    return 0;
                }

                try
                {
                    for (nuint i = 0; i < count; i++)
                    {
                        result.Add(new MockRequest(
                            NativeMock.RequestApiKey(requests[i]),
                            NativeMock.RequestBrokerId(requests[i]),
                            NativeMock.RequestTimestamp(requests[i])));
                    }
                }
                finally
                {
                    NativeMock.RequestDestroyArray(requests, count);
                }
            }

            return 0;
        });
        // Each broker thread appends its own; the timestamps give one order (stable for equal ones).
        return [.. result.OrderBy(r => r.TimestampMicros)];
    }

    /// <summary>Stops the brokers and frees their data. Safe to call more than once.</summary>
    public void Dispose()
    {
        // Held across the native calls so a fault injection racing Dispose cannot touch freed memory.
        lock (_gate)
        {
            // The cluster's bookkeeping lives on rk, so the cluster has to go first.
            if (_cluster != IntPtr.Zero)
            {
                NativeMock.ClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_rk != IntPtr.Zero)
            {
                NativeMock.Destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }

    private int Call(Func<IntPtr, int> call)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return call(_cluster);
        }
    }

    private void CheckBroker(int brokerId)
    {
        // librdkafka also accepts -1 for "all brokers" on some calls, but an out-of-range id is far
        // more often a test bug (ids start at 1, not 0) than a wish; say so instead of a bare code.
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(brokerId), brokerId, $"Mock broker ids are 1..{BrokerCount}.");
        }
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new KafkaException(new Error((ErrorCode)err,
                $"Embedded Kafka: could not {what}: {NativeMock.ErrorText(err)} ({(ErrorCode)err})"));
        }
    }

    private static unsafe void SetConf(IntPtr conf, string name, string value, byte* errstr)
    {
        if (NativeMock.ConfSet(conf, name, value, errstr, ErrStrSize) != NativeMock.ConfOk)
        {
            throw new InvalidOperationException(
                $"rd_kafka_conf_set({name}={value}) failed: {Marshal.PtrToStringUTF8((IntPtr)errstr)}");
        }
    }
}
