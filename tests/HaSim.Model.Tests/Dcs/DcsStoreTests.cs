using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

public class DcsStoreTests
{
    private static readonly Instant T0 = Instant.Start;
    private static Instant At(string time) => Instant.Parse(time);
    private static readonly Duration Ttl = Duration.Parse("30s");

    private static LeaseId Grant(DcsStore store, Instant now, Duration ttl) =>
        Assert.IsType<LeaseGrantReply>(store.Apply(now, new DcsLeaseGrant(ttl))).Lease;

    private static DcsKeyValue? Get(DcsStore store, Instant now, string key) =>
        Assert.IsType<RangeReply>(store.Apply(now, new DcsGet(key))).Single;

    [Fact]
    public void EveryWriteBumpsTheRevisionAndKeysCarryCreateAndModRevisions()
    {
        var store = new DcsStore();
        Assert.Equal(1, store.Revision); // etcd starts at 1

        Assert.Equal(2, store.Apply(T0, new DcsPut("/a", "x")).Revision);
        Assert.Equal(3, store.Apply(T0, new DcsPut("/b", "y")).Revision);
        Assert.Equal(4, store.Apply(T0, new DcsPut("/a", "z")).Revision);

        var a = Get(store, T0, "/a")!;
        Assert.Equal(("z", 2L, 4L, 2L), (a.Value, a.CreateRevision, a.ModRevision, a.Version));
        Assert.Equal(4, store.Revision); // reads do not write

        Assert.Equal(1, Assert.IsType<DeleteReply>(store.Apply(T0, new DcsDelete("/a"))).Deleted);
        Assert.Equal(5, store.Revision);
        var absent = Assert.IsType<DeleteReply>(store.Apply(T0, new DcsDelete("/a")));
        Assert.Equal((0, 5L), (absent.Deleted, store.Revision)); // deleting nothing changes nothing

        store.Apply(T0, new DcsPut("/a", "again"));
        var recreated = Get(store, T0, "/a")!;
        Assert.Equal((6L, 6L, 1L), (recreated.CreateRevision, recreated.ModRevision, recreated.Version));
    }

    [Fact]
    public void PrefixReadsAreOrdinallySortedAndStopAtThePrefix()
    {
        var store = new DcsStore();
        foreach (var key in new[] { "/s/members/b", "/s/leader", "/s/members/B", "/s/members/a", "/t/x", "/s/membersX" })
        {
            store.Apply(T0, new DcsPut(key, key));
        }
        var reply = Assert.IsType<RangeReply>(store.Apply(T0, new DcsGetPrefix("/s/members/")));
        Assert.Equal(["/s/members/B", "/s/members/a", "/s/members/b"], reply.Kvs.Select(kv => kv.Key));
    }

    [Fact]
    public void ALeasedKeyIsVisibleOneNanosecondBeforeExpiryAndGoneAtExpiry()
    {
        var store = new DcsStore();
        var grantedAt = At("1s");
        var lease = Grant(store, grantedAt, Ttl);
        store.Apply(grantedAt, new DcsPut("/leader", "pg1", lease));
        var expiry = grantedAt + Ttl;
        Assert.Equal(expiry, store.NextExpiry);

        Assert.NotNull(Get(store, expiry - Duration.FromNanoseconds(1), "/leader"));
        Assert.Null(Get(store, expiry, "/leader"));
        Assert.Null(store.NextExpiry);
        Assert.Null(store.ExpiryOf(lease));
    }

    [Fact]
    public void LazyExpiryInApplyIsTheSameAsAnExplicitExpireLeases()
    {
        DcsStore Setup()
        {
            var s = new DcsStore();
            var lease = Grant(s, T0, Ttl);
            s.Apply(T0, new DcsPut("/leader", "pg1", lease));
            s.Apply(T0, new DcsPut("/members/pg1", "{}", lease));
            return s;
        }
        var timer = Setup();
        var deleted = timer.ExpireLeases(T0 + Ttl);
        Assert.Equal(["/leader", "/members/pg1"], deleted.Select(e => e.Kv.Key));
        Assert.All(deleted, e => Assert.Equal((DcsEventKind.Delete, 4L), (e.Kind, e.Revision))); // one revoke, one revision
        var timerReply = timer.Apply(T0 + Ttl, new DcsPut("/leader", "pg2"));

        var lazy = Setup();
        var lazyReply = lazy.Apply(T0 + Ttl, new DcsPut("/leader", "pg2"));
        Assert.Equal(timerReply, lazyReply);
        Assert.Equal(timer.DrainEvents(), lazy.DrainEvents());
        Assert.Equal(Get(timer, T0 + Ttl, "/leader"), Get(lazy, T0 + Ttl, "/leader"));
    }

