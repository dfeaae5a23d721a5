using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>The leader race U1..U3 and T1 (is_healthiest_node, patroni.md 1.5).</summary>
public class RaceTests
{
    private static readonly DatabaseStatus Me = Replica(100, N1);

    private static Row[] ToRace(ClusterView view) =>
    [
        new Row(S(0), new Start(), CycleStart(1, 0)),
        new Row(S(0), Me),
        new Row(S(0), Read(1, view), Query(2, N1), Query(3, N2)),
    ];

    [Fact]
    public void U1_healthiest_replica_queries_peers_acquires_by_create_then_arms_watchdog_and_promotes()
    {
        var c = Controller();
        Run(c, [.. ToRace(View(null)),
            new Row(S(0.5), Peer(2, N1, 90)),
            new Row(S(0.6), Peer(3, N2, 80), Deadline(10.6), Dcs(4, Acquire)),
            new Row(S(0.7), Wrote(4), new WatchdogArm(Duration.FromSeconds(25)), new Promote(new CommandId(1)), Touch(5, Me), Loop(10)),
            // Promotion done: Ha.wakeup runs a cycle at once.
            new Row(S(2), new CommandResult(new CommandId(1), true), [new CancelTimer(TimerId.Loop), .. CycleStart(6, 2)])]);
    }

    [Fact]
    public void U2_lost_create_follows_nobody()
    {
        var c = Controller();
        Run(c, [.. ToRace(View(null)),
            new Row(S(0), Peer(2, N1, 90)),
            new Row(S(0), Peer(3, N2, 80), Deadline(10), Dcs(4, Acquire)),
            new Row(S(0), Wrote(4, ok: false), new FollowLeader(null), Touch(5, Me), Loop(10))]);
        Assert.Equal("following new leader after trying and failing to obtain lock", c.State.LastMessage);
    }

    public static TheoryData<string, PeerStatus> U3Blockers => new()
    {
        { "peer ahead", Peer(2, N1, 110) },
        { "peer still primary", Peer(2, N1, 50, primary: true) },
        { "equal LSN, higher failover_priority", Peer(2, N1, 100, priority: 2) },
    };

    [Theory]
    [MemberData(nameof(U3Blockers))]
    public void U3_reachable_peer_blocks_the_race(string why, PeerStatus blocker)
    {
        var c = Controller();
        Run(c, [.. ToRace(View(null)),
            new Row(S(0), blocker),
            new Row(S(0), NoAnswer(3, N2), new FollowLeader(null), Touch(4, Me), Loop(10))]);
        Assert.Equal("following a different leader because i am not the healthiest node", c.State.LastMessage);
        Assert.NotNull(why);
    }

    [Fact]
    public void U1_unreachable_nofailover_peers_and_the_former_leader_at_equal_LSN_do_not_block()
    {
        var c = Controller();
        // The last view with a leader named N1: its higher priority at equal LSN does not count.
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Me),
            new Row(S(0), Read(1, View(N1)), Touch(2, Me), Loop(10)),
            new Row(S(5), new LeaderKeyChanged(), [new CancelTimer(TimerId.Loop), .. CycleStart(3, 5)]),
            new Row(S(5), Me),
            new Row(S(5), Read(3, View(null)), Query(4, N1), Query(5, N2)),
            new Row(S(5), Peer(4, N1, 100, priority: 5)),
            new Row(S(5), Peer(5, N2, 200, noFailover: true), Deadline(15), Dcs(6, Acquire)));
    }

    public static TheoryData<string, FailoverSettings, ClusterView, DatabaseStatus> DecidedWithoutPeers => new()
    {
        // Lag check against the optime the leader last published in /status.
        { "lagging beyond maximum_lag_on_failover", new FailoverSettings(), View(null, optime: 100 + 1_048_577), Replica(100, N1) },
        { "check_timeline: behind the cluster timeline", new FailoverSettings { CheckTimeline = true }, View(null, timeline: 2), Replica(100, N1) },
    };

    [Theory]
    [MemberData(nameof(DecidedWithoutPeers))]
    public void U3_not_healthiest_without_asking_peers(string why, FailoverSettings settings, ClusterView view, DatabaseStatus db)
    {
        Run(Controller(settings),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), db),
            new Row(S(0), Read(1, view), new FollowLeader(null), Touch(2, db), Loop(10)));
        Assert.NotNull(why);
    }

    [Fact]
    public void U3_nofailover_never_races()
    {
        var c = Controller(new FailoverSettings { NoFailover = true });
        var touch = Dcs(2, new TouchMember(new MemberInfo(N0, "n0", Me.LastOperation, Me.Timeline, new MemberTags(NoFailover: true))));
        Run(c,
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Me),
            new Row(S(0), Read(1, View(null)), new FollowLeader(null), touch, Loop(10)));
        Assert.Equal("following a different leader because I am not allowed to promote", c.State.LastMessage);
    }

    [Fact]
    public void T1_primary_without_key_on_an_old_timeline_demotes()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500, timeline: 1)),
            new Row(S(0), Read(1, View(null, timeline: 2)), new Demote(new CommandId(1), DemoteMode.ImmediateNoLock, null), Touch(2, Primary(500)), Loop(10)));
    }

    [Fact]
    public void U1_running_primary_without_key_retakes_it_without_asking_peers()
    {
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Primary(500)),
            new Row(S(0), Read(1, View(null, timeline: 1)), Deadline(10), Dcs(2, Acquire)),
            new Row(S(0), Wrote(2), new WatchdogArm(Duration.FromSeconds(25)), Touch(3, Primary(500)), Loop(10)));
    }

    [Fact]
    public void Order_candidates_are_queried_in_id_order_whatever_the_member_order()
    {
        var view = View(null, members: [Member(N2), Member(N0), Member(N1)]);
        Run(Controller(),
            new Row(S(0), new Start(), CycleStart(1, 0)),
            new Row(S(0), Me),
            new Row(S(0), Read(1, view), Query(2, N1), Query(3, N2)));
    }
}
