namespace Kpipe.TestKit.Doris;

/// <summary>Transaction states, as Doris's TransactionStatus names them.</summary>
public enum DorisTxnStatus
{
    /// <summary>PREPARE: the load is running (its label answers ExistingJobStatus RUNNING).</summary>
    Prepare,

    /// <summary>PRECOMMITTED: a two-phase-commit load finished writing; its rows stay invisible until commit.</summary>
    Precommitted,

    /// <summary>COMMITTED: committed, not yet visible (transient in the emulator).</summary>
    Committed,

    /// <summary>VISIBLE: committed and visible.</summary>
    Visible,

    /// <summary>ABORTED: nothing was stored; the label is free again.</summary>
    Aborted,
}
