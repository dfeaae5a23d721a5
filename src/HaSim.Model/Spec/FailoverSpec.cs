using HaSim.Failover;
using HaSim.Kernel.Distributions;
using HaSim.Model.Dcs;
using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Spec;

/// <summary>Which agent runs beside every database node (a model's <c>failover.agent</c>).</summary>
public enum FailoverAgent
{
    /// <summary>Patroni's HA loop, the <see cref="FailoverController"/>, against the DCS.</summary>
    Patroni,

    /// <summary>
    /// The <see cref="NaiveFailoverScript"/>: a hand-rolled heartbeat script with no DCS, no quorum and
    /// no fencing. A deliberate, opt-in departure from Patroni, for reproducing split brains.
    /// </summary>
    NaiveScript,
}

/// <summary>
/// Automatic failover (a model's <c>failover</c> section): a Patroni-style agent hosting the
/// <see cref="FailoverController"/> beside every database node, an etcd-like DCS, an HAProxy-style
/// write endpoint, and clients that reach it and retry. Without this section the primary is fixed.
/// With <see cref="Agent"/> <see cref="FailoverAgent.NaiveScript"/> the agents run the
/// <see cref="NaiveFailoverScript"/> instead, and there is no DCS (<see cref="DcsSpec.Members"/> is empty).
/// </summary>
public sealed record FailoverSpec
{
    public FailoverAgent Agent { get; init; } = FailoverAgent.Patroni;

    /// <summary>The naive script's settings (per-node tags come from <see cref="Tags"/>); used only with <see cref="FailoverAgent.NaiveScript"/>.</summary>
    public NaiveScriptSettings NaiveScript { get; init; } = new();

    /// <summary>How often each agent runs: Patroni's loop_wait (as Patroni adjusts it) or the script's heartbeat_interval.</summary>
    public Duration AgentPeriod => Agent == FailoverAgent.NaiveScript ? NaiveScript.HeartbeatInterval : Settings.Adjust().Settings.LoopWait;

    /// <summary>Patroni's settings, shared by every agent (per-node tags come from <see cref="Tags"/>).</summary>
    public required FailoverSettings Settings { get; init; }

    /// <summary>Patroni's tags (<c>nofailover</c>, <c>failover_priority</c>, ...) by node id; one entry per node.</summary>
    public required IReadOnlyList<MemberTags> Tags { get; init; }

    /// <summary>Patroni's <c>scope</c>: the cluster's key prefix in the DCS (<c>/service/&lt;scope&gt;/</c>).</summary>
    public string Scope { get; init; } = "hasim";

    public required DcsSpec Dcs { get; init; }

    /// <summary>How long the database takes for what the agent asks of it.</summary>
    public DatabaseTimings Database { get; init; } = DatabaseTimings.Defaults;

    /// <summary>The write endpoint's health checks of each node's <c>/primary</c> REST endpoint.</summary>
    public HealthCheckSettings HealthCheck { get; init; } = HealthCheckSettings.PatroniTemplate;

    public required ClientSpec Clients { get; init; }

    /// <summary>Whether every node has a watchdog device (softdog); with <c>watchdog.mode: required</c> and none, no node can lead.</summary>
    public bool WatchdogDevice { get; init; } = true;
}

/// <summary>The etcd-like DCS: its members, each in a zone, and its raft timing. No members: no DCS (the naive script's models).</summary>
public sealed record DcsSpec
{
    public required IReadOnlyList<DcsMember> Members { get; init; }

    public RaftSettings Raft { get; init; } = RaftSettings.EtcdDefaults;

    /// <summary>
    /// How long an agent waits for one DCS request before counting the attempt as failed and
    /// letting the controller retry it (Patroni's etcd3 client uses a read timeout of this order).
    /// </summary>
    public Duration RequestTimeout { get; init; } = Duration.FromSeconds(2);
}

/// <summary>Durations of database actions, each drawn per action from its distribution.</summary>
public sealed record DatabaseTimings
{
    /// <summary><c>pg_ctl promote</c> until the node accepts writes (end of recovery, new timeline, checkpoint request).</summary>
    public required LatencyDistribution Promote { get; init; }

    /// <summary>A fast shutdown (<c>pg_ctl stop -m fast</c>): sessions are terminated, then a shutdown checkpoint.</summary>
    public required LatencyDistribution FastStop { get; init; }

    /// <summary>An immediate shutdown (<c>-m immediate</c>): processes are killed, no checkpoint.</summary>
    public required LatencyDistribution ImmediateStop { get; init; }

    /// <summary>Starting PostgreSQL until it accepts connections (crash recovery of a short WAL tail included).</summary>
    public required LatencyDistribution Start { get; init; }

    /// <summary><c>pg_rewind</c> of a diverged former primary before it can follow the new one.</summary>
    public required LatencyDistribution Rewind { get; init; }

    public static DatabaseTimings Defaults { get; } = new()
    {
        Promote = new ConstantLatency(Duration.FromMilliseconds(500)),
        FastStop = new ConstantLatency(Duration.FromSeconds(1)),
        ImmediateStop = new ConstantLatency(Duration.FromMilliseconds(100)),
        Start = new ConstantLatency(Duration.FromSeconds(2)),
        Rewind = new ConstantLatency(Duration.FromSeconds(5)),
    };
}

/// <summary>
/// The application's clients: where they run (their network distance to each node), how they
/// retry, and how long one attempt may wait for its answer before the client gives up on it.
/// </summary>
public sealed record ClientSpec
{
    /// <summary>The zone the clients and the write endpoint (HAProxy) run in.</summary>
    public required ZoneId Zone { get; init; }

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>An attempt unanswered for this long ends with an unknown outcome ("maybe").</summary>
    public Duration RequestTimeout { get; init; } = Duration.FromSeconds(30);
}
