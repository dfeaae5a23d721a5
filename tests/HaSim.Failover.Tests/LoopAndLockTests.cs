using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>Loop scheduling, the leader key (acquire, renew, lose) and the DCS-unreachable rows D1, D4 (patroni.md 1.1-1.4).</summary>
public class LoopAndLockTests
{
    private static readonly DatabaseStatus ReplicaOfN1 = Replica(100, N1);

    [Fact]
    public void Loop_next_cycle_at_previous_start_plus_loop_wait_F2_replica_follows()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0.1), ReplicaOfN1),
            new Row(S(0.2), Read(1, View(N1)), Touch(2, ReplicaOfN1), Loop(10)),
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(3, 10)));
    }

    [Fact]
    public void Loop_overrun_reschedules_immediately()
    {
        Run(Controller(new FailoverSettings { LoopWait = Duration.FromSeconds(5) }),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), ReplicaOfN1),
            new Row(S(6), Read(1, View(N1)), [Touch(2, ReplicaOfN1), .. CycleStart(3, 6)]));
    }

    [Fact]
    public void Loop_leader_key_watch_wakes_a_replica_at_once()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), ReplicaOfN1),
            new Row(S(0), Read(1, View(N1)), Touch(2, ReplicaOfN1), Loop(10)),
            new Row(S(3), new LeaderKeyChanged(), [new CancelTimer(TimerId.Loop), .. CycleStart(3, 3)]));
    }

    [Fact]
    public void F2_replica_following_someone_else_is_repointed_at_the_leader()
    {
        var db = Replica(100, N2);
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), db),
            new Row(S(0), Read(1, View(N1)), new FollowLeader(N1), Touch(2, db), Loop(10)));
    }

    [Fact]
    public void H1_leader_renews_key_by_CAS_each_cycle_publishing_optime_and_keeps_watchdog_alive()
    {
        var c = Controller();
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Touch(3, Primary(500)), Loop(10)),
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(4, 10)),
            new Row(S(10), Primary(600)),
            new Row(S(10), Read(4, View(N0)), Deadline(20), Dcs(5, Update(600))),
            new Row(S(10), Wrote(5), new WatchdogKeepalive(), Touch(6, Primary(600)), Loop(20)),
            // Watch events do not wake the lock holder (Ha.watch).
            new Row(S(11), new LeaderKeyChanged()));
        Assert.Equal("no action. I am (n0), the leader with the lock", c.State.LastMessage);
        Assert.True(c.State.HasLock);
    }

    [Fact]
    public void H1_leader_on_a_new_timeline_records_it_in_history_once()
    {
        // update_cluster_history: the /history key must yield the primary's timeline; written
        // fire-and-forget when it does not, and not again once it does.
        var db = Primary(500, timeline: 2);
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), db),
            new Row(S(0), Read(1, View(N0, timeline: null)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Dcs(3, new SetHistory(new Term(2))), Touch(4, db), Loop(10)),
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(5, 10)),
            new Row(S(10), db),
            new Row(S(10), Read(5, View(N0, timeline: 2)), Deadline(20), Dcs(6, Update(500))),
            new Row(S(10), Wrote(6), new WatchdogKeepalive(), Touch(7, db), Loop(20)));
    }

    [Theory]
    [InlineData(1, null, null)] // timeline 1 and no /history: nothing to write
    [InlineData(1, 3L, 1L)]     // timeline 1 under a /history of another timeline: reset it ('[]')
    [InlineData(3, 2L, 3L)]     // /history behind the primary
    [InlineData(2, 3L, 2L)]     // /history ahead of the primary (it is rewritten to the primary's)
    public void H1_history_is_rewritten_whenever_it_does_not_yield_the_primary_timeline(long mine, long? recorded, long? written)
    {
        var db = Primary(500, timeline: mine);
        ControllerCommand[] history = written is { } t ? [Dcs(3, new SetHistory(new Term(t)))] : [];
        var next = history.Length + 3;
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), db),
            new Row(S(0), Read(1, View(N0, timeline: recorded)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), [new WatchdogArm(Duration.FromSeconds(25)), .. history, Touch(next, db), Loop(10)]));
    }

    [Fact]
    public void H1_replica_with_the_lock_writes_no_history_before_it_is_primary()
    {
        var db = Replica(100, null, timeline: 1);
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), db),
            new Row(S(0), Read(1, View(N0, timeline: 3)), Deadline(10), Dcs(2, Update(100))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), new Promote(new CommandId(1)), Touch(3, db), Loop(10)));
    }

    [Fact]
    public void H3_failed_CAS_demotes_immediate_nolock_without_failsafe()
    {
        Run(Controller(new FailoverSettings { FailsafeMode = true }),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N0, failsafe: NodeSet.Of(N0, N1, N2))), Deadline(10), Dcs(2, Update(500, NodeSet.Of(N0, N1, N2)))),
            new Row(S(0), Wrote(2, ok: false), new Demote(new CommandId(1), DemoteMode.ImmediateNoLock, null), Touch(3, Primary(500)), Loop(10)));
    }

    [Fact]
    public void F1_primary_seeing_another_holder_demotes_immediate_nolock_and_follows_it()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(N1)), new Demote(new CommandId(1), DemoteMode.ImmediateNoLock, N1), Touch(2, Primary(500)), Loop(10)));
    }

    [Fact]
    public void D1_primary_demotes_offline_when_DCS_retries_run_out_at_retry_timeout()
    {
        var c = Controller();
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            // Each failed attempt is retried after 0.1 s, doubling to at most 1 s (Retry(max_delay=1)).
            new Row(S(0), Down(1), new SetTimer(TimerId.DcsRetry, S(0.1))),
            new Row(S(0.1), new TimerFired(TimerId.DcsRetry), Dcs(2, Get)),
            new Row(S(0.1), Down(2), new SetTimer(TimerId.DcsRetry, S(0.3))),
            new Row(S(0.3), new TimerFired(TimerId.DcsRetry), Dcs(3, Get)),
            new Row(S(0.3), Down(3), new SetTimer(TimerId.DcsRetry, S(0.7))),
            // The last attempt hangs; the deadline decides. No member touch after a DCS error.
            new Row(S(0.7), new TimerFired(TimerId.DcsRetry), Dcs(4, Get)),
            new Row(S(10), new TimerFired(TimerId.DcsDeadline), [new Demote(new CommandId(1), DemoteMode.Offline, null), .. CycleStart(5, 10)]),
            // A late answer to the abandoned attempt is ignored.
            new Row(S(10.5), Read(4, View(N0))));
        Assert.False(c.State.HasLock);
    }

    [Fact]
    public void DcsRetry_a_call_that_succeeds_before_retry_timeout_does_not_demote()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Down(1), new SetTimer(TimerId.DcsRetry, S(0.1))),
            new Row(S(0.1), new TimerFired(TimerId.DcsRetry), Dcs(2, Get)),
            new Row(S(0.2), Read(2, View(N0)), Deadline(10.2), Dcs(3, Update(500))));
    }

    [Fact]
    public void D4_replica_does_nothing_when_DCS_is_unreachable()
    {
        var c = Controller();
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), ReplicaOfN1),
            new Row(S(10), new TimerFired(TimerId.DcsDeadline), CycleStart(2, 10)));
        Assert.Equal("DCS is not accessible", c.State.LastMessage);
    }

    [Fact]
    public void Stale_timer_after_its_call_completed_is_ignored()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), ReplicaOfN1),
            new Row(S(0), Read(1, View(N1)), Touch(2, ReplicaOfN1), Loop(10)),
            new Row(S(10), new TimerFired(TimerId.DcsDeadline)));
    }
}
