using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// etcd's raft timing: <c>--heartbeat-interval</c> and <c>--election-timeout</c> (defaults 100 ms
/// and 1000 ms). A follower that hears nothing from its leader for the election timeout campaigns;
/// a follower that missed entries gets them on the leader's next heartbeat (the leader answers a
/// heartbeat response from a follower behind its log with the missing entries: raft's
/// <c>stepLeader</c>, <c>MsgHeartbeatResp</c>, <c>if pr.Match &lt; lastIndex { sendAppend }</c>), so it
/// catches up about one heartbeat interval after it can hear the leader again.
/// </summary>
public sealed record RaftSettings
{
    public static readonly RaftSettings EtcdDefaults = new(Duration.FromMilliseconds(100), Duration.FromMilliseconds(1000));

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
}
