using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// What the controller believes, for hosts, status endpoints (<c>GET /patroni</c> answers) and tests.
/// </summary>
/// <param name="HasLock">Whether it believes it holds the leader key (<c>Ha.has_lock</c>).</param>
/// <param name="DatabaseRole">The database role last reported by the host.</param>
/// <param name="Wal">The database's last operation LSN last reported.</param>
/// <param name="LastView">The cluster view last read from the DCS.</param>
/// <param name="LastMessage">What the last cycle decided, in Patroni's words.</param>
/// <param name="InCycle">Whether an HA cycle is in progress.</param>
/// <param name="Cycles">How many HA cycles have started.</param>
/// <param name="NextRun">When the next cycle is due.</param>
/// <param name="LongAction">The long action in progress (promote, demote, start), if any.</param>
/// <param name="WatchdogArmed">Whether the watchdog is armed.</param>
/// <param name="WatchdogFailed">The <c>watchdog_failed</c> flag peers read: required but cannot be activated.</param>
/// <param name="SynchronousStandbyNames">synchronous_standby_names as last set, or null if never set.</param>
public sealed record ControllerState(
    NodeId Self,
    bool HasLock,
    DatabaseRole DatabaseRole,
    Lsn Wal,
    ClusterView? LastView,
    string LastMessage,
    bool InCycle,
    long Cycles,
    Instant NextRun,
    string? LongAction,
    bool WatchdogArmed,
    bool WatchdogFailed,
    string? SynchronousStandbyNames);
