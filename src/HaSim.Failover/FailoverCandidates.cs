using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// Patroni's <c>is_failover_possible</c>: before a primary holding the key gives up (S2, R1) it
/// checks that some other member could take over. Pure; the controller queries the peers.
/// </summary>
internal static class FailoverCandidates
{
    /// <summary>Members other than me with an API and without nofailover; with sync active, only /sync members (<c>get_failover_candidates</c>).</summary>
    public static NodeSet Peers(NodeId self, FailoverSettings settings, ClusterView view)
    {
        var ids = view.Members
            .Where(m => m.Id != self && m.HasApi && !m.Tags.NeverPromote)
            .Select(m => m.Id);
        if (LeaderRace.SyncActive(settings, view))
        {
            ids = ids.Where(view.Sync!.SyncStandbys.Contains);
        }
        return NodeSet.Of(ids);
    }

    /// <summary>A candidate qualifies when reachable, eligible, not lagging beyond maximum_lag_on_failover and, with check_timeline, not behind.</summary>
    public static bool AnyQualifies(FailoverSettings settings, ClusterView view, IReadOnlyList<(NodeId Peer, PeerReport? Report)> answers) =>
        answers.Any(a => a.Report is { NoFailover: false, WatchdogFailed: false } report
            && !(view.LastLeaderOptime is { } optime && optime - report.Wal > settings.MaximumLagOnFailover)
            && !(settings.CheckTimeline && view.Timeline is { } timeline && report.Timeline < timeline));
}
