namespace HaSim.Model.Cluster;

/// <summary>What a scheduled event does when it fires.</summary>
internal enum EventKind : byte
{
    /// <summary>An open-loop transaction arrives (Poisson).</summary>
    OpenLoopArrival,
    /// <summary>Closed-loop client <see cref="ModelEvent.Target"/> finished thinking and starts a transaction.</summary>
    ClientReady,
    /// <summary>
    /// A transaction that reached a paused primary is taken up now that it resumed: client
    /// <see cref="ModelEvent.Target"/> (-1 for open loop), which arrived at <see cref="ModelEvent.Value"/> (ns).
    /// </summary>
    DeferredTransaction,
    /// <summary>The next message on link <see cref="ModelEvent.Target"/> arrives.</summary>
    LinkDelivery,
    /// <summary>Node <see cref="ModelEvent.Target"/> finished writing WAL up to LSN <see cref="ModelEvent.Value"/>.</summary>
    WalWriteDone,
    /// <summary>Node <see cref="ModelEvent.Target"/> finished flushing WAL up to LSN <see cref="ModelEvent.Value"/>.</summary>
    WalFlushDone,
    /// <summary>Standby <see cref="ModelEvent.Target"/> finished replaying WAL up to LSN <see cref="ModelEvent.Value"/>.</summary>
    ReplayDone,
    /// <summary>Standby <see cref="ModelEvent.Target"/> sends its periodic status (wal_receiver_status_interval).</summary>
    StatusInterval,
    /// <summary>Semi-sync: the oldest waiting commit has waited rpl_semi_sync_master_timeout.</summary>
    SemiSyncTimeout,
    /// <summary>Sample the replication positions into the lag time series.</summary>
    Sample,
    /// <summary>The warm-up is over: measurements start now.</summary>
    WarmupEnd,
    /// <summary>Fault <see cref="ModelEvent.Target"/> (its index in the model) begins.</summary>
    FaultStart,
    /// <summary>Fault <see cref="ModelEvent.Target"/> heals.</summary>
    FaultHeal,
    /// <summary>The primary checks whether standby <see cref="ModelEvent.Target"/> has been silent past wal_sender_timeout.</summary>
    SenderTimeoutCheck,
}

/// <summary>
/// A scheduled event: 16 bytes, no references, so the event queue moves plain data. Message
/// payloads wait in their link's FIFO, not in the event.
/// </summary>
internal readonly record struct ModelEvent(EventKind Kind, int Target, long Value);
