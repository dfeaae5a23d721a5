using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>A maximal span [From, To) during which the same set of nodes (ordered by id) was writable primary.</summary>
internal sealed record PrimarySegment(Instant From, Instant To, NodeId[] Primaries);

/// <summary>The step function "which nodes are writable primaries" over the run, from the role intervals.</summary>
internal static class PrimaryTimeline
{
    /// <summary>Segments covering [Start, End] without gaps, adjacent segments always differing in their primaries.</summary>
    public static List<PrimarySegment> Segments(RunHistory history)
    {
        var primaries = history.Roles.Where(r => r.Role == NodeRole.Primary && r.Until(history.End) > r.From).ToArray();
        var cuts = primaries.SelectMany(r => new[] { r.From, r.Until(history.End) })
            .Append(history.Start).Append(history.End)
            .Where(t => t >= history.Start && t <= history.End)
            .Distinct().Order().ToArray();

        var segments = new List<PrimarySegment>();
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            var (from, to) = (cuts[i], cuts[i + 1]);
            var holders = primaries.Where(r => r.From <= from && r.Until(history.End) >= to)
                .Select(static r => r.Node).Distinct().Order().ToArray();
            if (segments.Count > 0 && segments[^1].Primaries.AsSpan().SequenceEqual(holders))
            {
                segments[^1] = segments[^1] with { To = to };
            }
            else
            {
                segments.Add(new PrimarySegment(from, to, holders));
            }
        }
        return segments;
    }
}
