using HaSim.Failover;
using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

/// <summary>
/// The controller's key layout (HaSim.Failover.DcsLayout) on the simulated etcd: what Patroni's
/// requests write is what the next get_cluster reads, revisions and lease expiry included.
/// </summary>
public class PatroniLayoutOnStoreTests
{
    private static readonly DcsLayout Layout = new("lesson", ["pg1", "pg2", "pg3"]);
    private static readonly Duration Ttl = Duration.Parse("30s");

    private static ClusterView GetCluster(DcsStore store, Instant now)
    {
        var reply = (RangeReply)store.Apply(now, new DcsGetPrefix(Layout.Prefix));
        return Layout.Read(reply.Kvs.Select(kv => new DcsEntry(kv.Key, kv.Value, kv.ModRevision)));
    }

    [Fact]
    public void TheLeaderKeyIsTakenRenewedAndExpiresWithItsLease()
    {
        var store = new DcsStore();
        var t0 = Instant.Start + Duration.Parse("1s");
        var lease = ((LeaseGrantReply)store.Apply(t0, new DcsLeaseGrant(Ttl))).Lease;
        var acquired = (TxnReply)store.Apply(t0, PatroniEtcd3.CreateIfAbsent(Layout.LeaderKey, Layout.LeaderValue(new NodeId(0)), lease));
        Assert.True(acquired.Succeeded);
        store.Apply(t0, new DcsPut(Layout.StatusKey, Layout.StatusValue(new Lsn(4096))));

        // A second node racing for the key loses: it exists.
        var lease2 = ((LeaseGrantReply)store.Apply(t0, new DcsLeaseGrant(Ttl))).Lease;
        Assert.False(((TxnReply)store.Apply(t0, PatroniEtcd3.CreateIfAbsent(Layout.LeaderKey, Layout.LeaderValue(new NodeId(1)), lease2))).Succeeded);

        var view = GetCluster(store, t0);
        Assert.Equal(new NodeId(0), view.Leader!.Holder);
        Assert.Equal(new Lsn(4096), view.LastLeaderOptime);

        // Renewed at 10 s (keepalive), the key outlives the first TTL and expires 30 s after the renewal.
        store.Apply(t0 + Duration.Parse("10s"), new DcsLeaseKeepAlive(lease));
        Assert.NotNull(GetCluster(store, t0 + Duration.Parse("35s")).Leader);
        Assert.Null(GetCluster(store, t0 + Duration.Parse("40s")).Leader);
    }

    [Fact]
    public void SyncWritesAreCompareAndSwapOnTheRevisionTheViewCarries()
    {
        var store = new DcsStore();
        var now = Instant.Start;
        store.Apply(now, new DcsPut(Layout.SyncKey, Layout.SyncValue(new NodeId(0), NodeSet.Empty)));
        var sync = GetCluster(store, now).Sync!;
        var write = PatroniEtcd3.CompareAndSwap(Layout.SyncKey, Layout.SyncValue(new NodeId(0), NodeSet.Of(new NodeId(1))), sync.Version);
        Assert.True(((TxnReply)store.Apply(now, write)).Succeeded);
        Assert.False(((TxnReply)store.Apply(now, write)).Succeeded); // the version moved on
        Assert.Equal(NodeSet.Of(new NodeId(1)), GetCluster(store, now).Sync!.SyncStandbys);
    }
}
