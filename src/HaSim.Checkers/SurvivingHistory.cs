using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>One timeline of the surviving lineage and how far of its WAL belongs to the surviving history.</summary>
public readonly record struct LineageStep(Term Timeline, Lsn End)
{
    public override string ToString() => $"{Timeline} to {End}";
}

/// <summary>
/// The history that survives the run, as PostgreSQL defines it with timelines: the survivor's own
/// timeline up to its WAL end, then, walking its .history chain backwards, each ancestor timeline
/// up to the switch point where the lineage left it. A commit survives iff its timeline is on this
/// chain and its commit record ends at or before that timeline's limit; WAL of an ancestor beyond
/// the switch point, and any sibling timeline, is not part of it (pg_rewind throws it away).
/// </summary>
public sealed class SurvivingHistory
{
    private readonly LineageStep[] lineage;

    private SurvivingHistory(NodeWalEnd survivor, bool isPrimary, LineageStep[] lineage)
    {
        Node = survivor.Node;
        IsPrimary = isPrimary;
        this.lineage = lineage;
    }

    /// <summary>The node whose history survives.</summary>
    public NodeId Node { get; }

    /// <summary>Whether that node was a writable primary at the end (false when the run ended without one).</summary>
    public bool IsPrimary { get; }

    /// <summary>The survivor's timeline first, then its ancestors, each with the end of its surviving WAL.</summary>
    public IReadOnlyList<LineageStep> Lineage => lineage;

    public Term Timeline => lineage[0].Timeline;

    /// <summary>Whether WAL ending at <paramref name="endLsn"/> on <paramref name="timeline"/> is part of the surviving history.</summary>
    public bool Contains(Term timeline, Lsn endLsn)
    {
        foreach (var step in lineage)
        {
            if (step.Timeline == timeline)
            {
                return endLsn <= step.End;
            }
        }
        return false;
    }

    /// <summary>E.g. <c>node1 (primary): term3 to 0/5000 &lt;- term2 to 0/4000 &lt;- term1 to 0/3000</c>.</summary>
    public override string ToString() =>
        $"{Node} ({(IsPrimary ? "primary" : "no primary at the end; most advanced node")}): {string.Join(" <- ", lineage)}";

    /// <summary>
    /// The survivor is the writable primary at the end of the run. Without exactly one, the choice is
    /// the node a failover would continue from, by an explicit order: primaries first, then the
    /// highest timeline, the highest WAL end, the lowest node id.
    /// </summary>
    internal static SurvivingHistory Choose(NodeWalEnd[] walEnds, RoleInterval[] roles, TimelineSwitch[] switchesByNewTimeline)
    {
        NodeWalEnd? best = null;
        var bestIsPrimary = false;
        foreach (var candidate in walEnds)
        {
            var isPrimary = roles.Any(r => r.Node == candidate.Node && r.To is null && r.Role == NodeRole.Primary);
            if (best is null || Better(candidate, isPrimary, best, bestIsPrimary))
            {
                best = candidate;
                bestIsPrimary = isPrimary;
            }
        }
        return new SurvivingHistory(best!, bestIsPrimary, Trace(best!, switchesByNewTimeline));
    }

    private static bool Better(NodeWalEnd a, bool aPrimary, NodeWalEnd b, bool bPrimary) =>
        aPrimary != bPrimary ? aPrimary
        : a.Timeline != b.Timeline ? a.Timeline > b.Timeline
        : a.WalEnd != b.WalEnd ? a.WalEnd > b.WalEnd
        : a.Node.CompareTo(b.Node) < 0;

    /// <summary>Walks the .history chain from the survivor's timeline to the root; it ends because every switch goes to a lower parent.</summary>
    private static LineageStep[] Trace(NodeWalEnd survivor, TimelineSwitch[] switchesByNewTimeline)
    {
        var steps = new List<LineageStep> { new(survivor.Timeline, survivor.WalEnd) };
        var timeline = survivor.Timeline;
        while (Array.Find(switchesByNewTimeline, s => s.NewTimeline == timeline) is { } origin)
        {
            steps.Add(new LineageStep(origin.Parent, origin.SwitchLsn));
            timeline = origin.Parent;
        }
        return steps.ToArray();
    }
}
