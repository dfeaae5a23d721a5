using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Controller-perceived RTO: from each fault's start to the first promotion at or after it, what
/// the failover machinery took to react (detection by lease expiry, the leader race, promote).
/// Faults that need no failover (a replica crash) are followed by no promotion, or by one caused
/// by a later fault; read them with the fault kinds in hand.
/// </summary>
public static class ControllerRtoMeter
{
    public static ControllerRtoResult Measure(RunHistory history)
    {
        var promotions = history.Switches.OrderBy(static s => s.At).ThenBy(static s => s.NewTimeline).ToArray();
        var recoveries = history.Faults
            .Select(f => new FaultRecovery(f, promotions.FirstOrDefault(p => p.At >= f.Start)))
            .ToArray();
        return new ControllerRtoResult(recoveries);
    }
}

/// <summary>A fault and the first promotion at or after its start (null when none followed).</summary>
public sealed record FaultRecovery(FaultWindow Fault, TimelineSwitch? Promotion)
{
    public Duration? TimeToPromotion => Promotion is { } p ? p.At - Fault.Start : null;

    public override string ToString() =>
        Promotion is { } p ? $"{Fault} -> promotion {p.NewTimeline} on {p.Node} after {TimeToPromotion}" : $"{Fault} -> no promotion";
}

/// <summary>Per fault (in the history's fault order), the time to the next promotion.</summary>
public sealed record ControllerRtoResult(IReadOnlyList<FaultRecovery> Recoveries)
{
    public Duration? Longest
    {
        get
        {
            Duration? longest = null;
            foreach (var recovery in Recoveries)
            {
                if (recovery.TimeToPromotion is { } d && (longest is null || d > longest.Value))
                {
                    longest = d;
                }
            }
            return longest;
        }
    }

    public string Summary =>
        Recoveries.Count == 0
            ? "controller RTO: no faults"
            : $"controller RTO: {Text.Int(Recoveries.Count(static r => r.Promotion is not null))} of {Text.Count(Recoveries.Count, "fault")} followed by a promotion"
              + (Longest is { } longest ? $", longest {longest}" : "");
}
