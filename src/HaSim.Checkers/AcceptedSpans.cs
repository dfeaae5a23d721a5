using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Per (node, timeline), the span of the commits it accepted, gathered while the commits are
/// recorded: each record is at hand then, where a pass over a run's hundred thousand records at
/// the snapshot read some 10 MB again.
/// </summary>
internal sealed class AcceptedSpans
{
    // A run has a handful of (node, timeline) pairs and long stretches of commits on one of
    // them: a short list, with the last pair found checked first, beats a sorted map.
    private readonly List<Span> spans = [];
    private Span? last;

    public void Add(in WalPlacement placement)
    {
        if (last is null || last.Node != placement.Node || last.Timeline != placement.Timeline)
        {
            last = SpanOf(placement.Node, placement.Timeline);
            if (last is null)
            {
                last = new Span(placement.Node, placement.Timeline, placement.AcceptedAt);
                spans.Add(last);
            }
        }
        last.Add(placement.AcceptedAt);
    }

    /// <summary>The spans so far, by start, then node, then timeline.</summary>
    public AcceptedInterval[] ToIntervals()
    {
        var result = spans.Select(static s => new AcceptedInterval(s.Node, s.Timeline, s.From, s.To, s.Commits)).ToArray();
        Array.Sort(result, static (a, b) =>
            a.From != b.From ? a.From.CompareTo(b.From)
            : a.Node != b.Node ? a.Node.CompareTo(b.Node)
            : a.Timeline.CompareTo(b.Timeline));
        return result;
    }

    public void Clear()
    {
        spans.Clear();
        last = null;
    }

    // A loop, not List.Find with a lambda: the lambda would capture the pair, and the compiler
    // allocates a closure for it at every commit.
    private Span? SpanOf(NodeId node, Term timeline)
    {
        foreach (var span in spans)
        {
            if (span.Node == node && span.Timeline == timeline)
            {
                return span;
            }
        }
        return null;
    }

    private sealed class Span(NodeId node, Term timeline, Instant first)
    {
        public NodeId Node { get; } = node;
        public Term Timeline { get; } = timeline;
        public Instant From { get; private set; } = first;
        public Instant To { get; private set; } = first;
        public int Commits { get; private set; }

        public void Add(Instant acceptedAt)
        {
            From = Instant.Min(From, acceptedAt);
            To = Instant.Max(To, acceptedAt);
            Commits++;
        }
    }
}
