using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// The immutable record of one run that every checker and meter reads: client writes, node roles,
/// promotions (timeline switches), faults and each node's WAL at the end. Made by
/// <see cref="RunHistoryBuilder.Build"/>; every list has an explicit order, so results over it are
/// deterministic. The run spans [<see cref="Instant.Start"/>, <see cref="End"/>].
/// </summary>
public sealed class RunHistory
{
    internal RunHistory(Instant end, CommitRecord[] commits, RoleInterval[] roles, TimelineSwitch[] switches, FaultWindow[] faults, NodeWalEnd[] walEnds)
    {
        End = end;
        Commits = commits;
        Roles = roles;
        Switches = switches;
        Faults = faults;
        WalEnds = walEnds;
        Survivor = SurvivingHistory.Choose(walEnds, roles, switches);
        AcceptedIntervals = DeriveAcceptedIntervals(commits);
    }

    public Instant Start => Instant.Start;
    public Instant End { get; }

    /// <summary>Client writes, by id (submission order).</summary>
    public IReadOnlyList<CommitRecord> Commits { get; }

    /// <summary>Role spans, by start then node.</summary>
    public IReadOnlyList<RoleInterval> Roles { get; }

    /// <summary>Promotions, by new timeline (which is also their creation order in PostgreSQL).</summary>
    public IReadOnlyList<TimelineSwitch> Switches { get; }

    /// <summary>Faults, by start, then end, then kind (ordinal).</summary>
    public IReadOnlyList<FaultWindow> Faults { get; }

    /// <summary>Each recorded node's WAL at the end, by node.</summary>
    public IReadOnlyList<NodeWalEnd> WalEnds { get; }

    /// <summary>The history a client reads after the run, against which durability is judged.</summary>
    public SurvivingHistory Survivor { get; }

    /// <summary>Per (node, timeline), the span of its accepted commits, by start, then node, then timeline.</summary>
    public IReadOnlyList<AcceptedInterval> AcceptedIntervals { get; }

    /// <summary>Whether the commit's WAL is part of the surviving history.</summary>
    public bool Survives(in CommitRecord commit) => commit.Placement is { } p && Survivor.Contains(p.Timeline, p.EndLsn);

    private static AcceptedInterval[] DeriveAcceptedIntervals(CommitRecord[] commits)
    {
        var spans = new SortedDictionary<(NodeId Node, Term Timeline), (Instant From, Instant To, int Commits)>();
        foreach (var commit in commits)
        {
            if (commit.Placement is not { } p)
            {
                continue;
            }
            var key = (p.Node, p.Timeline);
            spans[key] = spans.TryGetValue(key, out var span)
                ? (Instant.Min(span.From, p.AcceptedAt), Instant.Max(span.To, p.AcceptedAt), span.Commits + 1)
                : (p.AcceptedAt, p.AcceptedAt, 1);
        }
        var result = spans.Select(static s => new AcceptedInterval(s.Key.Node, s.Key.Timeline, s.Value.From, s.Value.To, s.Value.Commits)).ToArray();
        Array.Sort(result, static (a, b) =>
            a.From != b.From ? a.From.CompareTo(b.From)
            : a.Node != b.Node ? a.Node.CompareTo(b.Node)
            : a.Timeline.CompareTo(b.Timeline));
        return result;
    }
}
