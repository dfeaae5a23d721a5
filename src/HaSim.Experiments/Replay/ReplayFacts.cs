using System.Globalization;
using System.Text.RegularExpressions;
using HaSim.Checkers;
using HaSim.Model.Spec;
using HaSim.Primitives;
using NodeRole = HaSim.Checkers.NodeRole;

namespace HaSim.Experiments.Replay;

/// <summary>One invariant violation of a replayed run: which invariant, the moment it shows, and the evidence in words.</summary>
public sealed record Violation(string Invariant, Instant At, string Evidence);

/// <summary>A maximal span [From, To) in which the same nodes (by id) were writable primaries.</summary>
public sealed record PrimarySpan(Instant From, Instant To, IReadOnlyList<NodeId> Primaries);

/// <summary>Wording shared by the narrative and the Chrome trace: times, node names, the checkers' text with the model's names.</summary>
internal static partial class Words
{
    /// <summary><c>t=62.513s</c>: seconds of simulated time since the start, to the millisecond.</summary>
    public static string T(Instant at) => string.Create(CultureInfo.InvariantCulture, $"t={at.SinceStart.TotalSeconds:0.000}s");

    /// <summary><c>t=  62.513s</c>: <see cref="T"/> padded so that a column of them lines up.</summary>
    public static string Column(Instant at) => string.Create(CultureInfo.InvariantCulture, $"t={at.SinceStart.TotalSeconds,8:0.000}s");

    public static string Seconds(Duration d) => string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.000}s");

    public static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Count(long n, string noun) => Count(n) + " " + (n == 1 ? noun : noun + "s");

    public static string Timeline(Term t) => "timeline " + t.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A checker's text with node ids (<c>node0</c>) replaced by the model's names and terms by timelines.</summary>
    public static string Named(string text, ClusterSpec spec)
    {
        text = NodeToken().Replace(text, m =>
            int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < spec.Nodes.Count ? spec.Nodes[i].Name : m.Value);
        return TermToken().Replace(text, m => "timeline " + m.Groups[1].Value);
    }

    public static string List(IEnumerable<string> names)
    {
        var all = names.ToArray();
        return all.Length switch
        {
            0 => "nobody",
            1 => all[0],
            _ => string.Join(", ", all[..^1]) + " and " + all[^1],
        };
    }

    [GeneratedRegex(@"\bnode(\d+)\b")]
    private static partial Regex NodeToken();

    [GeneratedRegex(@"\bterm(\d+)\b")]
    private static partial Regex TermToken();
}

