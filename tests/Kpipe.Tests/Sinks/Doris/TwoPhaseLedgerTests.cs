using Confluent.Kafka;
using Kpipe.Sinks.Doris;

namespace Kpipe.Tests.Sinks.Doris;

/// <summary>What the Doris sink commits under exactlyOnce: never an offset inside a precommitted transaction, and
/// with it every transaction below it that is not yet visible.</summary>
public sealed class TwoPhaseLedgerTests
{
    private static readonly TopicPartition P0 = new("in", 0);

    private static PendingTransaction Txn(long id, long first, long last) => new(P0, id, first, last);

    private static (long Offset, string Metadata) Single(IReadOnlyList<(TopicPartitionOffset Offset, string Metadata)> plan)
    {
        var (offset, metadata) = Assert.Single(plan);
        return (offset.Offset.Value, metadata);
    }

    [Fact]
    public void The_committed_offset_is_lowered_below_every_transaction_that_straddles_it()
    {
        var ledger = new TwoPhaseLedger("shop");
        // Two tables of one partition: orders 0-99, then items 50-150 (their loads overlap in offsets).
        ledger.Add(Txn(11, 0, 99));
        ledger.Add(Txn(12, 50, 150));

        // Acknowledged up to 120: items straddles 120, orders straddles 50; nothing can be recorded yet.
        Assert.Equal((0L, ""), Single(ledger.Prepare([new TopicPartitionOffset(P0, 120)], null)));

        // Acknowledged past both: both are recorded with the offset after them.
        var (offset, metadata) = Single(ledger.Prepare([new TopicPartitionOffset(P0, 151)], null));
        Assert.Equal(151, offset);
        Assert.Equal("kpipe-2pc/1;shop;11:0-99,12:50-150", metadata);
    }

    [Fact]
    public void Recorded_transactions_are_handed_out_once_committed_and_dropped_from_the_metadata_once_visible()
    {
        var ledger = new TwoPhaseLedger("shop");
        ledger.Add(Txn(11, 0, 99));
        ledger.Add(Txn(12, 100, 199));
        var plan = ledger.Prepare([new TopicPartitionOffset(P0, 150)], null);
        Assert.Equal((100L, "kpipe-2pc/1;shop;11:0-99"), Single(plan));

        Assert.Equal([Txn(11, 0, 99)], ledger.Committed(plan));
        // Nothing new: nothing to commit.
        Assert.Empty(ledger.Prepare([], null));
        // A later commit that records it again (not visible yet) does not hand it out twice.
        var later = ledger.Prepare([new TopicPartitionOffset(P0, 200)], null);
        Assert.Equal((200L, "kpipe-2pc/1;shop;11:0-99,12:100-199"), Single(later));
        Assert.Equal([Txn(12, 100, 199)], ledger.Committed(later));

        // Once 11 is visible the next commit stops naming it (its metadata would otherwise only grow).
        ledger.Visible(Txn(11, 0, 99));
        Assert.Equal((200L, "kpipe-2pc/1;shop;12:100-199"), Single(ledger.Prepare([], null)));
    }

    [Fact]
    public void Metadata_stays_under_the_brokers_limit_by_committing_less()
    {
        var ledger = new TwoPhaseLedger("shop");
        for (var i = 0; i < 500; i++) ledger.Add(Txn(1_000_000_000 + i, i * 10, i * 10 + 9));

        var (offset, metadata) = Single(ledger.Prepare([new TopicPartitionOffset(P0, 5_000)], null));

        Assert.True(metadata.Length <= TwoPhaseLedger.MaxMetadataLength, $"{metadata.Length} characters");
        var recorded = TwoPhaseLedger.Parse(P0, metadata)!.Value.Transactions;
        // The offset is the first record of the first transaction left out: every one below it is recorded.
        Assert.Equal(recorded[^1].LastOffset + 1, offset);
        Assert.Equal(Enumerable.Range(0, recorded.Count).Select(i => 1_000_000_000L + i), recorded.Select(t => t.TxnId));
    }

    [Fact]
    public void Metadata_reads_back_and_other_metadata_is_ignored()
    {
        var parsed = TwoPhaseLedger.Parse(P0, TwoPhaseLedger.Metadata("shop", [Txn(7, 3, 9), Txn(8, 10, 10)]));
        Assert.Equal("shop", parsed!.Value.Database);
        Assert.Equal([Txn(7, 3, 9), Txn(8, 10, 10)], parsed.Value.Transactions);

        Assert.Null(TwoPhaseLedger.Parse(P0, null));
        Assert.Null(TwoPhaseLedger.Parse(P0, "some other tool's note"));
        Assert.Null(TwoPhaseLedger.Parse(P0, "kpipe-2pc/1;shop;7:x-9"));
    }
}
