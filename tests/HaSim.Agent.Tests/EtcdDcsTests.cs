using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent.Tests;

/// <summary>
/// The controller's DCS operations against a real etcd (started here on 127.0.0.1): the
/// transactions Patroni's etcd3 backend sends, as the simulator's host sends them.
/// </summary>
public sealed class EtcdDcsTests
{
    private static readonly Duration Ttl = Duration.FromSeconds(20);
    private static readonly Duration RequestTimeout = Duration.FromSeconds(2);

    private static async Task<T> WithEtcd<T>(Func<EtcdClient, DcsLayout, Task<T>> test)
    {
        Tools.RequireEtcd();
        var dir = Tools.TempDir("hasim-etcd");
        try
        {
            using var etcd = EtcdServer.Start(dir);
            using var client = new EtcdClient([etcd.ClientUrl]);
            return await test(client, new DcsLayout("test", ["pg1", "pg2", "pg3"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<bool> Write(EtcdDcs dcs, DcsOperation operation) =>
        Assert.IsType<WriteResult>(await dcs.ExecuteAsync(operation, CancellationToken.None)).Ok;

    private static async Task<ClusterView> Read(EtcdDcs dcs) =>
        Assert.IsType<ClusterRead>(await dcs.ExecuteAsync(new GetCluster(), CancellationToken.None)).View;

    [SkippableFact]
    public Task Leader_key_is_created_once_renewed_only_by_its_holder_and_deleted_only_by_it() => WithEtcd(async (client, layout) =>
    {
        var pg1 = new EtcdDcs(client, layout, new NodeId(0), Ttl, RequestTimeout);
        var pg2 = new EtcdDcs(client, layout, new NodeId(1), Ttl, RequestTimeout);

        Assert.True(await Write(pg1, new AcquireLeader(Ttl)));
        Assert.False(await Write(pg2, new AcquireLeader(Ttl))); // create_revision == 0 no longer holds
        Assert.Equal(new NodeId(0), (await Read(pg2)).Leader?.Holder);

        Assert.True(await Write(pg1, new UpdateLeader(Ttl, new Lsn(1234), null)));
        Assert.False(await Write(pg2, new UpdateLeader(Ttl, new Lsn(9999), null))); // the value is pg1's
        var view = await Read(pg1);
        Assert.Equal(new Lsn(1234), view.LastLeaderOptime); // /status only after a successful renewal

        Assert.False(await Write(pg2, new DeleteLeader()));
        Assert.True(await Write(pg1, new DeleteLeader()));
        Assert.Null((await Read(pg1)).Leader);

        // update_leader re-creates a vanished key (the nested transaction of _update_leader).
        Assert.True(await Write(pg1, new UpdateLeader(Ttl, new Lsn(2000), null)));
        Assert.Equal(new NodeId(0), (await Read(pg2)).Leader?.Holder);
        var leader = await client.GetAsync(layout.LeaderKey, CancellationToken.None);
        Assert.Equal(pg1.Lease, leader!.Lease); // on the agent's lease: it goes when the agent stops renewing
        return 0;
    });

    [SkippableFact]
    public Task Sync_key_is_created_if_absent_then_compared_by_revision() => WithEtcd(async (client, layout) =>
    {
        var pg1 = new EtcdDcs(client, layout, new NodeId(0), Ttl, RequestTimeout);
        Assert.True(await Write(pg1, new WriteSync(new NodeId(0), NodeSet.Of(new NodeId(1)), null)));
        Assert.False(await Write(pg1, new WriteSync(new NodeId(0), NodeSet.Empty, null)));
        var sync = (await Read(pg1)).Sync!;
        Assert.Equal(NodeSet.Of(new NodeId(1)), sync.SyncStandbys);
        Assert.True(await Write(pg1, new WriteSync(new NodeId(0), NodeSet.Of(new NodeId(2)), sync.Version)));
        Assert.False(await Write(pg1, new WriteSync(new NodeId(0), NodeSet.Empty, sync.Version))); // stale revision
        Assert.Equal(NodeSet.Of(new NodeId(2)), (await Read(pg1)).Sync!.SyncStandbys);
        return 0;
    });

    [SkippableFact]
    public Task Member_keys_are_published_and_read_back() => WithEtcd(async (client, layout) =>
    {
        var pg3 = new EtcdDcs(client, layout, new NodeId(2), Ttl, RequestTimeout);
        var member = new MemberInfo(new NodeId(2), "pg3", new Lsn(77), new Term(3), new MemberTags(FailoverPriority: 5));
        Assert.True(await Write(pg3, new TouchMember(member)));
        var read = Assert.Single((await Read(pg3)).Members);
        Assert.Equal(member with { Name = "pg3" }, read);
        return 0;
    });

    [SkippableFact]
    public Task A_lease_that_is_not_kept_alive_expires_and_the_watch_sees_the_delete() => WithEtcd(async (client, layout) =>
    {
        var lease = await client.LeaseGrantAsync(2, CancellationToken.None);
        await client.PutAsync(layout.LeaderKey, "pg1", lease, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var started = DateTime.UtcNow;
        await foreach (var e in client.WatchAsync(layout.LeaderKey, timeout.Token))
        {
            Assert.True(e.IsDelete);
            break;
        }
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 1.0, 10.0);
        Assert.Equal(0, await client.LeaseKeepAliveAsync(lease, CancellationToken.None)); // gone: a keepalive finds no lease
        return 0;
    });

    [Fact]
    public async Task An_unreachable_etcd_is_unavailable_not_an_exception()
    {
        using var client = new EtcdClient([new Uri($"http://127.0.0.1:{Tools.FreePort()}")]);
        var dcs = new EtcdDcs(client, new DcsLayout("test", ["pg1"]), new NodeId(0), Ttl, Duration.FromMilliseconds(500));
        Assert.IsType<DcsUnavailable>(await dcs.ExecuteAsync(new GetCluster(), CancellationToken.None));
        Assert.IsType<DcsUnavailable>(await dcs.ExecuteAsync(new AcquireLeader(Ttl), CancellationToken.None));
    }
}
