using HaSim.Kernel.Distributions;
using HaSim.Primitives;

namespace HaSim.Model.Spec;

// The validated, typed form of a model file. The loader (HaSim.Experiments) builds it and reports
// every problem with file, line and column; the simulation trusts it. Entities refer to each other
// by dense ids (indexes into the lists below), never by name lookups at run time.

/// <summary>A whole cluster model: topology, network, replication, workload and run length.</summary>
public sealed record ClusterSpec
{
    public required string Name { get; init; }

    /// <summary>Simulated time that is measured, after the warm-up.</summary>
    public required Duration Duration { get; init; }

    /// <summary>Simulated time run before measuring starts, so queues and lags reach steady state.</summary>
    public required Duration Warmup { get; init; }

    /// <summary>How often replication positions and lags are sampled into the lag time series.</summary>
    public required Duration SampleInterval { get; init; }

    public required IReadOnlyList<RegionSpec> Regions { get; init; }
    public required IReadOnlyList<ZoneSpec> Zones { get; init; }
    public required IReadOnlyList<NodeSpec> Nodes { get; init; }
    public required NetworkSpec Network { get; init; }
    public required ReplicationSpec Replication { get; init; }
    public required WorkloadSpec Workload { get; init; }

    /// <summary>Automatic failover, or null for a fixed primary.</summary>
    public FailoverSpec? Failover { get; init; }

    /// <summary>Faults injected during the run, in the order given.</summary>
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];

    /// <summary>The hard bound on events for one run (DESIGN.md, rule 9).</summary>
    public long MaxEvents { get; init; } = Kernel.RunLimits.DefaultMaxEvents;

    public NodeId Primary => Nodes.Single(n => n.Role == NodeRole.Primary).Id;

    public Duration TotalTime => Warmup + Duration;
}

public sealed record RegionSpec(RegionId Id, string Name);

public sealed record ZoneSpec(ZoneId Id, string Name, RegionId Region);

public enum NodeRole
{
    /// <summary>The writable PostgreSQL primary (or the Aurora-style writer).</summary>
    Primary,
    /// <summary>A PostgreSQL streaming-replication standby: receives, writes, flushes and replays WAL.</summary>
    Standby,
    /// <summary>An Aurora-style storage node: receives and persists log records, never replays or serves.</summary>
    Storage,
}

public sealed record NodeSpec
{
    public required NodeId Id { get; init; }
    public required string Name { get; init; }
    public required ZoneId Zone { get; init; }
    public required NodeRole Role { get; init; }

    /// <summary>Time to hand WAL to the operating system (write, before fsync).</summary>
    public required LatencyDistribution WalWrite { get; init; }

    /// <summary>Time for one WAL fsync on this node's disk.</summary>
    public required LatencyDistribution WalFlush { get; init; }

    /// <summary>How fast the startup process replays WAL, in bytes per second.</summary>
    public required double ReplayBytesPerSecond { get; init; }
}

public sealed record NetworkSpec
{
    /// <summary>One-way latency between nodes in the same zone.</summary>
    public required LatencyDistribution SameZone { get; init; }

    /// <summary>One-way latency between zones of one region.</summary>
    public required LatencyDistribution CrossZone { get; init; }

    /// <summary>One-way latency between regions.</summary>
    public required LatencyDistribution CrossRegion { get; init; }

    /// <summary>Bandwidth of every link unless overridden, in bytes per second.</summary>
    public required double BandwidthBytesPerSecond { get; init; }

    /// <summary>Probability that a message is lost once and must be retransmitted.</summary>
    public required double LossProbability { get; init; }

    /// <summary>What a loss costs: TCP's retransmission timeout (Linux's minimum RTO is 200 ms).</summary>
    public required Duration RetransmissionTimeout { get; init; }

    /// <summary>Per-direction overrides, applied after the defaults, later ones winning.</summary>
    public required IReadOnlyList<LinkOverride> Overrides { get; init; }
}

/// <summary>Overrides for the link from one node to another (one direction).</summary>
public sealed record LinkOverride(NodeId From, NodeId To, LatencyDistribution? Latency, double? BandwidthBytesPerSecond, double? LossProbability);

/// <summary>PostgreSQL's synchronous_commit levels.</summary>
public enum SynchronousCommit
{
    /// <summary>Acknowledge before the commit record is flushed anywhere.</summary>
    Off,
    /// <summary>Wait for the local flush only.</summary>
    Local,
    /// <summary>Also wait for the synchronous standbys to write (not flush) the commit record.</summary>
    RemoteWrite,
    /// <summary>Also wait for the synchronous standbys to flush the commit record.</summary>
    On,
    /// <summary>Also wait for the synchronous standbys to replay the commit record.</summary>
    RemoteApply,
}

public sealed record ReplicationSpec
{
    public required SynchronousCommit SynchronousCommit { get; init; }

    /// <summary>synchronous_standby_names, parsed; null when empty (no synchronous standbys).</summary>
    public SyncStandbyNames? SynchronousStandbyNames { get; init; }

    /// <summary>Aurora-style storage quorum; when set, commits wait for this many storage nodes and no local flush.</summary>
    public StorageQuorumSpec? StorageQuorum { get; init; }

    /// <summary>MySQL-style semi-synchronous replication; when set, it replaces synchronous_standby_names.</summary>
    public SemiSyncSpec? SemiSync { get; init; }

    /// <summary>Whether commits waiting for the same WAL flush share it (PostgreSQL always does; off is for validation).</summary>
    public bool GroupCommit { get; init; } = true;

    /// <summary>
    /// PostgreSQL's wal_sender_timeout: a standby the primary has not heard from for this long is
    /// disconnected, and stops counting for synchronous commit until it replies again.
    /// </summary>
    public Duration WalSenderTimeout { get; init; } = Duration.FromSeconds(60);
}

/// <summary>A write quorum over the storage nodes: Aurora writes 6 copies and waits for 4.</summary>
public sealed record StorageQuorumSpec(int WriteQuorum);

/// <summary>
/// MySQL semi-synchronous replication (AFTER_SYNC): a commit waits, after its local flush, until
/// <see cref="WaitForReplicaCount"/> replicas acknowledge receiving it; when none does within
/// <see cref="Timeout"/>, the primary falls back to asynchronous replication until a replica catches up.
/// </summary>
public sealed record SemiSyncSpec(int WaitForReplicaCount, Duration Timeout);

public enum ReadRouting
{
    Primary,
    Replicas,
}

public sealed record WorkloadSpec
{
    /// <summary>Open-loop Poisson transactions per second (reads and writes together), or null.</summary>
    public double? OpenLoopRate { get; init; }

    /// <summary>Closed-loop clients, each waiting for its transaction before thinking and starting the next, or null.</summary>
    public ClosedLoopSpec? ClosedLoop { get; init; }

    /// <summary>WAL bytes a write transaction generates (its commit record included).</summary>
    public required SizeDistribution TransactionSize { get; init; }

    /// <summary>The fraction of transactions that only read.</summary>
    public double ReadFraction { get; init; }

    public ReadRouting ReadRouting { get; init; } = ReadRouting.Primary;
}

public sealed record ClosedLoopSpec(int Clients, LatencyDistribution ThinkTime);
