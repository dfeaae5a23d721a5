using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>Config._validate_and_adjust_timeouts, the watchdog (W1, patroni.md 1.8) and crash recovery R1.</summary>
public class SettingsAndWatchdogTests
{
    [Theory]
    [InlineData(30, 10, 10, 30, 10, 10, 0)]   // Patroni's defaults satisfy the rule
    [InlineData(30, 15, 10, 30, 10, 10, 1)]   // lower loop_wait first
    [InlineData(30, 10, 15, 30, 1, 14, 1)]    // even loop_wait=1 fails: retry_timeout = (ttl-1)//2
    [InlineData(10, 0, 1, 20, 1, 3, 3)]       // minimums ttl 20, loop_wait 1, retry_timeout 3
    public void Settings_rule_loop_wait_plus_twice_retry_timeout_within_ttl(
        int ttl, int loopWait, int retry, int ttlAfter, int loopWaitAfter, int retryAfter, int warnings)
    {
        var adjusted = new FailoverSettings
        {
            Ttl = Duration.FromSeconds(ttl),
            LoopWait = Duration.FromSeconds(loopWait),
            RetryTimeout = Duration.FromSeconds(retry),
        }.Adjust();
        Assert.Equal(Duration.FromSeconds(ttlAfter), adjusted.Settings.Ttl);
        Assert.Equal(Duration.FromSeconds(loopWaitAfter), adjusted.Settings.LoopWait);
        Assert.Equal(Duration.FromSeconds(retryAfter), adjusted.Settings.RetryTimeout);
        Assert.Equal(warnings, adjusted.Warnings.Count);
    }

    [Fact]
    public void Settings_warning_text_names_what_was_lowered()
    {
        var adjusted = new FailoverSettings { RetryTimeout = Duration.FromSeconds(15) }.Adjust();
        Assert.Equal(
            "Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl=30s. Adjusting loop_wait from 10s to 1s and retry_timeout from 15s to 14s",
            Assert.Single(adjusted.Warnings));
    }

    [Theory]
    [InlineData(30, 15, 10)]  // Patroni would lower loop_wait to 10s
    [InlineData(30, 10, 18)]  // Patroni would set loop_wait 1s, retry_timeout 14s
    [InlineData(20, 20, 20)]
    public void Settings_enforce_timing_rule_off_runs_the_timings_as_given_and_only_warns(int ttl, int loopWait, int retry)
    {
        var settings = new FailoverSettings
        {
            Ttl = Duration.FromSeconds(ttl),
            LoopWait = Duration.FromSeconds(loopWait),
            RetryTimeout = Duration.FromSeconds(retry),
            EnforceTimingRule = false,
        };
        var adjusted = settings.Adjust();
        Assert.Equal(settings, adjusted.Settings);
        Assert.Equal(
            $"Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl={ttl}s, loop_wait={loopWait}s and retry_timeout={retry}s. "
            + "Not adjusting: enforce_timing_rule is false, so a leader whose DCS calls hang may keep running as primary after its key expired",
            Assert.Single(adjusted.Warnings));
        // The controller runs them too.
        Assert.Equal(settings, Controller(settings).Settings);
        Assert.NotEqual(settings, Controller(settings with { EnforceTimingRule = true }).Settings);
    }

    [Fact]
    public void Settings_enforce_timing_rule_off_still_applies_the_minimums_and_is_silent_when_the_rule_holds()
    {
        var adjusted = new FailoverSettings { Ttl = Duration.FromSeconds(10), LoopWait = Duration.Zero, RetryTimeout = Duration.FromSeconds(5), EnforceTimingRule = false }.Adjust();
        Assert.Equal((Duration.FromSeconds(20), Duration.FromSeconds(1)), (adjusted.Settings.Ttl, adjusted.Settings.LoopWait));
        Assert.Equal(["loop_wait=0s can't be smaller than 1s, adjusting...", "ttl=10s can't be smaller than 20s, adjusting..."], adjusted.Warnings);
        Assert.Empty(new FailoverSettings { EnforceTimingRule = false }.Adjust().Warnings);
    }

