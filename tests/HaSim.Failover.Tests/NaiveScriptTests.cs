using HaSim.Failover;
using HaSim.Primitives;
using static HaSim.Failover.Tests.Table;

namespace HaSim.Failover.Tests;

/// <summary>
/// The naive heartbeat script (agent naive-script): pings every heartbeat_interval, promotes after
/// heartbeat_timeout without a primary, follows a primary that answers, never demotes.
/// </summary>
public class NaiveScriptTests
{
    private static readonly Duration Interval = Duration.FromSeconds(1);

    private static NaiveFailoverScript Script(NodeId self, NaiveScriptSettings? settings = null) =>
        new(self, "n" + self.Value, settings ?? new NaiveScriptSettings(), [.. new[] { N0, N1, N2 }.Where(n => n != self)]);

    private static QueryPeer Ping(long request, NodeId peer) => new(new RequestId(request), peer, Interval);

    private static List<ControllerCommand> Step(IHaController script, Instant at, ControllerInput input)
    {
        script.Step(at, input);
        var commands = new List<ControllerCommand>();
        while (script.TryTakeCommand(out var command))
        {
            commands.Add(command);
        }
        return commands;
    }

    [Fact]
    public void A_standby_promotes_after_heartbeat_timeout_of_silence_and_not_before()
    {
        var s = Script(N1);
        var me = Replica(100, N0);
        Run(s,
            new Row(S(0), new Start(), QueryDb, Ping(1, N0), Ping(2, N2)),
            new Row(S(0), me),
            new Row(S(0), Peer(1, N0, 100, primary: true)),
            new Row(S(0), Peer(2, N2, 100), Loop(1)),
            new Row(S(1), new TimerFired(TimerId.Loop), QueryDb, Ping(3, N0), Ping(4, N2)),
            new Row(S(1), me),
            new Row(S(1), Peer(4, N2, 100)));
        Assert.Equal("following node0", s.State.LastMessage);

        // From here N0 is silent: each heartbeat ends when the ping to it times out, one interval on,
        // and the next starts at once. N0 last answered at 0 s.
        long n0 = 3;
        for (var t = 2; t <= 10; t++)
        {
            var commands = Step(s, S(t), NoAnswer(n0, N0));
            var promoted = commands.OfType<Promote>().ToList();
            if (t < 10)
            {
                Assert.True(promoted.Count == 0, $"promoted after {t} s of silence: {s.State.LastMessage}");
                Assert.Equal($"no primary heard for {t}s", s.State.LastMessage);
            }
            else
            {
                Assert.Equal([new Promote(new CommandId(1))], promoted);
                Assert.Equal("promoting: no primary heard for 10s (heartbeat_timeout 10s)", s.State.LastMessage);
            }
            Assert.Equal([QueryDb, Ping(n0 + 2, N0), Ping(n0 + 3, N2)], commands.Where(c => c is not Promote));
            n0 += 2;
            Step(s, S(t), me);
            Step(s, S(t), Peer(n0 + 1, N2, 100));
        }
        Assert.Equal("promote", s.State.LongAction);
        Step(s, S(10.5), new CommandResult(new CommandId(1), true));
        Assert.Null(s.State.LongAction);
    }

    [Fact]
    public void A_standby_follows_a_new_primary_that_answers_and_does_not_promote()
    {
        var s = Script(N2);
        Run(s,
            new Row(S(0), new Start(), QueryDb, Ping(1, N0), Ping(2, N1)),
            new Row(S(0), Replica(100, N0)),
            // N0 is gone; N1 was promoted (timeline 2) and answers as primary.
            new Row(S(0.5), Peer(2, N1, 120, primary: true, timeline: 2)),
            new Row(S(1), NoAnswer(1, N0), new FollowLeader(N1), QueryDb, Ping(3, N0), Ping(4, N1)));
        Assert.Equal("following node1, the primary that answers", s.State.LastMessage);
        // Once it follows N1, N1 answering keeps it content, with no further command but the heartbeat.
        Run(s,
            new Row(S(1), Replica(120, N1)),
            new Row(S(1.1), Peer(4, N1, 130, primary: true, timeline: 2)),
            new Row(S(2), NoAnswer(3, N0), QueryDb, Ping(5, N0), Ping(6, N1)));
        Assert.Equal("following node1", s.State.LastMessage);
    }

    [Fact]
    public void A_primary_is_never_demoted_even_when_another_node_answers_as_primary()
    {
        var s = Script(N0);
        var me = Primary(500);
        for (var t = 0; t < 20; t++)
        {
            var commands = t == 0 ? Step(s, S(0), new Start()) : Step(s, S(t), new TimerFired(TimerId.Loop));
            Assert.Equal([QueryDb, Ping(2 * t + 1, N1), Ping(2 * t + 2, N2)], commands);
            Step(s, S(t), me);
            Step(s, S(t), Peer(2 * t + 1, N1, 600, primary: true, timeline: 2));
            Assert.Equal([Loop(t + 1)], Step(s, S(t), Peer(2 * t + 2, N2, 600, timeline: 2)));
        }
        Assert.Equal("I (n0) am the primary, and so says node1: the script never demotes", s.State.LastMessage);
        Assert.True(s.State.HasLock); // its /primary answers 200
    }

