using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>Patroni's <c>synchronous_mode</c>. Quorum mode is not modelled.</summary>
public enum SynchronousMode
{
    Off,
    On,
}

/// <summary>Patroni's <c>watchdog.mode</c>.</summary>
public enum WatchdogMode
{
    Off,
    Automatic,
    Required,
}

/// <summary>
/// The controller's settings, named as in Patroni's configuration so users can paste theirs.
/// Construct, then pass through <see cref="Adjust"/> (the controller does so itself) to get the
/// values Patroni would actually run with.
/// </summary>
public sealed record FailoverSettings
{
    /// <summary>Leader key TTL (<c>ttl</c>); Patroni's default 30 s, minimum 20 s.</summary>
    public Duration Ttl { get; init; } = Duration.FromSeconds(30);

    /// <summary>HA cycle period (<c>loop_wait</c>); default 10 s, minimum 1 s.</summary>
    public Duration LoopWait { get; init; } = Duration.FromSeconds(10);

    /// <summary>Deadline for retrying one DCS call (<c>retry_timeout</c>); default 10 s, minimum 3 s.</summary>
    public Duration RetryTimeout { get; init; } = Duration.FromSeconds(10);

    /// <summary>A replica further behind the leader's last published optime may not race (<c>maximum_lag_on_failover</c>).</summary>
    public long MaximumLagOnFailover { get; init; } = 1_048_576;

    /// <summary>Refuse to race from a timeline behind the cluster's (<c>check_timeline</c>).</summary>
    public bool CheckTimeline { get; init; }

    /// <summary>How long a crashed primary holding the lock may take to restart (<c>primary_start_timeout</c>); 0 = fail over at once (R1).</summary>
    public Duration PrimaryStartTimeout { get; init; } = Duration.FromSeconds(300);

    public SynchronousMode SynchronousMode { get; init; } = SynchronousMode.Off;

    /// <summary>Never fall back to asynchronous commit (<c>synchronous_mode_strict</c>).</summary>
    public bool SynchronousModeStrict { get; init; }

    /// <summary>Number of synchronous standbys wanted (<c>synchronous_node_count</c>), at least 1.</summary>
    public int SynchronousNodeCount { get; init; } = 1;

    /// <summary>Keep a primary that lost the DCS running while every member confirms it (<c>failsafe_mode</c>, D2).</summary>
    public bool FailsafeMode { get; init; }

    public WatchdogMode WatchdogMode { get; init; } = WatchdogMode.Automatic;

    /// <summary><c>watchdog.safety_margin</c>: device timeout is ttl minus this; a negative margin means ttl / 2.</summary>
    public Duration WatchdogSafetyMargin { get; init; } = Duration.FromSeconds(5);

    /// <summary>Never race or become leader (<c>tags.nofailover</c>).</summary>
    public bool NoFailover { get; init; }

    /// <summary>Tie-break at equal LSN (<c>tags.failover_priority</c>); 0 behaves as nofailover.</summary>
    public int FailoverPriority { get; init; } = 1;

    /// <summary>Never be picked as a synchronous standby (<c>tags.nosync</c>).</summary>
    public bool NoSync { get; init; }

    /// <summary>Preference for being picked as synchronous standby (<c>tags.sync_priority</c>); 0 behaves as nosync.</summary>
    public int SyncPriority { get; init; } = 1;

    /// <summary>
    /// Whether <see cref="Adjust"/> enforces <c>loop_wait + 2*retry_timeout &lt;= ttl</c> as Patroni
    /// does since <c>Config._validate_and_adjust_timeouts</c> (#2869). False is a deliberate departure
    /// from Patroni (model key <c>enforce_timing_rule: false</c>): an agent without that validation
    /// (an old Patroni, a hand-rolled agent) runs the timings as given, so a leader may still be
    /// retrying DCS calls when its key expires. The minimums (ttl 20 s, loop_wait 1 s,
    /// retry_timeout 3 s) still apply; a violated rule is reported as a warning but not corrected.
    /// </summary>
    public bool EnforceTimingRule { get; init; } = true;

    /// <summary>
    /// TEST ONLY: removes the controller's fencing, so that the checkers can be shown to catch what
    /// fencing prevents (model key <c>unsafe_disable_fencing: true</c>). A primary that loses or
    /// cannot renew its leader key never demotes itself (D1, D3, H3, F1, S1, U2, U3 are skipped: it
    /// keeps running as primary and reports why), and the watchdog is never armed (as with
    /// <c>watchdog.mode: off</c>). Hand-overs that are not fencing are kept: a crashed primary that
    /// releases its key to fail over (R1, S2) still does. No real agent behaves like this; never use
    /// it to model a configuration. <see cref="Adjust"/> reports it as a warning.
    /// </summary>
    public bool UnsafeDisableFencing { get; init; }

    public static readonly Duration MinimumTtl = Duration.FromSeconds(20);
    public static readonly Duration MinimumLoopWait = Duration.FromSeconds(1);
    public static readonly Duration MinimumRetryTimeout = Duration.FromSeconds(3);

