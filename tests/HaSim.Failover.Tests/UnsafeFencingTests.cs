using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>
/// FailoverSettings.UnsafeDisableFencing, the test-only switch: each row where Patroni demotes a
/// primary that lost (or cannot renew) its key runs as in the fenced tables up to the decision, then
/// ends the cycle with the database left primary, and the watchdog is never armed. The fenced rows
/// are in LoopAndLockTests, RaceTests and SyncAndFailsafeTests.
/// </summary>
public class UnsafeFencingTests
{
    private static readonly FailoverSettings Unfenced = new() { UnsafeDisableFencing = true };

    private static void AssertStillPrimary(FailoverController c, string patroniMessage)
    {
        Assert.Equal($"unsafe_disable_fencing: still primary, not fencing ({patroniMessage})", c.State.LastMessage);
        Assert.Null(c.State.LongAction);
        Assert.False(c.State.WatchdogArmed);
    }

    [Fact]
    public void The_switch_is_off_by_default_and_warns_loudly_when_on()
    {
        Assert.False(new FailoverSettings().UnsafeDisableFencing);
        Assert.Empty(new FailoverSettings().Adjust().Warnings);
        Assert.StartsWith("UNSAFE: unsafe_disable_fencing is on", Assert.Single(Unfenced.Adjust().Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void H1_the_watchdog_is_never_armed()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), Touch(3, Primary(500)), Loop(10)));
        Assert.False(c.State.WatchdogArmed);
        Assert.False(c.State.WatchdogFailed);
    }

    [Fact]
    public void D1_DCS_unreachable_primary_is_not_demoted()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            // Fenced: Demote(Offline) here (LoopAndLockTests.D1_...).
            new Row(S(10), new TimerFired(TimerId.DcsDeadline), CycleStart(2, 10)));
        AssertStillPrimary(c, "demoted self because DCS is not accessible and I was a leader");
    }

    [Fact]
    public void D3_failsafe_refused_primary_is_not_demoted()
    {
        var c = Controller(Unfenced with { FailsafeMode = true });
        var all = NodeSet.Of(N0, N1, N2);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0, failsafe: all)), Deadline(10), Dcs(2, Update(500, all))),
            new Row(S(0), Wrote(2), Touch(3, Primary(500)), Loop(10)),
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(4, 10)),
            new Row(S(10), Primary(600)),
            new Row(S(20), new TimerFired(TimerId.DcsDeadline),
                new PostFailsafe(new RequestId(5), N1, FailoverSettings.PeerQueryTimeout), new PostFailsafe(new RequestId(6), N2, FailoverSettings.PeerQueryTimeout)),
            new Row(S(20), new FailsafeReply(new RequestId(5), N1, true)),
            new Row(S(20), new FailsafeReply(new RequestId(6), N2, false), CycleStart(7, 20)));
        AssertStillPrimary(c, "demoted self because DCS is not accessible and I was a leader");
    }

    [Fact]
    public void H3_failed_CAS_primary_is_not_demoted()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2, ok: false), Touch(3, Primary(500)), Loop(10)));
        AssertStillPrimary(c, "demoted self because failed to update leader lock in DCS");
        Assert.False(c.State.HasLock);
    }

    [Fact]
    public void F1_primary_seeing_another_holder_is_not_demoted_and_does_not_follow()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N1)), Touch(2, Primary(500)), Loop(10)));
        AssertStillPrimary(c, "demoting self because I do not have the lock and I was a leader");
    }

    [Fact]
    public void U2_primary_that_loses_the_race_is_not_demoted()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(null, timeline: 1)), Deadline(10), Dcs(2, Acquire)),
            new Row(S(0), Wrote(2, ok: false), Touch(3, Primary(500)), Loop(10)));
        AssertStillPrimary(c, "demoted self after trying and failing to obtain lock");
    }

    [Fact]
    public void T1_U3_primary_on_an_old_timeline_is_not_demoted()
    {
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500, timeline: 1)),
            new Row(S(0), Read(1, View(null, timeline: 2)), Touch(2, Primary(500)), Loop(10)));
        AssertStillPrimary(c, "demoting self because i am not the healthiest node");
    }

    [Fact]
    public void S1_starting_lock_holder_that_lost_the_key_is_not_stopped()
    {
        var starting = DatabaseStatus.Starting(new Term(1));
        var c = Controller(Unfenced);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), starting),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(0))),
            new Row(S(0), Wrote(2, ok: false), Touch(3, starting), Loop(10)));
        Assert.Equal("unsafe_disable_fencing: still primary, not fencing (stopped PostgreSQL while starting up because leader key was lost)", c.State.LastMessage);
        Assert.Null(c.State.LongAction);
    }

    [Fact]
    public void R1_a_crashed_primary_still_hands_over_which_is_not_fencing()
    {
        var stopped = DatabaseStatus.Stopped(new Term(1));
        Run(Controller(Unfenced with { PrimaryStartTimeout = Duration.Zero }),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), stopped),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(0))),
            new Row(S(0), Wrote(2), Query(3, N1), Query(4, N2)),
            new Row(S(0), Peer(3, N1, 100)),
            new Row(S(0), NoAnswer(4, N2), new Demote(new CommandId(1), DemoteMode.Immediate, null), Touch(5, stopped), Loop(10)));
    }
}
