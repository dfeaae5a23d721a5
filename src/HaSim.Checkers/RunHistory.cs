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
    internal RunHistory(Instant end, CommitChunks commits, AcceptedInterval[] acceptedIntervals, RoleInterval[] roles, TimelineSwitch[] switches,
        FaultWindow[] faults, NodeWalEnd[] walEnds)
    {
        End = end;
        CommitChunks = commits;
        Roles = roles;
        Switches = switches;
        Faults = faults;
        WalEnds = walEnds;
        Survivor = SurvivingHistory.Choose(walEnds, roles, switches);
        AcceptedIntervals = acceptedIntervals;
    }

    public Instant Start => Instant.Start;
    public Instant End { get; }

    /// <summary>Client writes, by id (submission order).</summary>
    public IReadOnlyList<CommitRecord> Commits => CommitChunks;

    /// <summary><see cref="Commits"/> in chunks, for checkers that read every record: by reference, no copies.</summary>
    internal CommitChunks CommitChunks { get; }

    /// <summary>
    /// Hands the commit records' storage to the next run on this thread; <see cref="Commits"/> is
    /// empty afterwards. For a host that has taken what it needs from the history and its check
    /// report (which copy what they list): exploration keeps only the verdicts of a seed.
    /// </summary>
    public void ReleaseCommits() => CommitChunks.Release();

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

    /// <summary>The commits <paramref name="filter"/> keeps, as a reported set: one pass over the chunks, nothing copied but the listed ones.</summary>
    internal CommitSet CommitsWhere(CommitFilter filter, int maxListed)
    {
        var set = new CommitSet.Builder(maxListed);
        foreach (ref readonly var commit in CommitChunks)
        {
            if (filter(commit))
            {
                set.Add(commit);
            }
        }
        return set.Build();
    }

    internal delegate bool CommitFilter(in CommitRecord commit);

    /// <summary>Whether the commit's WAL is part of the surviving history.</summary>
    public bool Survives(in CommitRecord commit) => commit.Placement is { } p && Survivor.Contains(p.Timeline, p.EndLsn);
}
