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

    // Automatic failover (ClusterSimulation.Failover and the partials it names).

    /// <summary>Node <see cref="ModelEvent.Target"/>'s agent process starts; <see cref="ModelEvent.Value"/> is its incarnation.</summary>
    AgentStart,
    /// <summary>Node <see cref="ModelEvent.Target"/>'s machine, reset by its watchdog as incarnation <see cref="ModelEvent.Value"/>, has rebooted.</summary>
    MachineBoot,
    /// <summary>A controller timer of node <see cref="ModelEvent.Target"/>: incarnation &lt;&lt; 8 | timer id in <see cref="ModelEvent.Value"/>.</summary>
    AgentTimer,
    /// <summary>Control message <see cref="ModelEvent.Value"/> reaches endpoint <see cref="ModelEvent.Target"/>.</summary>
    ControlDelivery,
    /// <summary>The DCS write of message <see cref="ModelEvent.Value"/>, entered at member <see cref="ModelEvent.Target"/>, has its quorum.</summary>
    DcsCommit,
    /// <summary>The DCS must conclude an election or expire a lease.</summary>
    DcsWake,
    /// <summary>Node <see cref="ModelEvent.Target"/>'s DCS request <see cref="ModelEvent.Value"/> got no answer in time.</summary>
    DcsAttemptTimeout,
    /// <summary>Node <see cref="ModelEvent.Target"/>'s REST call <see cref="ModelEvent.Value"/> got no answer in time.</summary>
    RestTimeout,
    /// <summary>Node <see cref="ModelEvent.Target"/>'s watchdog, armed as generation <see cref="ModelEvent.Value"/>, is due.</summary>
    WatchdogExpiry,
    /// <summary>Node <see cref="ModelEvent.Target"/>'s database action number <see cref="ModelEvent.Value"/> is done.</summary>
    DatabaseActionDone,
    /// <summary>A database status query of agent incarnation <see cref="ModelEvent.Value"/> on node <see cref="ModelEvent.Target"/>, held by a paused database, is answered.</summary>
    DatabaseQuery,
    /// <summary>Standby <see cref="ModelEvent.Target"/> retries streaming session <see cref="ModelEvent.Value"/> if its upstream never took it.</summary>
    WalReceiverRetry,
    /// <summary>
    /// The first of the scheduled client attempts is due (ClusterSimulation.ScheduleAttempt); in that
    /// queue, the event is the attempt itself: attempt <see cref="ModelEvent.Target"/> of client write <see cref="ModelEvent.Value"/>.
    /// </summary>
    ClientAttemptsDue,
    /// <summary>The oldest client attempt still watched has waited its request timeout.</summary>
    ClientTimeout,
    /// <summary>The proxy's health check of node <see cref="ModelEvent.Target"/> is due or past its deadline.</summary>
    HealthCheckTick,
    /// <summary>The first of the parked client writes (no server UP) reaches its last attempt (ClusterSimulation.ParkUntilAServerIsUp).</summary>
    ClientGivesUp,
    /// <summary>
    /// A client's write attempt (a whole transaction: the round trips inside it are folded into one)
    /// reaches node <see cref="ModelEvent.Target"/>'s PostgreSQL; <see cref="ModelEvent.Value"/> is the write.
    /// </summary>
    ClientRequestArrives,
    /// <summary>The answer to client write <see cref="ModelEvent.Value"/> arrives: attempt &lt;&lt; 2 | answer in <see cref="ModelEvent.Target"/>.</summary>
    ClientAnswerArrives,
    /// <summary>The events held until a pause ends at <see cref="ModelEvent.Value"/> (ns) are due (see ClusterSimulation.Hold).</summary>
    HeldEventsDue,
}

/// <summary>
/// A scheduled event: 16 bytes, no references, so the event queue moves plain data. Message
/// payloads wait in their link's FIFO, not in the event.
/// </summary>
internal readonly record struct ModelEvent(EventKind Kind, int Target, long Value);
