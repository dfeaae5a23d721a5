using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent;

/// <summary>
/// Carries out the controller's DCS operations against real etcd, as the etcd v3 transactions
/// Patroni sends (patroni/dcs/etcd3.py) and exactly as the simulator's host does
/// (HaSim.Model's ClusterSimulation.DcsHost and PatroniEtcd3): one lease per agent with TTL =
/// ttl, kept alive by every leader write and member touch and granted anew when it has gone; the
/// leader key created only if absent (create_revision = 0); renewed by a transaction that
/// compares the value and, failing that, re-creates the key if it vanished; /status and
/// /failsafe written only after a successful renewal; /sync by create-if-absent or mod-revision
/// compare-and-swap; the leader key deleted only while it still names this node. Keys and values
/// come from <see cref="DcsLayout"/>, the layout both hosts share.
/// </summary>
/// <remarks>
/// One operation at a time per agent (a single client session), each attempt bounded by the
/// request timeout; a failed attempt moves the client to the next etcd member and answers
/// <see cref="DcsUnavailable"/>, which the controller retries until retry_timeout.
/// </remarks>
public sealed class EtcdDcs(EtcdClient client, DcsLayout layout, NodeId self, Duration ttl, Duration requestTimeout)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _name = layout.NameOf(self);
    private long _lease;

    /// <summary>The lease this agent's keys are attached to (0 before the first grant).</summary>
    public long Lease => Interlocked.Read(ref _lease);

    public async Task<DcsOutcome> ExecuteAsync(DcsOperation operation, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromTicks(requestTimeout.Nanoseconds / 100));
        var token = deadline.Token;
        var entered = false;
        try
        {
            await _gate.WaitAsync(token).ConfigureAwait(false);
            entered = true;
            return await ApplyAsync(operation, token).ConfigureAwait(false);
        }
        catch (EtcdUnavailableException e)
        {
            client.MoveToNextMember();
            return new DcsUnavailable(e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            client.MoveToNextMember();
            return new DcsUnavailable($"no answer from etcd within request_timeout={requestTimeout}");
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }
    }

    private async Task<DcsOutcome> ApplyAsync(DcsOperation operation, CancellationToken ct)
    {
        switch (operation)
        {
            case GetCluster:
            {
                // Serializable, as Patroni reads: answered by the member itself.
                var kvs = await client.RangePrefixAsync(layout.Prefix, serializable: true, ct).ConfigureAwait(false);
                return new ClusterRead(layout.Read(kvs.Select(kv => new DcsEntry(kv.Key, kv.Value, kv.ModRevision))));
            }
            case AcquireLeader acquire:
            {
                var lease = await EnsureLeaseAsync(acquire.Ttl, ct).ConfigureAwait(false);
                var reply = await client.TxnAsync(CreateIfAbsent(layout.LeaderKey, _name, lease), ct).ConfigureAwait(false);
                return new WriteResult(reply.Succeeded);
            }
            case UpdateLeader update:
            {
                var lease = await EnsureLeaseAsync(update.Ttl, ct).ConfigureAwait(false);
                var put = new EtcdPut(layout.LeaderKey, _name, lease);
                var txn = new EtcdTxn([new EtcdValueEquals(layout.LeaderKey, _name)], [put], [CreateIfAbsent(layout.LeaderKey, _name, lease)]);
                var reply = await client.TxnAsync(txn, ct).ConfigureAwait(false);
                var ok = reply.Succeeded || reply.Responses is [{ Succeeded: true }];
                if (ok)
                {
                    await client.PutAsync(layout.StatusKey, layout.StatusValue(update.Optime), 0, ct).ConfigureAwait(false);
                    if (update.Failsafe is { } failsafe)
                    {
                        await client.PutAsync(layout.FailsafeKey, layout.FailsafeValue(failsafe), 0, ct).ConfigureAwait(false);
                    }
                }
                return new WriteResult(ok);
            }
            case DeleteLeader:
            {
                var txn = new EtcdTxn([new EtcdValueEquals(layout.LeaderKey, _name)], [new EtcdDelete(layout.LeaderKey)], []);
                var reply = await client.TxnAsync(txn, ct).ConfigureAwait(false);
                return new WriteResult(reply.Succeeded);
            }
            case WriteSync sync:
            {
                var value = layout.SyncValue(sync.Leader, sync.SyncStandbys);
                var txn = sync.ExpectedVersion is { } version
                    ? new EtcdTxn([new EtcdModRevisionEquals(layout.SyncKey, version)], [new EtcdPut(layout.SyncKey, value)], [])
                    : CreateIfAbsent(layout.SyncKey, value, 0);
                var reply = await client.TxnAsync(txn, ct).ConfigureAwait(false);
                return new WriteResult(reply.Succeeded);
            }
            case TouchMember touch:
            {
                var lease = await EnsureLeaseAsync(ttl, ct).ConfigureAwait(false);
                await client.PutAsync(layout.MemberKey(self), layout.MemberValue(touch.Member), lease, ct).ConfigureAwait(false);
                return new WriteResult(true);
            }
            default:
                throw new InvalidOperationException($"unknown DCS operation {operation}");
        }
    }

    /// <summary>Patroni's <c>_do_refresh_lease</c>: keep the lease alive, or grant a new one when it has expired.</summary>
    private async Task<long> EnsureLeaseAsync(Duration leaseTtl, CancellationToken ct)
    {
        var lease = Lease;
        if (lease != 0 && await client.LeaseKeepAliveAsync(lease, ct).ConfigureAwait(false) > 0)
        {
            return lease;
        }
        var seconds = Math.Max(1, (leaseTtl.Nanoseconds + Duration.NanosPerSecond - 1) / Duration.NanosPerSecond);
        lease = await client.LeaseGrantAsync(seconds, ct).ConfigureAwait(false);
        Interlocked.Exchange(ref _lease, lease);
        return lease;
    }

    /// <summary><c>put(key, value, lease, create_revision='0')</c>: create only if absent.</summary>
    private static EtcdTxn CreateIfAbsent(string key, string value, long lease) =>
        new([new EtcdCreateRevisionEquals(key, 0)], [new EtcdPut(key, value, lease)], []);
}
