using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// etcd's raft timing: <c>--heartbeat-interval</c> and <c>--election-timeout</c> (defaults 100 ms
/// and 1000 ms). A follower that hears nothing from its leader for the election timeout campaigns;
/// a follower that missed entries gets them on the leader's next heartbeat (the leader answers a
/// heartbeat response from a follower behind its log with the missing entries: raft's
/// <c>stepLeader</c>, <c>MsgHeartbeatResp</c>, <c>if pr.Match &lt; lastIndex { sendAppend }</c>), so it
/// catches up about one heartbeat interval after it can hear the leader again. Plus how long a
/// restarted member waits to rejoin the cluster before it serves clients
/// (<see cref="WaitClusterReadyTimeout"/>).
/// </summary>
public sealed record RaftSettings
{
    /// <summary>etcd 3.6's default for <c>--experimental-wait-cluster-ready-timeout</c>.</summary>
    public static readonly Duration DefaultWaitClusterReadyTimeout = Duration.FromSeconds(5);

    public static readonly RaftSettings EtcdDefaults = new(Duration.FromMilliseconds(100), Duration.FromMilliseconds(1000));

    private readonly Duration? _waitClusterReadyTimeout = DefaultWaitClusterReadyTimeout;

    public RaftSettings(Duration heartbeatInterval, Duration electionTimeout)
    {
        if (heartbeatInterval <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(heartbeatInterval), $"heartbeat-interval must be positive, not {heartbeatInterval}");
        }
        // etcd refuses to start otherwise ("--election-timeout should be at least as 5 times as --heartbeat-interval").
        if (electionTimeout < heartbeatInterval * 5)
        {
            throw new ArgumentOutOfRangeException(nameof(electionTimeout),
                $"election-timeout {electionTimeout} must be at least 5 x heartbeat-interval {heartbeatInterval}, as etcd requires");
        }
        HeartbeatInterval = heartbeatInterval;
        ElectionTimeout = electionTimeout;
    }

    public Duration HeartbeatInterval { get; }
    public Duration ElectionTimeout { get; }

    /// <summary>
    /// How long a restarted member waits to be ready before it serves clients anyway; null: it waits
    /// for ever, as etcd 3.5 and earlier do.
    /// </summary>
    /// <remarks>
    /// A (re)started etcd member serves no client request, serializable reads included, until its
    /// server is ready: until it has published its attributes to the cluster through raft
    /// (<c>EtcdServer.publish</c> closes <c>readych</c> once the proposal is applied locally, by which
    /// time the member has applied every entry before it), and <c>embed/serve.go</c> waits on
    /// <c>ReadyNotify()</c> before it serves the client port. In etcd 3.5 that wait has no end, so a
    /// member restarted without a quorum never answers (etcd-io/etcd#13524); etcd 3.6 bounds it by
    /// <c>--experimental-wait-cluster-ready-timeout</c> (default 5 s, etcd-io/etcd#13525, "so that
    /// the etcd server can continue to serve serializable read request"), after which the member
    /// answers serializable reads from what it had on disk. Zero serves at once.
    /// </remarks>
    public Duration? WaitClusterReadyTimeout
    {
        get => _waitClusterReadyTimeout;
        init
        {
            if (value is { IsNegative: true } negative)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"wait-cluster-ready-timeout must be 0 or more, not {negative}");
            }
            _waitClusterReadyTimeout = value;
        }
    }
}
