namespace Kpipe.TestKit.Doris;

internal sealed class DorisTransaction(long id, string database, string table, string label, bool twoPhase, DateTimeOffset begun)
{
    public long Id { get; } = id;
    public string Database { get; } = database;
    public string Table { get; } = table;
    public string Label { get; } = label;
    public bool TwoPhase { get; } = twoPhase;
    public DateTimeOffset Begun { get; } = begun;
    public DorisTxnStatus Status { get; set; } = DorisTxnStatus.Prepare;
    public DateTimeOffset StatusChanged { get; set; } = begun;
    public string? AbortReason { get; set; }

    /// <summary>Rows written by a precommitted two-phase load, applied on commit.</summary>
    public IReadOnlyList<RowOp>? PendingRows { get; set; }

    /// <summary>ExistingJobStatus for a load that reuses this label (fe: LabelAlreadyUsedException).</summary>
    public string ExistingJobStatus => Status switch
    {
        DorisTxnStatus.Prepare => "RUNNING",
        DorisTxnStatus.Precommitted => "PRECOMMITTED",
        _ => "FINISHED",
    };
}

internal abstract record BeginResult
{
    public sealed record Started(DorisTransaction Txn) : BeginResult;

    public sealed record LabelExists(DorisTransaction Existing) : BeginResult;
}

/// <summary>Outcome of a 2PC commit or abort: Status is "Success" or the error code name, Message the text.</summary>
internal sealed record TwoPhaseResult(bool Success, string Message, DorisTransaction? Txn);

