using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>synchronous_mode (/sync order, who may promote, Y1) and failsafe_mode (D2, D3).</summary>
public class SyncAndFailsafeTests
{
    private static readonly FailoverSettings Sync = new() { SynchronousMode = SynchronousMode.On };

    [Fact]
    public void Y1_prepromote_CAS_of_sync_lost_postpones_promotion()
    {
        var me = Replica(100, N1);
        var c = Controller(Sync);
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(N0, sync: new SyncRecord(N0, NodeSet.Empty, 7))), Deadline(10), Dcs(2, Update(100))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Deadline(10), Dcs(3, new WriteSync(N0, NodeSet.Empty, 7))),
            new Row(S(0), Wrote(3, ok: false), Touch(4, me), Loop(10)));
        Assert.Equal("Postponing promotion because synchronous replication state was updated by somebody else", c.State.LastMessage);
    }

    [Fact]
    public void Y1_prepromote_CAS_then_clear_names_then_promote()
    {
        var me = Replica(100, N1);
        Run(Controller(Sync),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(N0, sync: new SyncRecord(N1, NodeSet.Of(N0), 7))), Deadline(10), Dcs(2, Update(100))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Deadline(10), Dcs(3, new WriteSync(N0, NodeSet.Empty, 7))),
            new Row(S(0), Wrote(3), new SetSynchronousStandbyNames(NodeSet.Empty, ""), new Promote(new CommandId(1)), Touch(4, me), Loop(10)));
    }

    [Fact]
    public void Sync_only_a_listed_node_may_race()
    {
        var me = Replica(100, N1);
        Run(Controller(Sync),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), me),
            new Row(S(0), Read(1, View(null, sync: new SyncRecord(N1, NodeSet.Of(N2), 3))), new FollowLeader(null), Touch(2, me), Loop(10)));
    }

    [Fact]
    public void Sync_primary_keeps_sync_in_order_enable_then_names_then_add_then_shrink_first()
    {
        var asyncStandby = Primary(500, 1, new StandbyReplication(N1, new Lsn(500), IsSync: false));
        var syncStandby = Primary(600, 1, new StandbyReplication(N1, new Lsn(600), IsSync: true));
        var alone = Primary(700);
        var one = NodeSet.Of(N1);
        Run(Controller(Sync),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), asyncStandby),
            // _maybe_enable_synchronous_mode: /sync = {me, nobody}, created if absent.
            new Row(S(0), Read(1, View(N0)), Deadline(10), Dcs(2, Update(500))),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Deadline(10), Dcs(3, new WriteSync(N0, NodeSet.Empty, null))),
            new Row(S(0), Wrote(3), Touch(4, asyncStandby), Loop(10)),
            // Adding: synchronous_standby_names first ...
            new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(5, 10)),
            new Row(S(10), asyncStandby),
            new Row(S(10), Read(5, View(N0, sync: new SyncRecord(N0, NodeSet.Empty, 1))), Deadline(20), Dcs(6, Update(500))),
            new Row(S(10), Wrote(6), new WatchdogKeepalive(), new SetSynchronousStandbyNames(one, "1 (n1)"), Touch(7, asyncStandby), Loop(20)),
            // ... then /sync, once the standby is confirmed synchronous.
            new Row(S(20), new TimerFired(TimerId.Loop), CycleStart(8, 20)),
            new Row(S(20), syncStandby),
            new Row(S(20), Read(8, View(N0, sync: new SyncRecord(N0, NodeSet.Empty, 1))), Deadline(30), Dcs(9, Update(600))),
            new Row(S(20), Wrote(9), new WatchdogKeepalive(), Deadline(30), Dcs(10, new WriteSync(N0, one, 1))),
            new Row(S(20), Wrote(10), Touch(11, syncStandby), Loop(30)),
            // Removing: /sync first, then synchronous_standby_names.
            new Row(S(30), new TimerFired(TimerId.Loop), CycleStart(12, 30)),
            new Row(S(30), alone),
            new Row(S(30), Read(12, View(N0, sync: new SyncRecord(N0, one, 2))), Deadline(40), Dcs(13, Update(700))),
            new Row(S(30), Wrote(13), new WatchdogKeepalive(), Deadline(40), Dcs(14, new WriteSync(N0, NodeSet.Empty, 2))),
            new Row(S(30), Wrote(14), new SetSynchronousStandbyNames(NodeSet.Empty, ""), Touch(15, alone), Loop(40)));
    }

    private static Row[] LeaderThenDcsLost(FailoverController c) =>
    [
        new Row(S(0), new Start(), CycleStart(1, 0)),
        new Row(S(0), Primary(500)),
        new Row(S(0), Read(1, View(N0, failsafe: NodeSet.Of(N0, N1, N2))), Deadline(10), Dcs(2, Update(500, NodeSet.Of(N0, N1, N2)))),
        new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Touch(3, Primary(500)), Loop(10)),
        new Row(S(10), new TimerFired(TimerId.Loop), CycleStart(4, 10)),
        new Row(S(10), Primary(500)),
        new Row(S(20), new TimerFired(TimerId.DcsDeadline),
            new PostFailsafe(new RequestId(5), N1, FailoverSettings.PeerQueryTimeout), new PostFailsafe(new RequestId(6), N2, FailoverSettings.PeerQueryTimeout)),
    ];

    [Fact]
    public void D2_failsafe_every_member_accepts_primary_stays()
    {
        var c = Controller(new FailoverSettings { FailsafeMode = true });
        Run(c, [.. LeaderThenDcsLost(c),
            new Row(S(20), new FailsafeReply(new RequestId(5), N1, true)),
            new Row(S(20), new FailsafeReply(new RequestId(6), N2, true), [new WatchdogKeepalive(), .. CycleStart(7, 20)])]);
        Assert.True(c.State.HasLock);
    }

    [Fact]
    public void D3_failsafe_one_member_refuses_primary_demotes_offline()
    {
        var c = Controller(new FailoverSettings { FailsafeMode = true });
        Run(c, [.. LeaderThenDcsLost(c),
            new Row(S(20), new FailsafeReply(new RequestId(5), N1, true)),
            new Row(S(20), new FailsafeReply(new RequestId(6), N2, false),
                [new WatchdogDisarm(), new Demote(new CommandId(1), DemoteMode.Offline, null), .. CycleStart(7, 20)])]);
    }
}
