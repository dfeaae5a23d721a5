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
        var violations = new List<StalePromotion>();
        foreach (var promotion in history.Switches.OrderBy(static s => s.At).ThenBy(static s => s.NewTimeline))
        {
            var set = history.CommitsWhere((in CommitRecord c) =>
                c.Outcome == CommitOutcome.Acknowledged
                && c.OutcomeAt < promotion.At
                && c.Placement is { } p
                && p.Timeline == promotion.Parent
                && p.EndLsn > promotion.SwitchLsn, maxListed);
            if (set.Count > 0)
            {
                violations.Add(new StalePromotion(promotion, set));
            }
        }
        return new FreshPromotionResult(history.Switches.Count, violations);
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
