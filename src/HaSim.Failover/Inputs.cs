using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>Everything that reaches the controller, through <see cref="FailoverController.Step"/>.</summary>
public abstract record ControllerInput;

/// <summary>
/// The first input. <paramref name="WatchdogAvailable"/> says whether the host has a usable
/// watchdog device; with <see cref="WatchdogMode.Required"/> and none, the node never leads (W1).
/// </summary>
public sealed record Start(bool WatchdogAvailable = true) : ControllerInput;

/// <summary>A timer the controller set with <see cref="SetTimer"/> is due.</summary>
public sealed record TimerFired(TimerId Timer) : ControllerInput;

/// <summary>
/// Optional watch event: the <c>/leader</c> key changed, expired or was deleted. A replica that is
/// between cycles starts one at once (<c>Ha.watch</c>), so it reacts to expiry without waiting loop_wait.
/// </summary>
public sealed record LeaderKeyChanged : ControllerInput;

/// <summary>The reply to one attempt of a <see cref="DcsRequest"/>.</summary>
public sealed record DcsResult(RequestId Request, DcsOutcome Outcome) : ControllerInput;

/// <summary>The reply to a <see cref="QueryPeer"/> (<c>GET /patroni</c>); <paramref name="Report"/> is null when the peer did not answer within the timeout.</summary>
public sealed record PeerStatus(RequestId Request, NodeId Peer, PeerReport? Report) : ControllerInput;

/// <summary>The reply to a <see cref="PostFailsafe"/>: true only for Patroni's 200 <c>Accepted</c>; a refusal, an error or no answer is false.</summary>
public sealed record FailsafeReply(RequestId Request, NodeId Peer, bool Accepted) : ControllerInput;

/// <summary>The reply to a <see cref="QueryDatabase"/> (hosts may also send it unasked when the database changes).</summary>
public sealed record DatabaseStatus(
    DatabaseRole Role,
    Lsn WriteLsn,
    Lsn ReceiveLsn,
    Lsn ReplayLsn,
    Term Timeline,
    NodeId? Following = null,
    IReadOnlyList<StandbyReplication>? Standbys = null) : ControllerInput
{
    /// <summary>Patroni's <c>last_operation()</c>: the write position on a primary, max(receive, replay) on a replica.</summary>
    public Lsn LastOperation => Role == DatabaseRole.Primary ? WriteLsn : Lsn.Max(ReceiveLsn, ReplayLsn);

    public bool IsRunning => Role is DatabaseRole.Primary or DatabaseRole.Replica;

    public static DatabaseStatus Primary(Lsn wal, Term timeline, params IReadOnlyList<StandbyReplication> standbys) =>
        new(DatabaseRole.Primary, wal, Lsn.Zero, Lsn.Zero, timeline, null, standbys);

    public static DatabaseStatus Replica(Lsn received, Term timeline, NodeId? following) =>
        new(DatabaseRole.Replica, Lsn.Zero, received, received, timeline, following);

    public static DatabaseStatus Stopped(Term timeline) => new(DatabaseRole.Stopped, Lsn.Zero, Lsn.Zero, Lsn.Zero, timeline);

    public static DatabaseStatus Starting(Term timeline) => new(DatabaseRole.Starting, Lsn.Zero, Lsn.Zero, Lsn.Zero, timeline);
}

/// <summary>What the local PostgreSQL is doing.</summary>
public enum DatabaseRole
{
    Stopped,
    Starting,
    Replica,
    Primary,
}

/// <summary>One row of <c>pg_stat_replication</c> on a primary: a streaming standby, its flush position, and whether its sync_state is 'sync'.</summary>
public sealed record StandbyReplication(NodeId Standby, Lsn Flush, bool IsSync);

/// <summary>A long action (<see cref="Promote"/>, <see cref="Demote"/>, <see cref="StartDatabase"/>) has finished.</summary>
public sealed record CommandResult(CommandId Command, bool Ok) : ControllerInput;

/// <summary>A peer's <c>GET /patroni</c> answer, as <c>_MemberStatus</c> reads it.</summary>
public sealed record PeerReport(bool IsPrimary, Lsn Wal, Term Timeline, bool NoFailover = false, bool WatchdogFailed = false, int FailoverPriority = 1);

/// <summary>The outcome of one DCS attempt.</summary>
public abstract record DcsOutcome;

/// <summary>A <see cref="GetCluster"/> read.</summary>
public sealed record ClusterRead(ClusterView View) : DcsOutcome;

/// <summary>
/// A write was applied (<paramref name="Ok"/>) or its precondition did not hold: the key already
/// existed for a create, or held another value or version for a compare-and-swap. Not retried.
/// </summary>
public sealed record WriteResult(bool Ok) : DcsOutcome;

/// <summary>The attempt failed (unreachable, timed out, no quorum): retried until retry_timeout.</summary>
public sealed record DcsUnavailable(string Reason) : DcsOutcome;
