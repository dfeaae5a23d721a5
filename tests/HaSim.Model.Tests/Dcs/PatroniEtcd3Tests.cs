using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

/// <summary>Patroni's etcd v3 leader-key and /sync patterns against the store.</summary>
public class PatroniEtcd3Tests
{
    private const string Leader = "/service/pg/leader";
    private const string Sync = "/service/pg/sync";
    private static readonly Duration Ttl = Duration.Parse("30s");
    private static Instant At(string time) => Instant.Parse(time);

    private static LeaseId Grant(DcsStore store, Instant now) =>
        Assert.IsType<LeaseGrantReply>(store.Apply(now, new DcsLeaseGrant(Ttl))).Lease;

    private static bool Run(DcsStore store, Instant now, DcsTxn txn) => Assert.IsType<TxnReply>(store.Apply(now, txn)).Succeeded;

    private static string? Holder(DcsStore store, Instant now) =>
        Assert.IsType<RangeReply>(store.Apply(now, new DcsGet(Leader))).Single?.Value;

    [Fact]
    public void OfTwoNodesAcquiringAtTheSameInstantTheFirstAppliedWins()
    {
        var store = new DcsStore();
        var pg1 = Grant(store, At("1s"));
        var pg2 = Grant(store, At("1s"));

        Assert.True(Run(store, At("1s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg2", pg2)));
        Assert.False(Run(store, At("1s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg1", pg1)));
        Assert.Equal("pg2", Holder(store, At("1s")));
        Assert.Equal(pg2, store.Snapshot.Get(Leader)!.Lease);
    }

    [Fact]
    public void TheKeyCanBeAcquiredAgainOnceTheHoldersLeaseExpires()
    {
        var store = new DcsStore();
        var pg1 = Grant(store, At("0s"));
        Assert.True(Run(store, At("0s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg1", pg1)));
        var pg2 = Grant(store, At("5s"));

        Assert.False(Run(store, At("29.999999999s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg2", pg2)));
        Assert.True(Run(store, At("30s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg2", pg2)));
    }

    [Fact]
    public void UpdateLeaderRenewsTheHoldersKeyAndRecreatesAVanishedOne()
    {
        var store = new DcsStore();
        var old = Grant(store, At("0s"));
        Run(store, At("0s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg1", old));

        // Patroni lost its lease (keepalive found it gone) and granted a new one: move the key onto it.
        var fresh = Grant(store, At("10s"));
        var moved = Assert.IsType<TxnReply>(store.Apply(At("10s"), PatroniEtcd3.UpdateLeader(Leader, "pg1", fresh)));
        Assert.True(moved.Succeeded);
        Assert.True(PatroniEtcd3.UpdateLeaderSucceeded(moved));
        Assert.Equal(fresh, store.Snapshot.Get(Leader)!.Lease);

        store.Apply(At("11s"), new DcsDelete(Leader));
        var recreated = Assert.IsType<TxnReply>(store.Apply(At("12s"), PatroniEtcd3.UpdateLeader(Leader, "pg1", fresh)));
        Assert.False(recreated.Succeeded);                        // the value compare failed...
        Assert.True(PatroniEtcd3.UpdateLeaderSucceeded(recreated)); // ...and the nested create succeeded
        Assert.Equal("pg1", Holder(store, At("12s")));
    }

    [Fact]
    public void UpdateLeaderFailsWhenAnotherNodeHoldsTheKey()
    {
        var store = new DcsStore();
        var pg2 = Grant(store, At("0s"));
        Run(store, At("0s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg2", pg2));
        var pg1 = Grant(store, At("0s"));

        var reply = Assert.IsType<TxnReply>(store.Apply(At("1s"), PatroniEtcd3.UpdateLeader(Leader, "pg1", pg1)));
        Assert.False(PatroniEtcd3.UpdateLeaderSucceeded(reply));
        Assert.Equal("pg2", Holder(store, At("1s")));
    }

    [Fact]
    public void SyncWritesCompareAndSwapOnTheModRevision()
    {
        var store = new DcsStore();
        Assert.True(Run(store, At("0s"), PatroniEtcd3.CreateIfAbsent(Sync, "{\"leader\":\"pg1\",\"sync_standby\":null}", null)));
        var version = store.Snapshot.Get(Sync)!.ModRevision;

        Assert.True(Run(store, At("1s"), PatroniEtcd3.CompareAndSwap(Sync, "{\"leader\":\"pg1\",\"sync_standby\":\"pg2\"}", version)));
        // A second writer holding the old version loses.
        Assert.False(Run(store, At("1s"), PatroniEtcd3.CompareAndSwap(Sync, "{\"leader\":\"pg3\",\"sync_standby\":null}", version)));
        Assert.Contains("pg2", store.Snapshot.Get(Sync)!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void DeleteLeaderOnlyDeletesOwnKey()
    {
        var store = new DcsStore();
        Run(store, At("0s"), PatroniEtcd3.CreateIfAbsent(Leader, "pg2", null));
        Assert.False(Run(store, At("1s"), PatroniEtcd3.DeleteIfValue(Leader, "pg1")));
        Assert.True(Run(store, At("1s"), PatroniEtcd3.DeleteIfValue(Leader, "pg2")));
        Assert.Null(Holder(store, At("1s")));
    }
}