/// <summary>Facts derived from a replayed run's history: who was writable when, and where each violation shows.</summary>
public static class Violations
{
    /// <summary>The spans of the run by the set of writable primaries (role, not acceptance: a paused primary is still one), covering [start, end] without gaps.</summary>
    public static IReadOnlyList<PrimarySpan> PrimarySpans(RunHistory history)
    {
        var primaries = history.Roles.Where(r => r.Role == NodeRole.Primary && r.Until(history.End) > r.From).ToArray();
        var cuts = primaries.SelectMany(r => new[] { r.From, r.Until(history.End) })
            .Append(history.Start).Append(history.End)
            .Distinct().Order().ToArray();
        var spans = new List<PrimarySpan>();
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            var (from, to) = (cuts[i], cuts[i + 1]);
            var holders = primaries.Where(r => r.From <= from && r.Until(history.End) >= to).Select(r => r.Node).Distinct().Order().ToArray();
            if (spans.Count > 0 && spans[^1].Primaries.SequenceEqual(holders))
            {
                spans[^1] = spans[^1] with { To = to };
            }
            else
            {
                spans.Add(new PrimarySpan(from, to, holders));
            }
        }
        return spans;
    }

    /// <summary>Every violation of the run, in the order the checkers report them (durability, single-writer, fresh-promotion, liveness), each with its evidence.</summary>
    public static IReadOnlyList<Violation> Of(ReplayedRun replay)
    {
        var checks = replay.Checks;
        var history = replay.History;
        var spec = replay.Spec;
        var list = new List<Violation>();
        var survivor = history.Survivor;
        var survivorText = survivor.IsPrimary
            ? $"the final primary {replay.Name(survivor.Node)}"
            : $"the surviving history ({replay.Name(survivor.Node)}, the most advanced node; no primary at the end)";

        if (!checks.Durability.Holds)
        {
            var lost = checks.Durability.Lost;
            var first = lost.Listed[0];
            var p = first.Placement!.Value;
            list.Add(new Violation("durability", first.OutcomeAt,
                $"write #{first.Id} acknowledged by {replay.Name(p.Node)} at {Words.T(first.OutcomeAt)} ({Words.Timeline(p.Timeline)}, LSN {p.EndLsn}) "
                + $"is not on {survivorText}: {WhyNotSurviving(replay, p)}; {Words.Count(lost.Count, "acknowledged write")} lost in all "
                + $"({ByteText.FormatSize(lost.Bytes)}, acknowledged {Words.T(lost.FirstOutcomeAt!.Value)}..{Words.T(lost.LastOutcomeAt!.Value)})"));
        }

        foreach (var window in checks.SingleWriter.Windows)
        {
            var writers = Words.List(window.Writers.Select(w => $"{replay.Name(w.Node)} ({Words.Timeline(w.Timeline)})"));
            var text = $"split brain: {writers} {(window.Writers.Count == 2 ? "both" : "all")} accepted writes between {Words.T(window.From)} and {Words.T(window.To)} ({Words.Seconds(window.Length)})";
            var losing = window.LosingCommits;
            if (losing.Count > 0)
            {
                var example = losing.Listed.FirstOrDefault(c => c.Outcome == CommitOutcome.Acknowledged);
                if (example.Placement is null)
                {
                    example = losing.Listed[0];
                }
                var ep = example.Placement!.Value;
                text += $"; {Words.Count(losing.Count, "write")} accepted in that window are not on {survivorText}, e.g. write #{example.Id} accepted by "
                    + $"{replay.Name(ep.Node)} at {Words.T(ep.AcceptedAt)} ({Outcome(example.Outcome)})";
            }
            list.Add(new Violation("single-writer", window.From, text));
        }

        foreach (var stale in checks.FreshPromotion.Violations)
        {
            var promotion = stale.Promotion;
            var example = stale.Missing.Listed[0];
            list.Add(new Violation("fresh-promotion", promotion.At,
                $"{replay.Name(promotion.Node)} was promoted to {Words.Timeline(promotion.NewTimeline)} at {Words.T(promotion.At)} from {Words.Timeline(promotion.Parent)} at LSN {promotion.SwitchLsn}, "
                + $"without {Words.Count(stale.Missing.Count, "acknowledged write")} of {Words.Timeline(promotion.Parent)}, e.g. write #{example.Id} acknowledged at {Words.T(example.OutcomeAt)} "
                + $"(LSN {example.Placement!.Value.EndLsn})"));
        }

        var liveness = checks.Liveness;
        if (liveness.Verdict == LivenessVerdict.Violated)
        {
            list.Add(new Violation("liveness", LivenessMoment(history, liveness),
                $"every fault had healed at {Words.T(liveness.HealedAt!.Value)}, and within the bound ({liveness.Bound}) "
                + (liveness.UniqueFrom is null ? "no single writable primary came: " : "the cluster did not settle: ")
                + Words.Named(liveness.Reason, spec)));
        }
        return list;
    }

    /// <summary>When a liveness violation shows: the bound's end when no single primary came in time, else the moment the single primary's span ended.</summary>
    private static Instant LivenessMoment(RunHistory history, LivenessResult liveness)
    {
        var healed = liveness.HealedAt!.Value;
        var deadline = healed + liveness.Bound;
        if (liveness.UniqueFrom is not { } from || from - healed > liveness.Bound)
        {
            return Instant.Min(deadline, history.End);
        }
        var span = PrimarySpans(history).FirstOrDefault(s => s.From <= from && s.To > from);
        return span is null ? from : Instant.Min(span.To, history.End);
    }

    private static string WhyNotSurviving(ReplayedRun replay, Checkers.WalPlacement p)
    {
        var lineage = replay.History.Survivor.Lineage;
        for (var i = 0; i < lineage.Count; i++)
        {
            if (lineage[i].Timeline == p.Timeline)
            {
                return i == 0
                    ? $"{replay.Name(replay.History.Survivor.Node)}'s WAL on {Words.Timeline(p.Timeline)} ends at LSN {lineage[i].End}, before the write's end at {p.EndLsn}"
                    : $"{Words.Timeline(lineage[i - 1].Timeline)} forked from {Words.Timeline(p.Timeline)} at LSN {lineage[i].End}, before the write's end at {p.EndLsn}";
            }
        }
        return $"{Words.Timeline(p.Timeline)} is not in its history ({string.Join(" <- ", lineage.Select(s => $"{Words.Timeline(s.Timeline)} to {s.End}"))})";
    }

    private static string Outcome(CommitOutcome outcome) => outcome switch
    {
        CommitOutcome.Acknowledged => "acknowledged to its client",
        CommitOutcome.Unknown => "its client never learned the outcome",
        _ => "failed",
    };
}
