using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Acknowledged-write durability (RPO): every acknowledged commit must be part of the surviving
/// history (<see cref="SurvivingHistory"/>). Writes with an unknown outcome that did not survive
/// are "maybe lost" and reported apart, never as lost: the client was never told they committed.
/// Failed writes are ignored.
/// </summary>
public static class DurabilityChecker
{
    public static DurabilityResult Check(RunHistory history, int maxListed = CheckOptions.DefaultMaxListedCommits)
    {
        var acknowledged = 0;
        var lost = new CommitSet.Builder(maxListed);
        var maybeLost = new CommitSet.Builder(maxListed);
        foreach (ref readonly var commit in history.CommitChunks)
        {
            if (commit.Outcome == CommitOutcome.Acknowledged)
            {
                acknowledged++;
            }
            if (commit.Outcome == CommitOutcome.Failed || history.Survives(commit))
            {
                continue;
            }
            (commit.Outcome == CommitOutcome.Acknowledged ? lost : maybeLost).Add(commit);
        }
        return new DurabilityResult(history.Survivor, acknowledged, lost.Build(), maybeLost.Build());
    }
}

/// <summary>What the durability check found: <see cref="Lost"/> is the RPO (count, bytes, and the span of acknowledgement times it covers).</summary>
public sealed record DurabilityResult(SurvivingHistory Survivor, int Acknowledged, CommitSet Lost, CommitSet MaybeLost)
{
    public bool Holds => Lost.Count == 0;

    public string Summary =>
        (Holds
            ? $"durability: holds, all {Text.Count(Acknowledged, "acknowledged commit")} survive"
            : $"durability: VIOLATED, lost {Text.Int(Lost.Count)} of {Text.Count(Acknowledged, "acknowledged commit")} ({ByteText.FormatSize(Lost.Bytes)}, acknowledged {Lost.FirstOutcomeAt}..{Lost.LastOutcomeAt}, {Lost.Span})")
        + $"; maybe lost (outcome unknown): {Text.Int(MaybeLost.Count)}; surviving history {Survivor}";
}
