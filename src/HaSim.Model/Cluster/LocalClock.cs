using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// A node's own clock, which may drift (<see cref="Spec.ClockDriftFault"/>): local time advances
/// <see cref="Rate"/> seconds per real second. The agent's controller lives in local time; the host
/// converts its timers to real (simulated) time to schedule them.
/// </summary>
internal sealed class LocalClock
{
    private Instant _anchorReal = Instant.Start;
    private Instant _anchorLocal = Instant.Start;

    public double Rate { get; private set; } = 1.0;

    public Instant Local(Instant real) =>
        Rate == 1.0 ? _anchorLocal + (real - _anchorReal)
        : _anchorLocal + Duration.FromNanosecondsRounded((real - _anchorReal).Nanoseconds * Rate);

    /// <summary>The real instant at which this clock shows <paramref name="local"/> (now, if it already has).</summary>
    public Instant Real(Instant local, Instant now)
    {
        var ahead = local - Local(now);
        if (ahead <= Duration.Zero)
        {
            return now;
        }
        return Rate == 1.0 ? now + ahead : now + Duration.FromNanosecondsRounded(Math.Ceiling(ahead.Nanoseconds / Rate));
    }

    public void SetRate(Instant now, double rate)
    {
        _anchorLocal = Local(now);
        _anchorReal = now;
        Rate = rate;
    }
}
