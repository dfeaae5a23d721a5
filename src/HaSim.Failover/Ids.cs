using System.Globalization;

namespace HaSim.Failover;

/// <summary>Names one DCS request or peer query, so the host's reply can be matched to it. Never reused by a controller.</summary>
public readonly record struct RequestId(long Value)
{
    public override string ToString() => "req" + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Names one long database action (promote, demote, start) whose completion the host reports.</summary>
public readonly record struct CommandId(long Value)
{
    public override string ToString() => "cmd" + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The controller's timers. Each is a single slot: setting a timer that is already set moves it,
/// and a <see cref="TimerFired"/> for a slot that is not set (or is set for later) is ignored.
/// </summary>
public enum TimerId
{
    /// <summary>Start of the next HA cycle (<c>schedule_next_run</c>).</summary>
    Loop,

    /// <summary>Back-off before the next attempt of the DCS call in flight.</summary>
    DcsRetry,

    /// <summary>The DCS call in flight has used up retry_timeout: the DCS counts as unreachable.</summary>
    DcsDeadline,
}
