using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

public class DcsMembershipTests
{
    private static Instant At(string time) => Instant.Parse(time);

    private static DcsMember[] Members(int count) =>
        Enumerable.Range(0, count).Select(i => new DcsMember(i, "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), new ZoneId(i))).ToArray();

    private static (DcsMembership Membership, TestNetwork Network) Cluster(int count)
    {
        var network = new TestNetwork(count);
        return (new DcsMembership(Members(count), RaftSettings.EtcdDefaults, network.Reachable, Instant.Start), network);
    }

    private static RoutePlan Route(DcsMembership membership, Instant now, int via)
    {
        Assert.True(membership.TryRoute(now, via, out var plan, out var refusal), refusal);
        return plan;
    }

    private static string Refusal(DcsMembership membership, Instant now, int via)
    {
        Assert.False(membership.TryRoute(now, via, out _, out var refusal));
        return refusal;
    }

    [Fact]
    public void AHealthyClusterIsLedByTheLowestIndexFromTheStart()
    {
        var (membership, _) = Cluster(3);
        var plan = Route(membership, Instant.Start, via: 2);
        Assert.Equal((2, 0, 1L, 2, 1), (plan.Via, plan.Leader, plan.Term, plan.QuorumSize, plan.AcksNeeded));
        Assert.Equal([1, 2], plan.Followers);
        Assert.Null(membership.NextElectionAt);
    }

    [Fact]
    public void ThreeMembersServeWithOneDownButNotWithTwo()
    {
        var (membership, _) = Cluster(3);
        Assert.Null(membership.Crash(At("1s"), 1));
        Assert.Equal([2], Route(membership, At("1s"), via: 0).Followers);
        Assert.Equal("member m1 is down", Refusal(membership, At("1s"), 1));

        Assert.Null(membership.Crash(At("2s"), 2)); // no election: nobody can win one
        Assert.Equal("member m0 cannot reach a quorum (1 of 3 up and reachable)", Refusal(membership, At("2s"), 0));
        Assert.Null(membership.LeaderAt(At("2s")));
    }

    [Fact]
    public void FiveMembersServeWithTwoDownButNotWithThree()
    {
        var (membership, _) = Cluster(5);
        membership.Crash(At("1s"), 3);
        membership.Crash(At("1s"), 4);
        var plan = Route(membership, At("1s"), via: 2);
        Assert.Equal((0, 3, 2), (plan.Leader, plan.QuorumSize, plan.AcksNeeded));
        Assert.Equal([1, 2], plan.Followers);

        membership.Crash(At("2s"), 2);
        Assert.Equal("member m1 cannot reach a quorum (2 of 5 up and reachable)", Refusal(membership, At("2s"), 1));
    }

    [Fact]
    public void AMinorityPartitionCannotServeAndTheMajorityElectsAfterTheElectionTimeout()
    {
        var (membership, network) = Cluster(5);
        network.Partition([0, 1]); // the leader's side is the minority
        var electionAt = membership.OnNetworkChanged(At("10.05s"));

        // Heartbeats went out every 100 ms since T+0; the last one the majority heard was at 10.0 s.
        Assert.Equal(At("11s"), electionAt);
        Assert.Equal("member m1 cannot reach a quorum (2 of 5 up and reachable)", Refusal(membership, At("10.05s"), 1));
        Assert.Equal("member m3 has no leader: an election is under way until T+11s", Refusal(membership, At("10.05s"), 3));
        Assert.Null(membership.LeaderAt(At("10.999999999s")));

        Assert.Equal(2, membership.LeaderAt(At("11s")));
        Assert.Equal((2L, At("11s")), (membership.Term, membership.LeaderSince));
        Assert.Equal(2, Route(membership, At("11s"), via: 4).Leader);
        Assert.StartsWith("member m0 cannot reach a quorum", Refusal(membership, At("11s"), 0), StringComparison.Ordinal);

        network.Heal();
        Assert.Null(membership.OnNetworkChanged(At("12s")));
        var plan = Route(membership, At("12s"), via: 0); // the old leader is a follower now
        Assert.Equal((2, 2L), (plan.Leader, plan.Term));
        Assert.Equal([0, 1, 3, 4], plan.Followers);
    }

    [Fact]
    public void ALeaderThatRegainsItsQuorumBeforeTheElectionKeepsLeading()
    {
        var (membership, network) = Cluster(3);
        network.Partition([0]);
        Assert.Equal(At("2s"), membership.OnNetworkChanged(At("1s")));
        network.Heal();
        Assert.Null(membership.OnNetworkChanged(At("1.5s")));
        Assert.Equal((0, 1L), (membership.LeaderAt(At("3s")), membership.Term));
    }

    [Fact]
    public void ALeaderWithoutAQuorumForAnElectionTimeoutStepsDownAndTheClusterElectsInANewTerm()
    {
        var (membership, _) = Cluster(3);
        membership.Crash(At("1s"), 1);
        Assert.Null(membership.Crash(At("1s"), 2)); // m0 leads on, serving nothing
        Assert.Null(membership.LeaderAt(At("1.5s")));
        // Back after CheckQuorum stepped m0 down: a full election, in a new term.
        Assert.Equal(At("62s"), membership.Restart(At("61s"), 1));
        Assert.Null(membership.LeaderAt(At("61.5s")));
        Assert.Equal((0, 2L), (membership.LeaderAt(At("62s")), membership.Term));
    }

    [Fact]
    public void ACrashedLeaderIsReplacedAndRejoinsAsAFollower()
    {
        var (membership, _) = Cluster(3);
        Assert.Equal(At("6s"), membership.Crash(At("5.03s"), 0));
        Assert.Equal("member m1 has no leader: an election is under way until T+6s", Refusal(membership, At("5.5s"), 1));
        Assert.Equal(1, membership.LeaderAt(At("6s")));

        Assert.Null(membership.Restart(At("7s"), 0));
        Assert.True(membership.IsCurrent(At("7s"), 0));
        var plan = Route(membership, At("7s"), via: 0);
        Assert.Equal((1, 2L), (plan.Leader, plan.Term));
        Assert.Equal([0, 2], plan.Followers);
    }

    [Fact]
    public void ACrashedFollowerRejoinsAndCatchesUp()
    {
        var (membership, _) = Cluster(3);
        membership.Crash(At("1s"), 2);
        Assert.False(membership.IsCurrent(At("1s"), 2));
        membership.Restart(At("2s"), 2);
        Assert.True(membership.IsCurrent(At("2s"), 2));
        Assert.Equal(0, Route(membership, At("2s"), via: 2).Leader);
    }

    [Fact]
    public void AMemberThatMissedEntriesCannotWinAgainstOneThatHasThem()
    {
        var (membership, _) = Cluster(3);
        membership.Crash(At("1s"), 1);  // m1 misses what m0 and m2 commit from now on
        membership.Crash(At("2s"), 0);  // no quorum: nothing commits, no election
        Assert.Null(membership.NextElectionAt);

        // m1 is back and is the lowest index up, but raft's vote rule makes m2, which has every entry, win.
        Assert.Equal(At("4s"), membership.Restart(At("3s"), 1));
        Assert.Equal(2, membership.LeaderAt(At("4s")));
    }

    [Fact]
    public void AOneWayCutIsACut()
    {
        var (membership, network) = Cluster(3);
        network.CutOneWay(0, 1);
        Assert.Null(membership.OnNetworkChanged(At("1s")));
        Assert.Equal([2], Route(membership, At("1s"), via: 0).Followers);
        Assert.Equal("member m1 cannot reach leader m0", Refusal(membership, At("1s"), 1));
    }

    [Fact]
    public void AClusterWithoutAQuorumAtTheStartElectsOneElectionTimeoutAfterItCanForm()
    {
        var network = new TestNetwork(3);
        network.Partition([0], [1], [2]);
        var membership = new DcsMembership(Members(3), RaftSettings.EtcdDefaults, network.Reachable, Instant.Start);
        Assert.Null(membership.LeaderAt(Instant.Start));
        Assert.Null(membership.NextElectionAt);

        network.Heal();
        Assert.Equal(At("6s"), membership.OnNetworkChanged(At("5s")));
        Assert.Equal((0, 1L), (membership.LeaderAt(At("6s")), membership.Term));
    }

    [Fact]
    public void TheSameScriptGivesTheSameLeadersEveryTime()
    {
        static string Script()
        {
            var (membership, network) = Cluster(5);
            var log = new List<string>();
            void Note(string time) =>
                log.Add($"{time} leader={membership.LeaderAt(At(time))?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} term={membership.Term.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            membership.Crash(At("1.23s"), 0);
            Note("2.5s");
            network.Partition([1, 2]);
            membership.OnNetworkChanged(At("3.3s"));
            Note("4s");
            Note("5s");
            membership.Restart(At("6s"), 0);
            Note("7.5s");
            network.Heal();
            membership.OnNetworkChanged(At("8s"));
            Note("9s");
            return string.Join("; ", log);
        }
        var first = Script();
        // m1 replaces m0; the partition leaves no side with a quorum until m0 is back, and then m3 wins,
        // not m0: m0 missed term 2, so m3 and m4 refuse it their votes.
        Assert.Equal("2.5s leader=1 term=2; 4s leader=- term=2; 5s leader=- term=2; 7.5s leader=3 term=3; 9s leader=3 term=3", first);
        Assert.Equal(first, Script());
    }

    [Fact]
    public void TheElectionTimeoutMustBeAtLeastFiveHeartbeats()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftSettings(Duration.Parse("100ms"), Duration.Parse("499ms")));
        Assert.Equal(Duration.Parse("500ms"), new RaftSettings(Duration.Parse("100ms"), Duration.Parse("500ms")).ElectionTimeout);
    }

    [Fact]
    public void MembersMustBeIndexedDenselyInOrder()
    {
        var members = new[] { new DcsMember(0, "a", new ZoneId(0)), new DcsMember(2, "b", new ZoneId(0)) };
        Assert.Throws<ArgumentException>(() => new DcsMembership(members, RaftSettings.EtcdDefaults, (_, _) => true, Instant.Start));
    }
}
