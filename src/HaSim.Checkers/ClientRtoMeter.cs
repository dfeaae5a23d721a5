using System.Buffers;
using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// What counts as a client outage: a gap between consecutive acknowledgements longer than
/// max(<paramref name="Minimum"/>, <paramref name="MedianGapFactor"/> x the median gap). The
/// multiple adapts to the workload's rate; the minimum keeps a quiet workload's random pauses
/// from counting. Factor 0 gives a fixed threshold.
/// </summary>
public sealed record OutageThreshold(Duration Minimum, long MedianGapFactor)
{
    /// <summary>1 s, or ten times the median gap when that is longer.</summary>
    public static readonly OutageThreshold Default = new(Duration.FromSeconds(1), 10);

    public Duration Resolve(Duration medianGap) => Duration.Max(Minimum, medianGap * MedianGapFactor);
}

/// <summary>
/// Client-perceived RTO: each outage runs from the last acknowledged write before it to the first
/// acknowledged write after it, as a client watching its own successes would measure. Gaps are
/// taken between distinct acknowledgement instants (group commit acknowledges many writes at one
/// instant). The gap before the first acknowledgement is warm-up, not an outage; a gap still open
/// at the end of the run is reported as unrecovered, with its length so far.
/// </summary>
public static class ClientRtoMeter
{
    public static ClientRtoResult Measure(RunHistory history, OutageThreshold threshold)
    {
        // Two pooled buffers, not fresh arrays: a run's hundred thousand acknowledgements make
        // arrays of a megabyte, which would be large objects, collected only with generation 2.
        var acksBuffer = ArrayPool<long>.Shared.Rent(Math.Max(1, history.Commits.Count));
        var gapsBuffer = ArrayPool<long>.Shared.Rent(Math.Max(1, history.Commits.Count));
        try
        {
            var acknowledged = AcknowledgementTimes(history, acksBuffer);
            var instants = DistinctInOrder(acksBuffer.AsSpan(0, acknowledged));

            var gaps = gapsBuffer.AsSpan(0, Math.Max(0, instants.Length - 1));
            for (var i = 0; i < gaps.Length; i++)
            {
                gaps[i] = instants[i + 1] - instants[i];
            }
            var median = gaps.Length == 0 ? Duration.Zero : new Duration(LongSpans.Select(gaps, (gaps.Length - 1) / 2));
            var limit = threshold.Resolve(median);

            var outages = new List<ClientOutage>();
            for (var i = 0; i + 1 < instants.Length; i++)
            {
                if (instants[i + 1] - instants[i] > limit.Nanoseconds)
                {
                    outages.Add(new ClientOutage(new Instant(instants[i]), new Instant(instants[i + 1]), new Duration(instants[i + 1] - instants[i])));
                }
            }
            if (instants.Length > 0 && history.End - new Instant(instants[^1]) > limit)
            {
                outages.Add(new ClientOutage(new Instant(instants[^1]), null, history.End - new Instant(instants[^1])));
            }
            return new ClientRtoResult(threshold, limit, median, acknowledged, outages);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(acksBuffer);
            ArrayPool<long>.Shared.Return(gapsBuffer);
        }
    }

    /// <summary>Writes the acknowledgement times (ns) into <paramref name="buffer"/>, sorted; returns how many there are.</summary>
    private static int AcknowledgementTimes(RunHistory history, long[] buffer)
    {
        var n = 0;
        foreach (ref readonly var commit in history.CommitChunks)
        {
            if (commit.Outcome == CommitOutcome.Acknowledged)
            {
                buffer[n++] = commit.OutcomeAt.NanosecondsSinceStart;
            }
        }
        LongSpans.SortNearlySorted(buffer.AsSpan(0, n)); // in write order, nearly in time order
        return n;
    }

    /// <summary>Drops repeated instants from the sorted <paramref name="sorted"/> in place (group commit acknowledges many writes at one instant).</summary>
    private static ReadOnlySpan<long> DistinctInOrder(Span<long> sorted)
    {
        var n = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[n - 1])
            {
                sorted[n++] = sorted[i];
            }
        }
        return sorted[..n];
    }
}

/// <summary>One client outage; <paramref name="FirstAckAfter"/> is null when writes had not resumed by the end of the run.</summary>
public sealed record ClientOutage(Instant LastAckBefore, Instant? FirstAckAfter, Duration Length)
{
    public bool Recovered => FirstAckAfter is not null;

    public override string ToString() =>
        $"{LastAckBefore}..{(FirstAckAfter is { } after ? after.ToString() : "end (not recovered)")} ({Length})";
}

/// <summary>The client outages by start, with the threshold that defined them.</summary>
public sealed record ClientRtoResult(OutageThreshold Threshold, Duration EffectiveThreshold, Duration MedianAckGap, int AcknowledgedWrites, IReadOnlyList<ClientOutage> Outages)
{
    public Duration Longest => Outages.Aggregate(Duration.Zero, static (max, o) => Duration.Max(max, o.Length));

    public string Summary =>
        AcknowledgedWrites == 0
            ? "client RTO: no acknowledged writes"
            : Outages.Count == 0
                ? $"client RTO: no outage (no gap over {EffectiveThreshold} between {Text.Count(AcknowledgedWrites, "acknowledged write")})"
                : $"client RTO: {Text.Count(Outages.Count, "outage")} over {EffectiveThreshold}, longest {Longest}"
                  + (Outages.Any(static o => !o.Recovered) ? ", one not recovered by the end" : "")
                  + $"; first {Outages[0]}";
}