    /// <summary>
    /// Patroni's worst case (patroni.md 1.10): get_cluster succeeds just before retry_timeout, then
    /// update_leader fails for another retry_timeout. With loop_wait 10 s, retry_timeout 18 s and the
    /// rule not enforced, a leader whose last renewal was at 0 s is still primary when its key expires
    /// at ttl = 30 s, and demotes only at 10 + 12.3 + 18 = 40.3 s.
    /// </summary>
    [Fact]
    public void Settings_enforce_timing_rule_off_leader_still_primary_after_its_key_expired()
    {
        var c = Controller(new FailoverSettings { RetryTimeout = Duration.FromSeconds(18), EnforceTimingRule = false });
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0, retryTimeout: 18)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0)), Deadline(18), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Touch(3, Primary(500)), Loop(10)),
            // The next cycle's read reaches a member that answers only after 12.3 s; the update then never succeeds.
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(4, 10, retryTimeout: 18)),
            new Row(S(10), Primary(600)),
            new Row(S(22.3), Read(4, View(N0)), Deadline(40.3), Dcs(5, Update(600))));
        // Nothing is due before 40.3 s: at ttl = 30 s the key expires in the DCS while the leader still believes it holds it.
        Assert.True(c.State.HasLock);
        Assert.Equal(DatabaseRole.Primary, c.State.DatabaseRole);
        Run(c, new Row(S(40.3), new TimerFired(TimerId.DcsDeadline), [new WatchdogDisarm(), new Demote(new CommandId(1), DemoteMode.Offline, null), .. CycleStart(6, 40.3, retryTimeout: 18)]));
    }

    [Theory]
    [InlineData(5, 25)]
    [InlineData(-1, 15)] // safety_margin -1: ttl // 2
    public void Watchdog_timeout_is_ttl_minus_safety_margin(int margin, int expected)
    {
        var c = Controller(new FailoverSettings { WatchdogSafetyMargin = Duration.FromSeconds(margin) });
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(expected)), Touch(3, Primary(500)), Loop(10)));
    }

    [Fact]
    public void Watchdog_automatic_without_device_promotes_unarmed()
    {
        var me = Replica(100, N1);
        Run(Controller(),
            new Row(S(0), new Start(WatchdogAvailable: false), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(100))),
            new Row(S(0), Wrote(2), new Promote(new CommandId(1)), Touch(3, me), Loop(10)));
    }

    [Fact]
    public void W1_required_watchdog_unavailable_makes_a_replica_unfit_to_race()
    {
        var me = Replica(100, N1);
        var c = Controller(new FailoverSettings { WatchdogMode = WatchdogMode.Required });
        Run(c,
            new Row(S(0), new Start(WatchdogAvailable: false), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(null)), new FollowLeader(null), Touch(2, me), Loop(10)));
        Assert.True(c.State.WatchdogFailed);
    }

    [Fact]
    public void W1_required_watchdog_unavailable_lock_holder_releases_key_instead_of_promoting()
    {
        var me = Replica(100, N1);
        var c = Controller(new FailoverSettings { WatchdogMode = WatchdogMode.Required });
        Run(c,
            new Row(S(0), new Start(WatchdogAvailable: false), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(100))),
            new Row(S(0), Wrote(2), Dcs(3, new DeleteLeader()), Touch(4, me), Loop(10)));
        Assert.Equal("Not promoting self because watchdog could not be activated", c.State.LastMessage);
    }

    [Fact]
    public void R1_crashed_primary_with_zero_primary_start_timeout_fails_over_and_releases_key_once_stopped()
    {
        var stopped = DatabaseStatus.Stopped(new Term(1));
        var c = Controller(new FailoverSettings { PrimaryStartTimeout = Duration.Zero });
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), stopped),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(0))),
            new Row(S(0), Wrote(2), Query(3, N1), Query(4, N2)),
            new Row(S(0), Peer(3, N1, 100)),
            new Row(S(0), NoAnswer(4, N2), new Demote(new CommandId(1), DemoteMode.Immediate, null), Touch(5, stopped), Loop(10)),
            new Row(S(1), new CommandResult(new CommandId(1), true), [Dcs(6, new DeleteLeader()), new CancelTimer(TimerId.Loop), .. CycleStart(7, 1)]));
    }

    [Fact]
    public void R5_stopped_replica_starts_following_the_leader()
    {
        var stopped = DatabaseStatus.Stopped(new Term(1));
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), stopped),
            new Row(S(0), Read(1, View(N1)), new StartDatabase(new CommandId(1), false, N1), Touch(2, stopped), Loop(10)));
    }
}