    [Fact]
    public void KeepAliveExtendsTheLeaseToNowPlusTtl()
    {
        var store = new DcsStore();
        var lease = Grant(store, T0, Ttl);
        store.Apply(T0, new DcsPut("/leader", "pg1", lease));

        var reply = Assert.IsType<LeaseKeepAliveReply>(store.Apply(At("10s"), new DcsLeaseKeepAlive(lease)));
        Assert.True(reply.Found);
        Assert.Equal(At("40s"), store.NextExpiry);
        Assert.NotNull(Get(store, At("39.999999999s"), "/leader"));
        Assert.Null(Get(store, At("40s"), "/leader"));

        // Too late: the lease is gone and etcd answers TTL 0, which Patroni takes as "grant a new one".
        Assert.False(Assert.IsType<LeaseKeepAliveReply>(store.Apply(At("41s"), new DcsLeaseKeepAlive(lease))).Found);
    }

    [Fact]
    public void RevokingALeaseDeletesItsKeysAtOnce()
    {
        var store = new DcsStore();
        var lease = Grant(store, T0, Ttl);
        store.Apply(T0, new DcsPut("/leader", "pg1", lease));
        store.Apply(T0, new DcsPut("/status", "0/3000000"));

        var reply = Assert.IsType<LeaseRevokeReply>(store.Apply(At("1s"), new DcsLeaseRevoke(lease)));
        Assert.Equal((1, 4L), (reply.Deleted, reply.Revision));
        Assert.Null(Get(store, At("1s"), "/leader"));
        Assert.NotNull(Get(store, At("1s"), "/status"));
        Assert.IsType<LeaseNotFoundReply>(store.Apply(At("1s"), new DcsLeaseRevoke(lease)));
    }

    [Fact]
    public void APutWithoutALeaseDetachesTheKeyFromItsOldLease()
    {
        var store = new DcsStore();
        var lease = Grant(store, T0, Ttl);
        store.Apply(T0, new DcsPut("/k", "v", lease));
        store.Apply(T0, new DcsPut("/k", "w"));
        Assert.Equal("w", Get(store, T0 + Ttl, "/k")!.Value);
    }

    [Fact]
    public void APutOnAMissingLeaseFailsAndATransactionWithOneChangesNothing()
    {
        var store = new DcsStore();
        var ghost = new LeaseId(42);
        Assert.Equal(new LeaseNotFoundReply(1, ghost), store.Apply(T0, new DcsPut("/leader", "pg1", ghost)));

        var txn = new DcsTxn([], [new DcsPut("/a", "1"), new DcsPut("/leader", "pg1", ghost)], []);
        Assert.IsType<LeaseNotFoundReply>(store.Apply(T0, txn));
        Assert.Null(Get(store, T0, "/a"));
        Assert.Equal(1, store.Revision);

        // A missing lease on the branch not taken does not matter.
        var other = new DcsTxn([new CreateRevisionEquals("/a", 0)], [new DcsPut("/a", "1")], [new DcsPut("/leader", "pg1", ghost)]);
        Assert.True(Assert.IsType<TxnReply>(store.Apply(T0, other)).Succeeded);
    }

