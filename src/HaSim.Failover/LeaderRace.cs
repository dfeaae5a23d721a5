using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>Whether this node is fit to take the leader key, and why (Patroni's log message).</summary>
public sealed record RaceVerdict(bool Healthiest, string Reason);

/// <summary>
/// What a race needs before it can be judged: either a verdict reached without asking anyone, or
/// the peers to query (<c>GET /patroni</c>) and what to compare their answers against.
/// </summary>
internal sealed record RacePlan(RaceVerdict? Decided, NodeSet Peers, Lsn MyWal, NodeId? FormerLeader, bool IgnoreFormerLeaderAhead);

/// <summary>
/// Patroni's <c>is_healthiest_node</c> and <c>_is_healthiest_node</c> (patroni.md 1.5), split at the
/// point where the peers have to be asked. Pure: the controller supplies the views and the answers.
/// Not modelled: manual failover keys, pause, pre_promote back-off, quorum mode.
/// </summary>
internal static class LeaderRace
{
    public static RacePlan Plan(
        NodeId self, FailoverSettings settings, DatabaseStatus db, ClusterView view, ClusterView? oldCluster, bool watchdogHealthy)
    {
        RacePlan Decide(bool healthiest, string reason) => new(new RaceVerdict(healthiest, reason), NodeSet.Empty, db.LastOperation, null, false);

        // Step 3: a starting database cannot lead.
        if (db.Role == DatabaseRole.Starting)
        {
            return Decide(false, "postgres is starting");
        }
        // Step 4 (T1): a running primary skips the LSN comparison but not the timeline check (PR #2787).
        if (db.Role == DatabaseRole.Primary)
        {
            return view.Timeline is { } clusterTimeline && db.Timeline < clusterTimeline
                ? Decide(false, $"My timeline {db.Timeline} is behind last known cluster timeline {clusterTimeline}")
                : Decide(true, "running primary");
        }
        // Step 6: nofailover, or failover_priority <= 0.
        if (settings.NeverPromote)
        {
            return Decide(false, "I am not allowed to promote");
        }
        // Step 8.
        if (!watchdogHealthy)
        {
            return Decide(false, "watchdog is required but cannot be activated");
        }

        // Step 9: competitors are the members of the last view that had a leader plus the current ones.
        var competitors = NodeSet.Of(view.Members.Select(m => m.Id));
        if (oldCluster is not null)
        {
            competitors = competitors.Union(NodeSet.Of(oldCluster.Members.Select(m => m.Id)));
        }
        if (settings.FailsafeMode && view.Failsafe is { IsEmpty: false } failsafe)
        {
            if (!failsafe.Contains(self))
            {
                return Decide(false, "not a member of /failsafe");
            }
            competitors = competitors.Union(failsafe);
        }

        // Step 10: with synchronous_mode active only the /sync leader or a listed standby may race,
        // and only against the others listed there.
        var syncActive = SyncActive(settings, view);
        if (syncActive)
        {
            var sync = view.Sync!;
            if (!sync.Lists(self))
            {
                return Decide(false, "not a synchronous standby");
            }
            competitors = competitors.Intersect(sync.Members);
        }

        // _is_healthiest_node: lag against the optime the leader last published in /status.
        var myWal = db.LastOperation;
        if (view.LastLeaderOptime is { } optime && optime - myWal > settings.MaximumLagOnFailover)
        {
            return Decide(false, $"my wal position {myWal} lags the last leader optime {optime} by more than maximum_lag_on_failover");
        }
        if (settings.CheckTimeline && view.Timeline is { } timeline && db.Timeline < timeline)
        {
            return Decide(false, $"My timeline {db.Timeline} is behind last known cluster timeline {timeline}");
        }

        // Peers queried: every competitor but me that publishes an API and is not nofailover by its DCS tags.
        var peers = NodeSet.Of(competitors.Where(id => id != self && Queryable(id, view, oldCluster)));
        var formerLeader = syncActive ? view.Sync!.Leader : oldCluster?.Leader?.Holder;
        return new RacePlan(null, peers, myWal, formerLeader, syncActive);
    }

    /// <summary>
    /// Judges the peers' answers. Unreachable, nofailover and watchdog_failed peers are ignored
    /// (<c>failover_limitation</c>); any other peer that is primary, or ahead of me, blocks me; at
    /// equal LSN a higher failover_priority blocks me unless that peer is the former leader.
    /// Peers are examined in id order so the reason reported is deterministic.
    /// </summary>
    public static RaceVerdict Judge(RacePlan plan, FailoverSettings settings, IReadOnlyList<(NodeId Peer, PeerReport? Report)> answers)
    {
        if (plan.Decided is { } decided)
        {
            return decided;
        }
        foreach (var (peer, report) in answers.OrderBy(a => a.Peer))
        {
            if (report is null || report.NoFailover || report.WatchdogFailed)
            {
                continue;
            }
            if (report.IsPrimary)
            {
                return new RaceVerdict(false, $"Primary ({peer}) is still alive");
            }
            // PR #1059: the former leader in /sync may be ahead; it is down or it would hold the key.
            if (report.Wal > plan.MyWal && !(plan.IgnoreFormerLeaderAhead && peer == plan.FormerLeader))
            {
                return new RaceVerdict(false, $"Wal position of {peer} is ahead of my wal position");
            }
            if (report.Wal == plan.MyWal && report.Wal != Lsn.Zero
                && settings.FailoverPriority < report.FailoverPriority && peer != plan.FormerLeader)
            {
                return new RaceVerdict(false, $"{peer} has equally tolerable WAL position and priority {report.FailoverPriority}, while this node has priority {settings.FailoverPriority}");
            }
        }
        return new RaceVerdict(true, "no reachable peer is ahead of me");
    }

    /// <summary>Patroni's <c>sync_mode_is_active</c>: synchronous_mode on and /sync names a leader.</summary>
    public static bool SyncActive(FailoverSettings settings, ClusterView view) =>
        settings.SynchronousMode == SynchronousMode.On && view.Sync?.Leader is not null;

    private static bool Queryable(NodeId id, ClusterView view, ClusterView? oldCluster)
    {
        var member = view.Member(id) ?? oldCluster?.Member(id);
        // A /failsafe member missing from both views still has an API: the leader listed it by its api_url.
        return member is null || (member.HasApi && !member.Tags.NeverPromote);
    }
}
