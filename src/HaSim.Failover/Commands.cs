using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>What the controller asks its host to do, drained in order with <see cref="FailoverController.TryTakeCommand"/>.</summary>
public abstract record ControllerCommand;

/// <summary>
/// One attempt of a DCS call. The host answers each with a <see cref="DcsResult"/> carrying the same
/// id. The controller retries failed attempts itself (see <see cref="DcsOperation"/> for which).
/// </summary>
public sealed record DcsRequest(RequestId Request, DcsOperation Operation) : ControllerCommand;

/// <summary><c>GET /patroni</c> on a peer; the host answers with <see cref="PeerStatus"/> within <paramref name="Timeout"/> (Report null if none came).</summary>
public sealed record QueryPeer(RequestId Request, NodeId Peer, Duration Timeout) : ControllerCommand;

/// <summary><c>POST /failsafe</c> to a peer (failsafe mode, D2); answered with <see cref="FailsafeReply"/>.</summary>
public sealed record PostFailsafe(RequestId Request, NodeId Peer, Duration Timeout) : ControllerCommand;

/// <summary>Read the local database's state; answered with <see cref="DatabaseStatus"/>.</summary>
public sealed record QueryDatabase : ControllerCommand;

/// <summary><c>pg_ctl promote</c>; the host reports <see cref="CommandResult"/> when the database accepts writes.</summary>
public sealed record Promote(CommandId Command) : ControllerCommand;

/// <summary>
/// Stop the database as <paramref name="Mode"/> says, then restart it read-only following
/// <paramref name="Follow"/> (null: nobody). The host reports <see cref="CommandResult"/> once
/// the database has stopped: the point where Patroni releases the key in the releasing modes,
/// which the controller then does itself with <see cref="DeleteLeader"/>.
/// </summary>
public sealed record Demote(CommandId Command, DemoteMode Mode, NodeId? Follow) : ControllerCommand;

/// <summary>Patroni's demote modes (<c>Ha.demote</c>): how to stop and whether the key is released.</summary>
public enum DemoteMode
{
    /// <summary>Fast stop, no checkpoint, key kept, restart following nobody: the DCS is unreachable (D1/D3).</summary>
    Offline,

    /// <summary>Fast stop with checkpoint, key released: switchover.</summary>
    Graceful,

    /// <summary>Immediate stop, key released (W1, S2, R1).</summary>
    Immediate,

    /// <summary>Immediate stop, key not touched (F1, H3, U2, U3, S1).</summary>
    ImmediateNoLock,
}

/// <summary>Point <c>primary_conninfo</c> at <paramref name="Leader"/> (null: follow nobody, stay read-only).</summary>
public sealed record FollowLeader(NodeId? Leader) : ControllerCommand;

/// <summary>Start the stopped database, as a primary or read-only following <paramref name="Follow"/>; <see cref="CommandResult"/> when it runs.</summary>
public sealed record StartDatabase(CommandId Command, bool AsPrimary, NodeId? Follow) : ControllerCommand;

/// <summary>Set <c>synchronous_standby_names</c> to <paramref name="Text"/> (the <paramref name="Standbys"/> by member name, or empty).</summary>
public sealed record SetSynchronousStandbyNames(NodeSet Standbys, string Text) : ControllerCommand;

/// <summary>Open the watchdog device with this timeout; it resets the machine unless kept alive in time.</summary>
public sealed record WatchdogArm(Duration Timeout) : ControllerCommand;

public sealed record WatchdogKeepalive : ControllerCommand;

public sealed record WatchdogDisarm : ControllerCommand;

/// <summary>Deliver <see cref="TimerFired"/> at <paramref name="At"/>; replaces an earlier setting of the same timer.</summary>
public sealed record SetTimer(TimerId Timer, Instant At) : ControllerCommand;

public sealed record CancelTimer(TimerId Timer) : ControllerCommand;

/// <summary>
/// The DCS operations. <see cref="GetCluster"/>, <see cref="AcquireLeader"/>, <see cref="UpdateLeader"/>
/// and <see cref="WriteSync"/> are retried by the controller until retry_timeout; <see cref="DeleteLeader"/>,
/// <see cref="TouchMember"/> and <see cref="SetHistory"/> are sent once and their replies ignored (a lost
/// delete ends with the TTL; the member key is touched, and /history checked, again next cycle).
/// </summary>
public abstract record DcsOperation;

public sealed record GetCluster : DcsOperation;

/// <summary>Create <c>/leader</c> = me with this TTL, only if absent (<c>attempt_to_acquire_leader</c>).</summary>
public sealed record AcquireLeader(Duration Ttl) : DcsOperation;

/// <summary>
/// Compare-and-swap <c>/leader</c> from me to me, renewing the TTL; if the key has vanished, create it
/// (etcd's <c>_do_update_leader</c>). Only when that succeeds, write <c>/status</c> = <paramref name="Optime"/>
/// and, in failsafe mode, <c>/failsafe</c> = <paramref name="Failsafe"/>.
/// </summary>
public sealed record UpdateLeader(Duration Ttl, Lsn Optime, NodeSet? Failsafe) : DcsOperation;

/// <summary>Delete <c>/leader</c> if it still holds me (<c>delete_leader</c>).</summary>
public sealed record DeleteLeader : DcsOperation;

/// <summary>Write <c>/sync</c>; if <paramref name="ExpectedVersion"/> is null create it only if absent, else compare-and-swap on that version.</summary>
public sealed record WriteSync(NodeId Leader, NodeSet SyncStandbys, long? ExpectedVersion) : DcsOperation;

/// <summary>Publish this node's member key (<c>touch_member</c>).</summary>
public sealed record TouchMember(MemberInfo Member) : DcsOperation;

/// <summary>
/// Write <c>/history</c> so that the cluster timeline (<c>Cluster.timeline</c>) reads <paramref name="Timeline"/>:
/// the primary's <c>update_cluster_history</c>, which check_timeline and the T1 rule compare against.
/// </summary>
public sealed record SetHistory(Term Timeline) : DcsOperation;