    /// <summary>The REST status probe timeout Patroni hard-codes in <c>fetch_node_status</c>.</summary>
    public static readonly Duration PeerQueryTimeout = Duration.FromSeconds(2);

    /// <summary>
    /// What Patroni runs with: <c>Config._validate_and_adjust_timeouts</c> raises each timing to its
    /// minimum, then enforces <c>loop_wait + 2*retry_timeout &lt;= ttl</c> by lowering loop_wait first
    /// and, only when even loop_wait = 1 s cannot satisfy it, setting retry_timeout = (ttl - 1) // 2.
    /// The warnings are Patroni's log lines with durations printed with units. With
    /// <see cref="EnforceTimingRule"/> false the rule is only reported, never enforced.
    /// </summary>
    public SettingsAdjustment Adjust()
    {
        var warnings = new List<string>();
        var loopWait = AtLeast("loop_wait", LoopWait, MinimumLoopWait, warnings);
        var retryTimeout = AtLeast("retry_timeout", RetryTimeout, MinimumRetryTimeout, warnings);
        var ttl = AtLeast("ttl", Ttl, MinimumTtl, warnings);

        if (!EnforceTimingRule)
        {
            if (loopWait + 2 * retryTimeout > ttl)
            {
                warnings.Add($"Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl={ttl}, loop_wait={loopWait} and retry_timeout={retryTimeout}. "
                    + "Not adjusting: enforce_timing_rule is false, so a leader whose DCS calls hang may keep running as primary after its key expired");
            }
        }
        else if (MinimumLoopWait + 2 * retryTimeout > ttl)
        {
            var newRetry = WholeSeconds((ttl - MinimumLoopWait) / 2);
            warnings.Add($"Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl={ttl}. "
                + $"Adjusting loop_wait from {loopWait} to {MinimumLoopWait} and retry_timeout from {retryTimeout} to {newRetry}");
            loopWait = MinimumLoopWait;
            retryTimeout = newRetry;
        }
        else if (loopWait + 2 * retryTimeout > ttl)
        {
            var newLoopWait = ttl - 2 * retryTimeout;
            warnings.Add($"Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl={ttl} and retry_timeout={retryTimeout}. "
                + $"Adjusting loop_wait from {loopWait} to {newLoopWait}");
            loopWait = newLoopWait;
        }

        if (UnsafeDisableFencing)
        {
            warnings.Add("UNSAFE: unsafe_disable_fencing is on (a test-only switch for checking the checkers): "
                + "a primary that loses its leader key never demotes and the watchdog is never armed");
        }

        var synchronousNodeCount = SynchronousNodeCount;
        if (synchronousNodeCount < 1)
        {
            warnings.Add($"synchronous_node_count={synchronousNodeCount} can't be smaller than 1, adjusting...");
            synchronousNodeCount = 1;
        }

        var adjusted = this with
        {
            LoopWait = loopWait,
            RetryTimeout = retryTimeout,
            Ttl = ttl,
            SynchronousNodeCount = synchronousNodeCount,
        };
        return new SettingsAdjustment(adjusted, warnings.ToArray());
    }

    /// <summary>The watchdog device's timeout: ttl - safety_margin, or ttl / 2 (whole seconds) with a negative margin.</summary>
    public Duration WatchdogTimeout => WatchdogSafetyMargin.IsNegative
        ? Duration.FromSeconds(Ttl.Nanoseconds / Duration.NanosPerSecond / 2)
        : Ttl - WatchdogSafetyMargin;

    /// <summary>Whether the watchdog can be activated: a device, and a timeout that leaves a whole loop_wait of slack.</summary>
    public bool WatchdogCanActivate(bool deviceAvailable) => deviceAvailable && WatchdogTimeout - LoopWait >= Duration.Zero;

    /// <summary>Whether a leader runs with an armed watchdog: not off, not unfenced, and it can be activated.</summary>
    public bool LeaderArmsWatchdog(bool deviceAvailable) =>
        WatchdogMode != WatchdogMode.Off && !UnsafeDisableFencing && WatchdogCanActivate(deviceAvailable);

    /// <summary>Whether this node may ever race: nofailover, or failover_priority &lt;= 0 (is_healthiest_node step 6).</summary>
    internal bool NeverPromote => NoFailover || FailoverPriority <= 0;

    private static Duration AtLeast(string name, Duration value, Duration minimum, List<string> warnings)
    {
        if (value >= minimum)
        {
            return value;
        }
        warnings.Add($"{name}={value} can't be smaller than {minimum}, adjusting...");
        return minimum;
    }

    // Patroni's timings are integer seconds and it divides with //.
    private static Duration WholeSeconds(Duration d) => Duration.FromSeconds(d.Nanoseconds / Duration.NanosPerSecond);
}

/// <summary>Settings after <see cref="FailoverSettings.Adjust"/>, with one human-readable line per change made.</summary>
public sealed record SettingsAdjustment(FailoverSettings Settings, IReadOnlyList<string> Warnings);
