using HaSim.Kernel.Distributions;
using HaSim.Primitives;

namespace HaSim.Model.Spec;

/// <summary>
/// A fault injected at <see cref="At"/> (time since the start of the run, warm-up included) that
/// heals after <see cref="For"/> (or never, when null).
/// </summary>
public abstract record FaultSpec(Duration At, Duration? For)
{
    /// <summary>When the fault heals, or null if it lasts to the end of the run.</summary>
    public Instant? HealsAt => For is { } length ? Instant.Start + At + length : null;
}

/// <summary>
/// Messages from any node in <see cref="From"/> to any node in <see cref="To"/> are held, as TCP
/// holds unacknowledged data, until the partition heals. A symmetric partition is two of these.
/// </summary>
public sealed record PartitionFault(Duration At, Duration? For, IReadOnlyList<NodeId> From, IReadOnlyList<NodeId> To) : FaultSpec(At, For)
{
    /// <summary>DCS members (indexes into <see cref="DcsSpec.Members"/>) on the sending side, besides <see cref="PartitionFault.From"/>.</summary>
    public IReadOnlyList<int> FromDcsMembers { get; init; } = [];

    /// <summary>DCS members on the receiving side, besides <see cref="PartitionFault.To"/>.</summary>
    public IReadOnlyList<int> ToDcsMembers { get; init; } = [];

    /// <summary>Whether the clients and their write endpoint are on the sending side.</summary>
    public bool FromClients { get; init; }

    /// <summary>Whether the clients and their write endpoint are on the receiving side.</summary>
    public bool ToClients { get; init; }
}

/// <summary>The links from <see cref="From"/> to <see cref="To"/> get another latency or loss while the fault lasts.</summary>
public sealed record LinkFault(Duration At, Duration? For, IReadOnlyList<NodeId> From, IReadOnlyList<NodeId> To,
    LatencyDistribution? Latency, double? LossProbability) : FaultSpec(At, For);

/// <summary>No write or flush completes on the node's WAL disk while the fault lasts; operations resume when it heals.</summary>
public sealed record DiskStallFault(Duration At, Duration? For, NodeId Node) : FaultSpec(At, For);

/// <summary>
/// The node's machine crashes: WAL written but not yet flushed is lost, messages to it are lost,
/// and after <see cref="FaultSpec.For"/> it restarts, recovers and asks the primary to stream
/// from its flushed position. The primary may crash only in a model with a <c>failover</c>
/// section: without an agent to promote a standby, nothing would ever accept writes again.
/// </summary>
public sealed record CrashFault(Duration At, Duration? For, NodeId Node, CrashScope Scope = CrashScope.Machine) : FaultSpec(At, For);

/// <summary>What a <see cref="CrashFault"/> kills.</summary>
public enum CrashScope
{
    /// <summary>The whole machine: nothing on it answers, unflushed WAL is lost, its connections time out.</summary>
    Machine,

    /// <summary>
    /// PostgreSQL and the agent are killed (SIGKILL) on a machine that stays up: its kernel refuses
    /// connections to them at once (peers' status probes, clients), closes their replication
    /// connections (the standbys notice at once, not after wal_receiver_timeout), and keeps the WAL
    /// already written in its page cache. Needs a failover section.
    /// </summary>
    Processes,
}

/// <summary>What a <see cref="PauseFault"/> stops.</summary>
public enum PauseScope
{
    /// <summary>The whole VM: database, agent, disk and kernel timers (the watchdog fires on resume if overdue).</summary>
    Machine,

    /// <summary>Only the failover agent (a stop-the-world pause of its process): the database keeps serving.</summary>
    Agent,

    /// <summary>Only PostgreSQL (SIGSTOP, an I/O freeze): the agent keeps running but its queries to the database hang.</summary>
    Database,
}

/// <summary>
/// A stop-the-world pause of <see cref="Scope"/> on the node: what is paused processes nothing
/// and sends nothing until the pause ends; then everything that waited is handled at once, in
/// order. Works on any node, the primary included. Without a <c>failover</c> section only the
/// machine scope exists (there is no agent).
/// </summary>
public sealed record PauseFault(Duration At, Duration? For, NodeId Node, PauseScope Scope = PauseScope.Machine) : FaultSpec(At, For);

/// <summary>DCS member <see cref="Member"/> (an index into <see cref="DcsSpec.Members"/>) crashes and, after <see cref="FaultSpec.For"/>, restarts with its data.</summary>
public sealed record DcsMemberCrashFault(Duration At, Duration? For, int Member) : FaultSpec(At, For);

/// <summary>
/// The node's clock runs at <see cref="Rate"/> times real speed (1.5: fast, timers fire early;
/// 0.5: slow, timers fire late). It affects the agent's timers (loop_wait, retry deadlines, the
/// watchdog's keepalive schedule), not the DCS's lease expiry, which the DCS members' clocks decide.
/// </summary>
public sealed record ClockDriftFault(Duration At, Duration? For, NodeId Node, double Rate) : FaultSpec(At, For);
