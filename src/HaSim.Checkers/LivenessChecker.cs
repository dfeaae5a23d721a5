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
/// Liveness: once every fault has healed, the cluster must settle within the bound: from some
/// instant no later than heal + bound to the end of the run, exactly one node, the same one, is
/// the writable primary. Changes inside the bound are allowed, because a fault's effects outlive
/// it: a DCS call that started during a partition may fail its retries after the heal and demote
/// the leader, and the bound (ttl, loop_wait, two retry_timeouts, the database's actions, the
/// proxy's checks) is what the recovery from that may take. Any change after the bound is a
/// finding: a healed cluster has no reason to fail over again. Judged from the role intervals;
/// with no faults the clock starts at the start of the run.
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
        var last = after[^1];
        if (last.Primaries.Length != 1)
        {
            return history.End - healedAt >= bound
                ? new LivenessResult(LivenessVerdict.Violated, bound, healedAt, null, null, $"no single writable primary at the end, {history.End - healedAt} after the heal at {healedAt} ({Describe(last)})")
                : new LivenessResult(LivenessVerdict.NotJudged, bound, healedAt, null, null, $"the run ended {history.End - healedAt} after the heal, within the bound, with no single primary yet");
        }

        // The settled stretch: the last segment, which has one primary, runs to the end.
        var primary = last.Primaries[0];
        var uniqueFrom = Instant.Max(last.From, healedAt);
        if (uniqueFrom - healedAt > bound)
        {
            var before = after.Length > 1 ? after[^2] : null;
            return new LivenessResult(LivenessVerdict.Violated, bound, healedAt, uniqueFrom, primary,
                $"{primary} became the only writable primary for good {uniqueFrom - healedAt} after the heal at {healedAt}, beyond the bound"
                + (before is null ? "" : $" (until {before.To}: {Describe(before)})"));
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
