using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Total time with no writable primary, from the role intervals: the spans in which no node ran
/// out of recovery. Writes were impossible then whatever the clients did, so this is the RTO
/// floor independent of the workload's rate and the client outage threshold.
/// </summary>
public static class NoWritablePrimaryMeter
{
    public static NoWritablePrimaryResult Measure(RunHistory history)
    {
        var windows = PrimaryTimeline.Segments(history)
            .Where(static s => s.Primaries.Length == 0)
            .Select(static s => new TimeWindow(s.From, s.To))
            .ToArray();
        return new NoWritablePrimaryResult(windows, history.End - history.Start);
    }
}

/// <summary>The spans without a writable primary, by start, out of the observed run length.</summary>
public sealed record NoWritablePrimaryResult(IReadOnlyList<TimeWindow> Windows, Duration Observed)
{
    public Duration Total => Windows.Aggregate(Duration.Zero, static (sum, w) => sum + w.Length);

    public Duration Longest => Windows.Aggregate(Duration.Zero, static (max, w) => Duration.Max(max, w.Length));

    public string Summary =>
        Windows.Count == 0
            ? $"no writable primary: never, over {Observed}"
            : $"no writable primary: {Total} in {Text.Count(Windows.Count, "window")} over {Observed}, longest {Longest}";
}
