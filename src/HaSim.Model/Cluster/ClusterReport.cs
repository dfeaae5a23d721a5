using HaSim.Kernel;
using HaSim.Kernel.Statistics;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>One row of the lag time series: what pg_stat_replication shows for one standby at one moment.</summary>
public readonly record struct LagSample(
    Instant Time,
    NodeId Standby,
    long CurrentLsn,
    long SentLsn,
    long WriteLsn,
    long FlushLsn,
    long ReplayLsn,
    Duration WriteLag,
    Duration FlushLag,
    Duration ReplayLag);

/// <summary>Receives the lag time series as the run produces it, so memory does not grow with simulated time.</summary>
public interface ILagSampleSink
{
    void Write(in LagSample sample);
}

/// <summary>The measurements of one run of a cluster model, after its warm-up.</summary>
public sealed record ClusterRunReport
{
    public required string ModelName { get; init; }
    public required ulong Seed { get; init; }
    public required ulong TraceHash { get; init; }
    public required RunResult Run { get; init; }

    /// <summary>Set when the run could not complete (event bound reached, a queue overflowed).</summary>
    public string? Failure { get; init; }

    public required Duration Measured { get; init; }
    public required long Commits { get; init; }
    public required long Reads { get; init; }

    /// <summary>Commit latency in nanoseconds: from the commit request reaching the primary to its acknowledgement.</summary>
    public required LogLinearHistogram CommitLatency { get; init; }

    /// <summary>For reads on replicas: how old the newest acknowledged commit the replica had not yet replayed was, in nanoseconds (0 when caught up).</summary>
    public required LogLinearHistogram ReadStaleness { get; init; }

    public required IReadOnlyList<StandbyReport> Standbys { get; init; }

    /// <summary>Semi-sync only: how often the primary fell back to asynchronous replication, and for how long in all.</summary>
    public long SemiSyncFallbacks { get; init; }
    public Duration SemiSyncAsyncTime { get; init; }

    /// <summary>With automatic failover: what the agents and clients did; null for a fixed primary.</summary>
    public FailoverRunReport? Failover { get; init; }

    public double CommitsPerSecond => Measured > Duration.Zero ? Commits / Measured.TotalSeconds : 0;

    public string Fingerprint => Trace.FormatFingerprint(Seed, TraceHash);
}

/// <summary>One downstream node as the primary sees it (pg_stat_replication) and as measured.</summary>
public sealed record StandbyReport
{
    public required string Name { get; init; }
    public required NodeRole Role { get; init; }
    public required string Zone { get; init; }

    /// <summary>How this node takes part in commits: "sync", "quorum", "async", ...</summary>
    public required string SyncState { get; init; }

    public required Lsn SentLsn { get; init; }
    public required Lsn WriteLsn { get; init; }
    public required Lsn FlushLsn { get; init; }
    public required Lsn ReplayLsn { get; init; }

    /// <summary>Lag times (nanoseconds) as pg_stat_replication computes them, one value per reply received.</summary>
    public required LogLinearHistogram WriteLag { get; init; }
    public required LogLinearHistogram FlushLag { get; init; }
    public required LogLinearHistogram ReplayLag { get; init; }

    /// <summary>The primary's current LSN minus the replayed LSN the standby reported, in bytes, per reply.</summary>
    public required LogLinearHistogram LagBytes { get; init; }

    /// <summary>Time-average number of acknowledged commits not yet durable (flushed) on this node: what losing the primary now would lose if this node were promoted.</summary>
    public required double MeanNotDurableCommits { get; init; }

    /// <summary>Mean time from a commit's acknowledgement to its flush on this node (0 for commits it already held when acknowledged), in seconds.</summary>
    public required double MeanDurabilityDelaySeconds { get; init; }

    /// <summary>How often the primary dropped this node after wal_sender_timeout of silence, and for how long in all (whole run).</summary>
    public required long Disconnections { get; init; }
    public required Duration DisconnectedTime { get; init; }
}

/// <summary>What happened in a failover run, beside the history the checkers judge.</summary>
public sealed record FailoverRunReport
{
    /// <summary>What the controller changed in the settings (Patroni's adjustments), one line each.</summary>
    public required IReadOnlyList<string> SettingsWarnings { get; init; }

    public required long Promotions { get; init; }
    public required long WatchdogResets { get; init; }
    public required long Rewinds { get; init; }

    /// <summary>Client writes by outcome, over the whole run (warm-up included).</summary>
    public required long Acknowledged { get; init; }
    public required long Failed { get; init; }
    public required long Unknown { get; init; }

    /// <summary>How often the write endpoint moved to another node (or to none).</summary>
    public required long RouteChanges { get; init; }

    /// <summary>Nodes running as primary when the run ended, and the one the endpoint routed to.</summary>
    public required IReadOnlyList<string> FinalPrimaries { get; init; }
    public required string? FinalRoute { get; init; }

    /// <summary>The leader key's holder in the DCS when the run ended, if any.</summary>
    public required string? FinalLeaderKey { get; init; }

    /// <summary>Every change of the leader key's holder (null: no key), from the start of the run.</summary>
    public required IReadOnlyList<LeaderKeyChange> LeaderKeyChanges { get; init; }
}

/// <summary>From <see cref="At"/> on, <see cref="Holder"/> (a node name) held the leader key; null: nobody did.</summary>
public readonly record struct LeaderKeyChange(Instant At, string? Holder);
