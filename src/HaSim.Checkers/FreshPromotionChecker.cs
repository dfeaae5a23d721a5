namespace HaSim.Checkers;

/// <summary>
/// Fresh promotion: at each promotion, the new timeline's history (the parent's WAL up to the
/// switch LSN, per the .history file) must hold every commit acknowledged on the parent timeline
/// before the promotion. A commit acknowledged at the very instant of the promotion is not
/// counted (the two are concurrent); one acknowledged after it on the old timeline is a split
/// brain or durability finding, not a stale promotion. Only the parent timeline is examined:
/// older ancestors were judged at their own promotions.
/// </summary>
public static class FreshPromotionChecker
{
    public static FreshPromotionResult Check(RunHistory history, int maxListed = CheckOptions.DefaultMaxListedCommits)
    {
        var promotions = history.Switches.OrderBy(static s => s.At).ThenBy(static s => s.NewTimeline).ToArray();
        if (promotions.Length == 0)
        {
            return new FreshPromotionResult(0, []);
        }
        // One pass over the commits for every promotion at once: a run has a handful of promotions
        // and a hundred thousand commits, and a pass per promotion read them all again each time.
        var missing = promotions.Select(_ => new CommitSet.Builder(maxListed)).ToArray();
        foreach (ref readonly var commit in history.CommitChunks)
        {
            if (commit.Outcome != CommitOutcome.Acknowledged || commit.Placement is not { } p)
            {
                continue;
            }
            for (var i = 0; i < promotions.Length; i++)
            {
                var promotion = promotions[i];
                if (p.Timeline == promotion.Parent && commit.OutcomeAt < promotion.At && p.EndLsn > promotion.SwitchLsn)
                {
                    missing[i].Add(commit);
                }
            }
        }
        var violations = new List<StalePromotion>();
        for (var i = 0; i < promotions.Length; i++)
        {
            var set = missing[i].Build();
            if (set.Count > 0)
            {
                violations.Add(new StalePromotion(promotions[i], set));
            }
        }
        return new FreshPromotionResult(promotions.Length, violations);
    }
}

/// <summary>A promotion whose history lacked acknowledged commits of its parent timeline.</summary>
public sealed record StalePromotion(TimelineSwitch Promotion, CommitSet Missing)
{
    public override string ToString() => $"{Promotion}: missing {Missing}";
}

/// <summary>Promotions checked and the stale ones, by promotion time.</summary>
public sealed record FreshPromotionResult(int Promotions, IReadOnlyList<StalePromotion> Violations)
{
    public bool Holds => Violations.Count == 0;

    public string Summary =>
        Holds
            ? $"fresh promotion: holds over {Text.Count(Promotions, "promotion")}"
            : $"fresh promotion: VIOLATED at {Text.Int(Violations.Count)} of {Text.Count(Promotions, "promotion")}; first {Violations[0]}";
}
