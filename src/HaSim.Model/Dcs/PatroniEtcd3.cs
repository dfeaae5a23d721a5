namespace HaSim.Model.Dcs;

/// <summary>
/// The requests Patroni's etcd v3 backend sends (patroni/dcs/etcd3.py), so a host turns the
/// controller's intents into exactly the transactions Patroni would.
/// </summary>
/// <remarks>
/// Patroni holds one lease per node, granted with TTL = <c>ttl</c> and shared by its member key and
/// the leader key; <c>_do_refresh_lease</c> keeps it alive at most once per <c>loop_wait</c> (forced
/// by <c>update_leader</c>), and grants a new one when a keepalive finds it gone. <c>/status</c> and
/// <c>/failsafe</c> are plain puts without a lease.
/// </remarks>
public static class PatroniEtcd3
{
    /// <summary>
    /// <c>attempt_to_acquire_leader</c>: <c>put(leader, name, lease, create_revision='0')</c>, a transaction
    /// that creates the key only if it is absent. Of two nodes racing, the first applied wins and the
    /// second's transaction fails. Also the create-if-absent write of <c>/initialize</c> (without lease).
    /// </summary>
    public static DcsTxn CreateIfAbsent(string key, string value, LeaseId? lease) =>
        new([new CreateRevisionEquals(key, 0)], [new DcsPut(key, value, lease)], []);

    /// <summary>
    /// <c>_update_leader</c> when the key is not yet on the node's current lease: put the key with the
    /// lease if it still holds <paramref name="name"/>, else, in a nested transaction, re-create it if it
    /// has vanished. (When the key already carries the lease, Patroni only keeps the lease alive.)
    /// Judge the reply with <see cref="UpdateLeaderSucceeded"/>.
    /// </summary>
    public static DcsTxn UpdateLeader(string key, string name, LeaseId lease)
    {
        var put = new DcsPut(key, name, lease);
        return new DcsTxn([new ValueEquals(key, name)], [put], [CreateIfAbsent(key, name, lease)]);
    }

    /// <summary>Patroni's reading of the <see cref="UpdateLeader"/> reply: the outer or the nested transaction succeeded.</summary>
    public static bool UpdateLeaderSucceeded(TxnReply reply) =>
        reply.Succeeded || reply.Responses is [TxnReply { Succeeded: true }];

    /// <summary>
    /// <c>set_sync_state_value(value, version)</c> and the other versioned writes (<c>/failover</c>,
    /// <c>/config</c>): put only if the key's mod revision still equals <paramref name="modRevision"/>.
    /// </summary>
    public static DcsTxn CompareAndSwap(string key, string value, long modRevision) =>
        new([new ModRevisionEquals(key, modRevision)], [new DcsPut(key, value)], []);

    /// <summary><c>_delete_leader</c>: delete the key only if it still holds <paramref name="name"/>.</summary>
    public static DcsTxn DeleteIfValue(string key, string name) =>
        new([new ValueEquals(key, name)], [new DcsDelete(key)], []);
}
