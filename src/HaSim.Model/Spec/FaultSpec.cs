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
public sealed record PartitionFault(Duration At, Duration? For, IReadOnlyList<NodeId> From, IReadOnlyList<NodeId> To) : FaultSpec(At, For);

/// <summary>The links from <see cref="From"/> to <see cref="To"/> get another latency or loss while the fault lasts.</summary>
public sealed record LinkFault(Duration At, Duration? For, IReadOnlyList<NodeId> From, IReadOnlyList<NodeId> To,
    LatencyDistribution? Latency, double? LossProbability) : FaultSpec(At, For);

/// <summary>No write or flush completes on the node's WAL disk while the fault lasts; operations resume when it heals.</summary>
public sealed record DiskStallFault(Duration At, Duration? For, NodeId Node) : FaultSpec(At, For);

/// <summary>
/// The node's machine crashes: WAL written but not yet flushed is lost, messages to it are lost,
/// and after <see cref="FaultSpec.For"/> it restarts, recovers and asks the primary to stream
/// from its flushed position. Crashing the primary needs automatic failover, which the
/// simulator does not host yet, so only standbys and storage nodes may crash.
/// </summary>
public sealed record CrashFault(Duration At, Duration? For, NodeId Node) : FaultSpec(At, For);

/// <summary>
/// The node's whole machine stops (a VM pause, a long stop-the-world): it processes nothing,
/// sends nothing and its disk completes nothing until the pause ends; then everything that
/// waited is handled at once, in order. Works on any node, the primary included.
/// </summary>
public sealed record PauseFault(Duration At, Duration? For, NodeId Node) : FaultSpec(At, For);
