using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>What an agent log entry records.</summary>
public enum AgentLogKind
{
    /// <summary>An HA cycle ended; the detail is its result in Patroni's words ("no action. I am (pg1), the leader with the lock").</summary>
    Cycle,

    /// <summary>The agent ran <c>pg_ctl promote</c>.</summary>
    Promote,

    /// <summary>The agent stopped its primary (the detail: the demote mode, and whom it follows afterwards).</summary>
    Demote,

    /// <summary>The agent pointed <c>primary_conninfo</c> at another upstream (the detail: its name, or "nobody").</summary>
    Follow,

    /// <summary>The agent started its stopped database (the detail: as primary, or read-only following whom).</summary>
    Start,

    /// <summary>The agent opened the watchdog device (the detail: its timeout).</summary>
    WatchdogArm,

    /// <summary>The agent closed the watchdog device.</summary>
    WatchdogDisarm,

    /// <summary>The agent set <c>synchronous_standby_names</c> (the detail: the new value).</summary>
    SynchronousStandbyNames,
}

/// <summary>One line of a node's agent log: when, which node, what, and in what words.</summary>
public readonly record struct AgentLogEntry(Instant At, NodeId Node, AgentLogKind Kind, string Detail);

/// <summary>
/// Receives what the failover agents decide, as a Patroni log would show it: each HA cycle's
/// result and each command they give their database and watchdog. Observation only: a run with a
/// sink makes exactly the same state changes (and trace hash) as one without.
/// </summary>
public interface IAgentLogSink
{
    void Write(in AgentLogEntry entry);
}