    [Fact]
    public void TxnComparesFollowEtcdOnAbsentKeys()
    {
        var store = new DcsStore();
        bool Holds(DcsCompare compare) => Assert.IsType<TxnReply>(store.Apply(T0, new DcsTxn([compare], [], []))).Succeeded;

        Assert.True(Holds(new CreateRevisionEquals("/k", 0)));
        Assert.True(Holds(new ModRevisionEquals("/k", 0)));
        Assert.False(Holds(new ValueEquals("/k", "")));  // a value compare on an absent key always fails

        store.Apply(T0, new DcsPut("/k", "v"));
        Assert.False(Holds(new CreateRevisionEquals("/k", 0)));
        Assert.True(Holds(new CreateRevisionEquals("/k", 2)));
        Assert.True(Holds(new ModRevisionEquals("/k", 2)));
        Assert.True(Holds(new ValueEquals("/k", "v")));
        Assert.False(Holds(new ValueEquals("/k", "V")));
        Assert.Equal(2, store.Revision); // transactions that wrote nothing took no revision
    }

    [Fact]
    public void ATransactionsWritesShareOneRevisionAndItsReadsSeeThem()
    {
        var store = new DcsStore();
        var txn = new DcsTxn([new CreateRevisionEquals("/a", 0)],
            [new DcsPut("/a", "1"), new DcsPut("/b", "2"), new DcsGet("/a")],
            [new DcsDelete("/a")]);
        var reply = Assert.IsType<TxnReply>(store.Apply(T0, txn));
        Assert.True(reply.Succeeded);
        Assert.Equal(2, reply.Revision);
        Assert.Equal("1", Assert.IsType<RangeReply>(reply.Responses[2]).Single!.Value);
        Assert.Equal([2L, 2L], store.DrainEvents().Select(e => e.Revision));

        var again = Assert.IsType<TxnReply>(store.Apply(T0, txn));
        Assert.False(again.Succeeded);
        Assert.Equal(3, again.Revision);
        Assert.Null(Get(store, T0, "/a"));
    }

    [Fact]
    public void EventsReportPutsDeletesAndExpiriesInRevisionOrder()
    {
        var store = new DcsStore();
        var lease = Grant(store, T0, Ttl);
        store.Apply(T0, new DcsPut("/leader", "pg1", lease));
        store.Apply(T0, new DcsPut("/x", "1"));
        store.Apply(T0, new DcsDelete("/x"));
        store.Apply(T0 + Ttl, new DcsGet("/leader"));

        var events = store.DrainEvents();
        Assert.Equal([(DcsEventKind.Put, "/leader", 2L), (DcsEventKind.Put, "/x", 3L), (DcsEventKind.Delete, "/x", 4L), (DcsEventKind.Delete, "/leader", 5L)],
            events.Select(e => (e.Kind, e.Kv.Key, e.Revision)));
        Assert.Empty(store.DrainEvents());
    }

    [Fact]
    public void LeasesExpireEarliestFirstEachInItsOwnRevision()
    {
        var store = new DcsStore();
        var late = Grant(store, T0, Duration.Parse("20s"));
        var early = Grant(store, T0, Duration.Parse("10s"));
        store.Apply(T0, new DcsPut("/late", "", late));
        store.Apply(T0, new DcsPut("/early", "", early));

        var deleted = store.ExpireLeases(At("25s"));
        Assert.Equal([("/early", 4L), ("/late", 5L)], deleted.Select(e => (e.Kv.Key, e.Revision)));
    }

    [Fact]
    public void RefreshingAllLeasesGivesEachItsFullTtlPlusTheExtension()
    {
        var store = new DcsStore();
        var lease = Grant(store, T0, Ttl);
        store.RefreshAllLeases(At("20s"), Duration.Parse("1s"));
        Assert.Equal(At("51s"), store.ExpiryOf(lease));
    }

    [Fact]
    public void TimeNeverGoesBackwards()
    {
        var store = new DcsStore();
        store.Apply(At("2s"), new DcsGet("/k"));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Apply(At("1s"), new DcsGet("/k")));
    }

    [Fact]
    public void ASnapshotIsFrozenAtItsRevision()
    {
        var store = new DcsStore();
        store.Apply(T0, new DcsPut("/k", "old"));
        var snapshot = store.Snapshot;
        store.Apply(T0, new DcsPut("/k", "new"));
        Assert.Equal((2L, "old"), (snapshot.Revision, snapshot.Get("/k")!.Value));
        Assert.Equal("new", store.Snapshot.Get("/k")!.Value);
    }
}
