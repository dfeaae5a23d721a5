using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// Patroni's <c>WatchdogConfig</c>: the device timeout is <c>ttl - safety_margin</c> (<c>ttl // 2</c>
/// when the margin is negative), and with <c>timing_slack = timeout - loop_wait &lt; 0</c> the
/// watchdog is "not supported", so it cannot be activated.
/// </summary>
internal sealed class WatchdogPolicy(FailoverSettings settings, bool deviceAvailable)
{
    /// <summary>The mode; <see cref="WatchdogMode.Off"/> whatever the settings say when fencing is disabled (<see cref="FailoverSettings.UnsafeDisableFencing"/>).</summary>
    public WatchdogMode Mode => settings.UnsafeDisableFencing ? WatchdogMode.Off : settings.WatchdogMode;

    public Duration Timeout => settings.WatchdogTimeout;

    /// <summary>Whether activation can succeed: a device, and a timeout that leaves a whole loop_wait of slack.</summary>
    public bool CanActivate => settings.WatchdogCanActivate(deviceAvailable);

    /// <summary><c>Watchdog.is_healthy</c>: false only when the watchdog is required and cannot be activated (race step 8, W1).</summary>
    public bool IsHealthy => Mode != WatchdogMode.Required || CanActivate;
}
