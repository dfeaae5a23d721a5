using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Single writer (split brain): finds every window in which more than one node accepted client
/// commits, from the nodes' <see cref="RunHistory.AcceptedIntervals"/>. Acceptance, not role, is
/// the test: a paused or cut-off old primary that still believes it leads but accepts nothing
/// creates no divergent history. Windows on different timelines are the divergence PostgreSQL
/// allows after a promotion; two nodes on one timeline cannot both be primary in PostgreSQL, so
/// such a window is reported too (it points at a model or recording bug). A node's span runs from
/// its first to its last accepted commit on a timeline, silent stretches included: an old primary
/// paused mid-stint is still a primary that accepts as soon as it runs, so the window starts with
/// the new primary's first commit, not with the old one's first commit after resuming.
/// </summary>
public static class SingleWriterChecker
{
    public static SingleWriterResult Check(RunHistory history, int maxListed = CheckOptions.DefaultMaxListedCommits)
    {
        var windows = new List<SplitBrainWindow>();
        foreach (var (from, to, writers) in OverlapWindows(history.AcceptedIntervals))
        {
            var losing = history.CommitsWhere((in CommitRecord c) =>
                c.Placement is { } p
                && p.AcceptedAt >= from && p.AcceptedAt <= to
                && writers.Any(w => w.Node == p.Node && w.Timeline == p.Timeline)
                && !history.Survives(c), maxListed);
            windows.Add(new SplitBrainWindow(from, to, writers, losing));
        }
        return new SingleWriterResult(windows);
    }

    /// <summary>
    /// Maximal closed windows where writers from at least two distinct nodes are active: a sweep over
    /// span starts and ends, starts before ends at equal instants (spans are closed, so two commits
    /// on two nodes at one instant overlap), ties broken by node then timeline.
    /// </summary>
    private static IEnumerable<(Instant From, Instant To, AcceptedInterval[] Writers)> OverlapWindows(IReadOnlyList<AcceptedInterval> spans)
    {
        var events = new List<(Instant At, int IsEnd, AcceptedInterval Span)>(spans.Count * 2);
        foreach (var span in spans)
        {
            events.Add((span.From, 0, span));
            events.Add((span.To, 1, span));
        }
        events.Sort(static (a, b) =>
            a.At != b.At ? a.At.CompareTo(b.At)
            : a.IsEnd != b.IsEnd ? a.IsEnd.CompareTo(b.IsEnd)
            : a.Span.Node != b.Span.Node ? a.Span.Node.CompareTo(b.Span.Node)
            : a.Span.Timeline.CompareTo(b.Span.Timeline));

        var active = new List<AcceptedInterval>();
        var members = new List<AcceptedInterval>();
        Instant? openedAt = null;
        foreach (var (at, isEnd, span) in events)
        {
            if (isEnd == 0)
            {
                active.Add(span);
                if (openedAt is null && DistinctNodes(active) >= 2)
                {
                    openedAt = at;
                    members.AddRange(active);
                }
                else if (openedAt is not null)
                {
                    members.Add(span);
                }
                continue;
            }
            active.Remove(span);
            if (openedAt is { } from && DistinctNodes(active) < 2)
            {
                yield return (from, at, members.OrderBy(static m => m.Node).ThenBy(static m => m.Timeline).ToArray());
                openedAt = null;
                members.Clear();
            }
        }
    }

    private static int DistinctNodes(List<AcceptedInterval> active) => active.Select(static a => a.Node).Distinct().Count();
}

/// <summary>One split-brain window [From, To] (closed), the writers active in it, and the commits they accepted in it that did not survive.</summary>
public sealed record SplitBrainWindow(Instant From, Instant To, IReadOnlyList<AcceptedInterval> Writers, CommitSet LosingCommits)
{
    public Duration Length => To - From;

    /// <summary>Two of the writers are different nodes on different timelines: histories diverged.</summary>
    public bool Diverging => Pairs().Any(static p => p.A.Timeline != p.B.Timeline);

    /// <summary>Two of the writers are different nodes on one timeline, which PostgreSQL cannot produce.</summary>
    public bool SameTimeline => Pairs().Any(static p => p.A.Timeline == p.B.Timeline);

    private IEnumerable<(AcceptedInterval A, AcceptedInterval B)> Pairs() =>
        Writers.SelectMany((a, i) => Writers.Skip(i + 1).Where(b => b.Node != a.Node).Select(b => (a, b)));

    public override string ToString() =>
        $"{From}..{To} ({Length}): {string.Join(" and ", Writers.Select(static w => $"{w.Node} on {w.Timeline}"))}"
        + (SameTimeline ? " (same timeline: impossible in PostgreSQL)" : "")
        + $"; losing side: {LosingCommits}";
}

/// <summary>All split-brain windows, by start.</summary>
public sealed record SingleWriterResult(IReadOnlyList<SplitBrainWindow> Windows)
{
    public bool Holds => Windows.Count == 0;

    public Duration Total => Windows.Aggregate(Duration.Zero, static (sum, w) => sum + w.Length);

    public string Summary =>
        Holds
            ? "single writer: holds, never two nodes accepting commits at once"
            : $"single writer: VIOLATED, {Text.Count(Windows.Count, "split-brain window")} ({Total} in all), "
              + $"{Text.Count(Windows.Sum(static w => w.LosingCommits.Count), "commit")} on the losing side; first {Windows[0]}";
}