    [Fact]
    public void A_lower_ranked_standby_waits_for_a_reachable_higher_ranked_one()
    {
        // N2 and N1 both lost the primary; N1 (lower id, equal priority) answers, so N2 leaves the promotion to it.
        var s = Script(N2, new NaiveScriptSettings { HeartbeatTimeout = Interval });
        Run(s,
            new Row(S(0), new Start(), QueryDb, Ping(1, N0), Ping(2, N1)),
            new Row(S(0), Replica(100, N0)),
            new Row(S(0), Peer(2, N1, 100)),
            new Row(S(1), NoAnswer(1, N0), QueryDb, Ping(3, N0), Ping(4, N1)));
        Assert.Equal("no primary heard for 1s; node1 ranks first and should promote", s.State.LastMessage);

        // With a higher failover_priority N2 ranks first and promotes.
        var first = Script(N2, new NaiveScriptSettings { HeartbeatTimeout = Interval, FailoverPriority = 2 });
        Run(first,
            new Row(S(0), new Start(), QueryDb, Ping(1, N0), Ping(2, N1)),
            new Row(S(0), Replica(100, N0)),
            new Row(S(0), Peer(2, N1, 100)),
            new Row(S(1), NoAnswer(1, N0), new Promote(new CommandId(1)), QueryDb, Ping(3, N0), Ping(4, N1)));
    }

    [Fact]
    public void A_nofailover_standby_never_promotes()
    {
        var s = Script(N1, new NaiveScriptSettings { HeartbeatTimeout = Interval, NoFailover = true });
        Run(s,
            new Row(S(0), new Start(), QueryDb, Ping(1, N0), Ping(2, N2)),
            new Row(S(0), Replica(100, N0)),
            new Row(S(0), NoAnswer(2, N2)),
            new Row(S(1), NoAnswer(1, N0), QueryDb, Ping(3, N0), Ping(4, N2)));
        Assert.Equal("no primary heard for 1s, but not allowed to promote", s.State.LastMessage);
    }

    [Fact]
    public void A_stopped_database_starts_as_a_standby_of_the_node_answering_as_primary()
    {
        var s = Script(N0);
        var stopped = DatabaseStatus.Stopped(new Term(1));
        Run(s,
            new Row(S(0), new Start(), QueryDb, Ping(1, N1), Ping(2, N2)),
            new Row(S(0), stopped),
            new Row(S(0), Peer(1, N1, 100, primary: true, timeline: 2)),
            new Row(S(0), Peer(2, N2, 100, timeline: 2), new StartDatabase(new CommandId(1), false, N1), Loop(1)),
            // While it starts, a heartbeat changes nothing.
            new Row(S(1), new TimerFired(TimerId.Loop), QueryDb, Ping(3, N1), Ping(4, N2)),
            new Row(S(1), DatabaseStatus.Starting(new Term(1))),
            new Row(S(1), Peer(3, N1, 100, primary: true, timeline: 2)),
            new Row(S(1), Peer(4, N2, 100, timeline: 2), Loop(2)));
        Assert.Equal("start in progress", s.State.LastMessage);
    }

    [Fact]
    public void Settings_are_checked_and_inputs_of_the_patroni_loop_are_ignored()
    {
        Assert.Equal(["heartbeat_timeout (500ms) must be at least heartbeat_interval (1s): silence is only noticed at a heartbeat"],
            new NaiveScriptSettings { HeartbeatTimeout = Duration.FromMilliseconds(500) }.Errors());
        Assert.Contains("heartbeat_interval must be positive", new NaiveScriptSettings { HeartbeatInterval = Duration.Zero }.Errors()[0], StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Script(N0, new NaiveScriptSettings { HeartbeatInterval = Duration.Zero }));
        Assert.Throws<ArgumentException>(() => new NaiveFailoverScript(N0, "n0", new NaiveScriptSettings(), [N0, N1]));
        var s = Script(N1);
        Assert.Throws<InvalidOperationException>(() => s.Step(S(0), new TimerFired(TimerId.Loop)));
        Step(s, S(0), new Start());
        Assert.Empty(Step(s, S(0), new LeaderKeyChanged()));
        Assert.Empty(Step(s, S(0), Down(99)));
        Assert.Empty(Step(s, S(0), new TimerFired(TimerId.DcsDeadline)));
        Assert.Empty(s.SettingsWarnings);
    }
}