/// <summary>
/// Labels and transactions, per database as in Doris (fe: DatabaseTransactionMgr). A label belongs to its
/// latest transaction that did not abort; an aborted (failed) load frees it. Finished labels are
/// forgotten after the keep time, and PRECOMMITTED transactions left alone are aborted after their timeout,
/// both evaluated lazily against the emulator's clock.
/// </summary>
internal sealed class TransactionManager(TimeProvider clock, TimeSpan labelKeepTime, TimeSpan precommittedTimeout)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Db, string Label), DorisTransaction> _byLabel = [];
    private readonly Dictionary<long, DorisTransaction> _byId = [];

    // Doris transaction ids are large and increasing; the exact start does not matter.
    private long _nextId = 1000;

    public BeginResult Begin(string db, string table, string label, bool twoPhase)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_byLabel.TryGetValue((db, label), out var existing))
            {
                ExpireIfDue(existing, now);
                if (existing.Status != DorisTxnStatus.Aborted && !IsForgotten(existing, now))
                    return new BeginResult.LabelExists(existing);
            }

            var txn = new DorisTransaction(++_nextId, db, table, label, twoPhase, now);
            _byLabel[(db, label)] = txn;
            _byId[txn.Id] = txn;
            return new BeginResult.Started(txn);
        }
    }

    /// <summary>Aborts a PREPARE transaction whose load failed; returns false if it was no longer running.</summary>
    public bool Abort(DorisTransaction txn, string reason)
    {
        lock (_gate)
        {
            if (txn.Status is not (DorisTxnStatus.Prepare or DorisTxnStatus.Precommitted))
                return false;
            SetAborted(txn, reason);
            return true;
        }
    }

    /// <summary>Moves a running transaction to PRECOMMITTED; false when it was aborted meanwhile.</summary>
    public bool Precommit(DorisTransaction txn, IReadOnlyList<RowOp> rows)
    {
        lock (_gate)
        {
            if (txn.Status != DorisTxnStatus.Prepare)
                return false;
            txn.PendingRows = rows;
            SetStatus(txn, DorisTxnStatus.Precommitted);
            return true;
        }
    }

    /// <summary>Claims a running transaction for commit (PREPARE to COMMITTED); false when it was aborted meanwhile.</summary>
    public bool BeginCommit(DorisTransaction txn)
    {
        lock (_gate)
        {
            if (txn.Status != DorisTxnStatus.Prepare)
                return false;
            SetStatus(txn, DorisTxnStatus.Committed);
            return true;
        }
    }

    public void MarkVisible(DorisTransaction txn)
    {
        lock (_gate)
        {
            txn.PendingRows = null;
            SetStatus(txn, DorisTxnStatus.Visible);
        }
    }

    /// <summary>Finds the transaction a 2PC request names by txn id or, when it has none, by label.</summary>
    public DorisTransaction? Find(string db, long? txnId, string? label)
    {
        lock (_gate)
        {
            DorisTransaction? txn;
            if (txnId is { } id)
                txn = _byId.GetValueOrDefault(id);
            else
                txn = label is null ? null : _byLabel.GetValueOrDefault((db, label));
            if (txn is not null && txn.Database != db)
                return null;
            if (txn is not null)
                ExpireIfDue(txn, clock.GetUtcNow());
            return txn;
        }
    }

    /// <summary>
    /// 2PC commit: PRECOMMITTED to COMMITTED (the caller then applies the rows and marks it VISIBLE).
    /// Messages follow fe DatabaseTransactionMgr.commitTransaction for 2PC.
    /// </summary>
    public TwoPhaseResult ClaimForCommit(DorisTransaction txn)
    {
        lock (_gate)
        {
            ExpireIfDue(txn, clock.GetUtcNow());
            return txn.Status switch
            {
                DorisTxnStatus.Precommitted => Claimed(txn),
                DorisTxnStatus.Aborted => new TwoPhaseResult(false, $"transaction [{txn.Id}] is already aborted. abort reason: {txn.AbortReason}", txn),
                DorisTxnStatus.Visible => new TwoPhaseResult(false, $"transaction [{txn.Id}] is already visible, not pre-committed.", txn),
                DorisTxnStatus.Committed => new TwoPhaseResult(false, $"transaction [{txn.Id}] is already committed, not pre-committed.", txn),
                _ => new TwoPhaseResult(false, $"transaction [{txn.Id}] is prepare, not pre-committed.", txn),
            };
        }

        TwoPhaseResult Claimed(DorisTransaction t)
        {
            SetStatus(t, DorisTxnStatus.Committed);
            return new TwoPhaseResult(true, "", t);
        }
    }

    /// <summary>2PC abort (fe DatabaseTransactionMgr.abortTransaction): allowed before the commit only.</summary>
    public TwoPhaseResult AbortByUser(DorisTransaction txn)
    {
        lock (_gate)
        {
            ExpireIfDue(txn, clock.GetUtcNow());
            switch (txn.Status)
            {
                case DorisTxnStatus.Prepare:
                case DorisTxnStatus.Precommitted:
                    SetAborted(txn, "User Abort");
                    return new TwoPhaseResult(true, "", txn);
                case DorisTxnStatus.Aborted:
                    // Aborting twice is harmless in Doris: the transaction stays aborted.
                    return new TwoPhaseResult(true, "", txn);
                default:
                    return new TwoPhaseResult(false, $"transaction [{txn.Id}] is already {txn.Status.ToString().ToUpperInvariant()}, could not abort.", txn);
            }
        }
    }

    public DorisTxnStatus? StatusOf(string db, long txnId)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(txnId, out var txn) || txn.Database != db)
                return null;
            ExpireIfDue(txn, clock.GetUtcNow());
            return txn.Status;
        }
    }

    public DorisTxnStatus? StatusOf(string db, string label)
    {
        lock (_gate)
        {
            if (!_byLabel.TryGetValue((db, label), out var txn))
                return null;
            ExpireIfDue(txn, clock.GetUtcNow());
            return txn.Status;
        }
    }

    public (long TxnId, DorisTxnStatus Status)[] Transactions(string db)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            return [.. _byId.Values.Where(t => t.Database == db).OrderBy(t => t.Id).Select(t =>
            {
                ExpireIfDue(t, now);
                return (t.Id, t.Status);
            })];
        }
    }

    private void ExpireIfDue(DorisTransaction txn, DateTimeOffset now)
    {
        // A PRECOMMITTED transaction nobody commits is aborted by the FE (fe: DatabaseTransactionMgr
        // abortTimeoutTxns, reason "timeout by txn manager").
        if (txn.Status == DorisTxnStatus.Precommitted && now - txn.StatusChanged > precommittedTimeout)
            SetAborted(txn, "timeout by txn manager");
    }

    private bool IsForgotten(DorisTransaction txn, DateTimeOffset now) =>
        // Finished stream-load labels are kept for streaming_label_keep_max_second (12 hours by default);
        // after that the same label loads again.
        txn.Status == DorisTxnStatus.Visible && now - txn.StatusChanged > labelKeepTime;

    private void SetAborted(DorisTransaction txn, string reason)
    {
        txn.AbortReason = reason;
        txn.PendingRows = null;
        SetStatus(txn, DorisTxnStatus.Aborted);
    }

    private void SetStatus(DorisTransaction txn, DorisTxnStatus status)
    {
        txn.Status = status;
        txn.StatusChanged = clock.GetUtcNow();
    }
}
