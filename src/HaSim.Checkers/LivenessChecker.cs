using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>Whether liveness held, failed, or could not be judged (a fault never healed, or the run ended too soon after the heal).</summary>
public enum LivenessVerdict
{
    Holds,
    Violated,
    NotJudged,
}

/// <summary>
/// Liveness: once every fault has healed, exactly one node must become the writable primary
/// within the bound and stay the only one, the same node, to the end of the run. A healed
/// cluster has no reason to fail over again, so any change after that is a finding. Judged from
/// the role intervals; with no faults the clock starts at the start of the run.
/// </summary>
public static class LivenessChecker
{
    public static LivenessResult Check(RunHistory history, Duration bound)
    {
        if (history.Faults.FirstOrDefault(static f => f.End is null) is { } unhealed)
        {
            return new LivenessResult(LivenessVerdict.NotJudged, bound, null, null, null, $"fault {unhealed} never healed");
        }
        var healedAt = history.Faults.Count == 0 ? history.Start : history.Faults.Max(static f => f.End!.Value);
        if (healedAt >= history.End)
        {
            return new LivenessResult(LivenessVerdict.NotJudged, bound, healedAt, null, null, $"the run ended at {history.End}, before the last heal");
        }

        var after = PrimaryTimeline.Segments(history).Where(s => s.To > healedAt).ToArray();
        var uniqueIndex = Array.FindIndex(after, static s => s.Primaries.Length == 1);
        if (uniqueIndex < 0)
        {
            return history.End - healedAt >= bound
                ? new LivenessResult(LivenessVerdict.Violated, bound, healedAt, null, null, $"no single writable primary from the heal at {healedAt} to the end ({Describe(after[^1])})")
                : new LivenessResult(LivenessVerdict.NotJudged, bound, healedAt, null, null, $"the run ended {history.End - healedAt} after the heal, within the bound, with no single primary yet");
        }

        var unique = after[uniqueIndex];
        var uniqueFrom = Instant.Max(unique.From, healedAt);
        var primary = unique.Primaries[0];
        if (uniqueFrom - healedAt > bound)
        {
            return new LivenessResult(LivenessVerdict.Violated, bound, healedAt, uniqueFrom, primary,
                $"{primary} became the only writable primary {uniqueFrom - healedAt} after the heal at {healedAt}, beyond the bound");
        }
        if (uniqueIndex + 1 < after.Length)
        {
            return new LivenessResult(LivenessVerdict.Violated, bound, healedAt, uniqueFrom, primary,
                $"{primary} was the only writable primary from {uniqueFrom}, but not from {unique.To}: {Describe(after[uniqueIndex + 1])}");
        }
        return new LivenessResult(LivenessVerdict.Holds, bound, healedAt, uniqueFrom, primary,
            $"{primary} the only writable primary from {uniqueFrom}, {uniqueFrom - healedAt} after the heal, to the end");
    }

    private static string Describe(PrimarySegment segment) =>
        segment.Primaries.Length == 0 ? "no writable primary" : "writable primaries " + string.Join(", ", segment.Primaries);
}

/// <summary>The liveness verdict, the heal instant, when (and which) single primary was reached, and why.</summary>
public sealed record LivenessResult(LivenessVerdict Verdict, Duration Bound, Instant? HealedAt, Instant? UniqueFrom, NodeId? Primary, string Reason)
{
    /// <summary>Not violated: a run that could not be judged is no finding (its reason says why).</summary>
    public bool Holds => Verdict != LivenessVerdict.Violated;

    public string Summary => Verdict switch
    {
        LivenessVerdict.Holds => $"liveness: holds (bound {Bound}): {Reason}",
        LivenessVerdict.Violated => $"liveness: VIOLATED (bound {Bound}): {Reason}",
        _ => $"liveness: not judged: {Reason}",
    };
}
