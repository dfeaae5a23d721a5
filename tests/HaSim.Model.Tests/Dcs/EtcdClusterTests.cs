using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

public class EtcdClusterTests
{
    private const string Leader = "/service/pg/leader";
    private static Instant At(string time) => Instant.Parse(time);

    private static (EtcdCluster Etcd, TestNetwork Network) Cluster(int count, RaftSettings? settings = null)
    {
        var network = new TestNetwork(count);
        var members = Enumerable.Range(0, count).Select(i => new DcsMember(i, "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), new ZoneId(i))).ToArray();
        return (new EtcdCluster(members, settings ?? RaftSettings.EtcdDefaults, network.Reachable, Instant.Start), network);
    }

    private static string? Value(EtcdCluster etcd, Instant now, int member, string key) =>
        etcd.ReadSerializable(now, member, new DcsGet(key))?.Single?.Value;

    private static DcsReply Commit(EtcdCluster etcd, Instant now, int via, DcsOperation operation)
    {
        Assert.True(etcd.TryRoute(now, via, out var plan, out var refusal), refusal);
        Assert.True(etcd.TryCommit(now, plan, operation, out var reply, out refusal), refusal);
        return reply;
    }

    private static LeaseId TakeLeader(EtcdCluster etcd, Instant now, Duration ttl)
    {
        var lease = Assert.IsType<LeaseGrantReply>(Commit(etcd, now, 0, new DcsLeaseGrant(ttl))).Lease;
        Assert.True(Assert.IsType<TxnReply>(Commit(etcd, now, 0, PatroniEtcd3.CreateIfAbsent(Leader, "pg1", lease))).Succeeded);
        return lease;
    }

    [Fact]
    public void LeasesDoNotExpireWhileTheClusterHasNoQuorumAndAreRenewedWhenItReturns()
    {
        var (etcd, _) = Cluster(3);
        var lease = TakeLeader(etcd, Instant.Start, Duration.Parse("30s"));
        etcd.Crash(At("5s"), 1);
        etcd.Crash(At("5s"), 2);
        Assert.Empty(etcd.Advance(At("60s"))); // no leader, no lessor: the key outlives its ttl
        Assert.Equal(At("61s"), etcd.Restart(At("60s"), 1));
        Assert.Empty(etcd.Advance(At("61s")));
        Assert.Equal(At("92s"), etcd.Store.ExpiryOf(lease)); // the new term's leader: 61 s + 1 s + 30 s
        Assert.NotNull(etcd.Store.Snapshot.Get(Leader));
    }

    [Fact]
    public void ANewEtcdLeaderRenewsEveryLeaseToTtlPlusElectionTimeout()
    {
        var (etcd, _) = Cluster(5);
        var lease = TakeLeader(etcd, Instant.Start, Duration.Parse("30s"));
        Assert.Equal(At("30s"), etcd.NextWakeUp);

        Assert.Equal(At("11s"), etcd.Crash(At("10.05s"), 0)); // last heartbeat at 10.0 s
        Assert.Empty(etcd.Advance(At("11s")));
        Assert.Equal(At("42s"), etcd.Store.ExpiryOf(lease)); // 11 s + 1 s + 30 s, not 30 s
        Assert.Equal(At("42s"), etcd.NextWakeUp);

        Assert.NotNull(etcd.ReadSerializable(At("41.999999999s"), 1, new DcsGet(Leader))!.Single);
        var expired = etcd.Advance(At("42s"));
        Assert.Equal([Leader], expired.Select(e => e.Kv.Key));
    }

    [Fact]
    public void NoLeaseExpiresWhileNoLeaderServes()
    {
        var (etcd, _) = Cluster(3);
        var lease = TakeLeader(etcd, Instant.Start, Duration.Parse("2s"));
        Assert.Equal(At("2.5s"), etcd.Crash(At("1.5s"), 0));
        Assert.Equal(At("2.5s"), etcd.NextWakeUp); // the election, not the expiry at 2 s

        Assert.Empty(etcd.Advance(At("2.5s")));
        Assert.Equal(At("5.5s"), etcd.Store.ExpiryOf(lease));
        Assert.Equal("pg1", Assert.IsType<RangeReply>(Commit(etcd, At("2.5s"), 1, new DcsGet(Leader))).Single!.Value);
    }

    [Fact]
    public void ACommitIsLostWhenItsLeaderLosesTheQuorumOrIsReplaced()
    {
        var (etcd, network) = Cluster(3);
        Assert.True(etcd.TryRoute(At("1s"), 1, out var plan, out _));
        network.Partition([0]);
        etcd.OnNetworkChanged(At("1.001s"));

        Assert.False(etcd.TryCommit(At("1.002s"), plan, new DcsPut("/k", "v"), out _, out var refusal));
        Assert.Equal("leader m0 lost its quorum before the commit", refusal);
        Assert.False(etcd.TryCommit(At("3s"), plan, new DcsPut("/k", "v"), out _, out refusal));
        Assert.Equal("leader changed from m0 (term 1) to m1 (term 2)", refusal);
        Assert.Equal(DcsStore.InitialRevision, etcd.Store.Revision);
    }

    [Fact]
    public void ACutOffMemberServesStaleSerializableReadsUntilItRejoins()
    {
        var (etcd, network) = Cluster(3);
        TakeLeader(etcd, Instant.Start, Duration.Parse("5s"));
        network.Partition([2]);
        Assert.Equal(At("5s"), etcd.OnNetworkChanged(At("1s"))); // m0 and m1 keep their quorum: next wake-up is the expiry
        Assert.Equal([Leader], etcd.Advance(At("5s")).Select(e => e.Kv.Key));

        Assert.Null(Assert.IsType<RangeReply>(Commit(etcd, At("10s"), 0, new DcsGet(Leader))).Single);
        Assert.Null(etcd.ReadSerializable(At("10s"), 1, new DcsGet(Leader))!.Single);
        // m2 still shows the key whose lease expired on the leader: only the leader revokes leases.
        Assert.Equal("pg1", etcd.ReadSerializable(At("10s"), 2, new DcsGet(Leader))!.Single!.Value);
        Assert.False(etcd.TryRoute(At("10s"), 2, out _, out var refusal));
        Assert.Equal("member m2 cannot reach a quorum (1 of 3 up and reachable)", refusal);

        // Back in touch with the leader, m2 gets the entries it missed on the leader's next
        // heartbeat: it still serves its old copy for one heartbeat interval.
        network.Heal();
        etcd.OnNetworkChanged(At("11s"));
        Assert.True(etcd.IsReady(At("11s"), 2)); // a member that was only cut off never stops serving
        Assert.Equal("pg1", etcd.ReadSerializable(At("11.099999999s"), 2, new DcsGet(Leader))!.Single!.Value);
        Assert.Null(etcd.ReadSerializable(At("11.1s"), 2, new DcsGet(Leader))!.Single);
    }

    [Fact]
    public void ADownMemberAnswersNothingAndRestartsWithWhatItHadOnDisk()
    {
        var (etcd, _) = Cluster(3);
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        etcd.Crash(At("1s"), 2);
        Commit(etcd, At("2s"), 0, new DcsPut("/k", "after"));
        Assert.Null(etcd.ReadSerializable(At("2s"), 2, new DcsGet("/k")));

        // m0 and m1 go down too before m2 returns: no leader, so m2 cannot catch up, nor rejoin the
        // cluster. It serves nothing until etcd 3.6's wait for the cluster (5 s) runs out, then
        // answers serializable reads from what it had on disk.
        etcd.Crash(At("3s"), 0);
        etcd.Crash(At("3s"), 1);
        Assert.Equal(At("9s"), etcd.Restart(At("4s"), 2));
        Assert.False(etcd.IsReady(At("4s"), 2));
        Assert.Null(etcd.ReadSerializable(At("8.999999999s"), 2, new DcsGet("/k")));
        Assert.True(etcd.IsReady(At("9s"), 2));
        Assert.Equal("before", Value(etcd, At("9s"), 2, "/k"));
        Assert.Null(etcd.NextWakeUp);
    }

    [Fact]
    public void ARestartedMemberServesNothingUntilItHasCaughtUpWithTheLeaderOneHeartbeatLater()
    {
        var (etcd, _) = Cluster(3);
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        etcd.Crash(At("1s"), 2);
        Commit(etcd, At("2s"), 0, new DcsPut("/k", "after"));

        // The leader serves and reaches m2 at once; m2 holds the missed entries a heartbeat later,
        // and only then has it rejoined the cluster and serves clients: never the stale "before".
        Assert.Equal(At("3.1s"), etcd.Restart(At("3s"), 2));
        Assert.False(etcd.IsReady(At("3s"), 2));
        Assert.Null(etcd.ReadSerializable(At("3.099999999s"), 2, new DcsGet("/k")));
        Assert.True(etcd.IsReady(At("3.1s"), 2));
        Assert.Equal("after", Value(etcd, At("3.1s"), 2, "/k"));
        Assert.Null(etcd.NextWakeUp);
    }

    [Fact]
    public void ARestartedMemberWithoutAQuorumRejoinsWhenAnElectionGivesItALeader()
    {
        var (etcd, _) = Cluster(3);
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        etcd.Crash(At("1s"), 2);
        Commit(etcd, At("2s"), 0, new DcsPut("/k", "after"));
        etcd.Crash(At("3s"), 1); // m0 alone: no quorum; CheckQuorum steps it down at 4 s

        Assert.Equal(At("6s"), etcd.Restart(At("5s"), 2)); // m0 and m2 elect m0 an election timeout later
        Assert.Null(etcd.ReadSerializable(At("5.5s"), 2, new DcsGet("/k")));
        Assert.Empty(etcd.Advance(At("6s")));
        Assert.Equal(At("6.1s"), etcd.NextWakeUp);
        Assert.Null(etcd.ReadSerializable(At("6.05s"), 2, new DcsGet("/k")));
        Assert.Equal("after", Value(etcd, At("6.1s"), 2, "/k"));
    }

    [Fact]
    public void WithoutAWaitTimeoutARestartedMemberWithoutAQuorumNeverServes()
    {
        var (etcd, _) = Cluster(3, new RaftSettings(Duration.Parse("100ms"), Duration.Parse("1s")) { WaitClusterReadyTimeout = null });
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        etcd.Crash(At("1s"), 0);
        etcd.Crash(At("1s"), 1);
        Assert.Null(etcd.Restart(At("2s"), 2)); // etcd 3.5: nothing to wait for but the cluster
        Assert.False(etcd.IsReady(At("1000s"), 2));
        Assert.Null(etcd.ReadSerializable(At("1000s"), 2, new DcsGet("/k")));
    }

    [Fact]
    public void AZeroWaitTimeoutServesTheDiskCopyAtOnce()
    {
        var (etcd, _) = Cluster(3, new RaftSettings(Duration.Parse("100ms"), Duration.Parse("1s")) { WaitClusterReadyTimeout = Duration.Zero });
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        etcd.Crash(At("1s"), 2);
        Commit(etcd, At("2s"), 0, new DcsPut("/k", "after"));
        etcd.Restart(At("3s"), 2);
        Assert.Equal("before", Value(etcd, At("3s"), 2, "/k")); // stale until the heartbeat
        Assert.Equal("after", Value(etcd, At("3.1s"), 2, "/k"));
    }

    [Fact]
    public void AMemberThatMissedNothingIsCurrentAtOnceUnderANewLeader()
    {
        var (etcd, _) = Cluster(3);
        Commit(etcd, Instant.Start, 0, new DcsPut("/k", "before"));
        Assert.Equal(At("2s"), etcd.Crash(At("1.05s"), 0)); // last heartbeat at 1.0 s

        // m2 followed m0 to its end; under m1 (elected at 2 s) it sees the new leader's first commit
        // at once, with no heartbeat of catching up.
        Commit(etcd, At("2s"), 1, new DcsPut("/k", "after"));
        Assert.Equal("after", Value(etcd, At("2s"), 2, "/k"));
    }

    [Fact]
    public void TheWaitTimeoutCannotBeNegative() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaftSettings(Duration.Parse("100ms"), Duration.Parse("1s")) { WaitClusterReadyTimeout = Duration.Parse("-1s") });
}
