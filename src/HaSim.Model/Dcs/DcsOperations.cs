using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>A request to the store, applied atomically at one commit by <see cref="DcsStore.Apply"/>.</summary>
/// <remarks>
/// Not to be confused with <c>HaSim.Failover.DcsOperation</c>, the controller's intent, which a host
/// translates into these (see <see cref="PatroniEtcd3"/>); a file using both namespaces needs an alias.
/// </remarks>
public abstract record DcsOperation;

/// <summary>The key-value requests: the ones a transaction may contain (etcd's RequestOp).</summary>
public abstract record DcsKvOperation : DcsOperation;

/// <summary>Range of one key.</summary>
public sealed record DcsGet(string Key) : DcsKvOperation;

/// <summary>Range of every key starting with <paramref name="Prefix"/>, in ordinal key order (etcd sorts by key bytes).</summary>
public sealed record DcsGetPrefix(string Prefix) : DcsKvOperation;

/// <summary>
/// Write <paramref name="Value"/>. With a <paramref name="Lease"/> the key is deleted when the lease
/// ends; without one, a key attached to a lease is detached (etcd: a put carries its lease, 0 = none).
/// </summary>
public sealed record DcsPut(string Key, string Value, LeaseId? Lease = null) : DcsKvOperation;

/// <summary>Delete one key (a no-op, without a new revision, if it is absent).</summary>
public sealed record DcsDelete(string Key) : DcsKvOperation;

/// <summary>
/// etcd's Txn: if every compare holds, apply <paramref name="OnSuccess"/>, else <paramref name="OnFailure"/>,
/// in order and atomically: all writes share one revision, and reads later in the list see earlier writes.
/// Transactions nest (etcd 3.3+), which Patroni's <c>update_leader</c> relies on.
/// </summary>
public sealed record DcsTxn(IReadOnlyList<DcsCompare> Compares, IReadOnlyList<DcsKvOperation> OnSuccess, IReadOnlyList<DcsKvOperation> OnFailure)
    : DcsKvOperation;

/// <summary>Create a lease that lives <paramref name="Ttl"/> from the commit unless kept alive.</summary>
public sealed record DcsLeaseGrant(Duration Ttl) : DcsOperation;

/// <summary>
/// Extend a lease to commit time + its TTL. In etcd the leader's lessor answers keepalives without a
/// raft round, but only the leader can: routing it through the leader is what the host must do.
/// </summary>
public sealed record DcsLeaseKeepAlive(LeaseId Lease) : DcsOperation;

/// <summary>End a lease now, deleting its keys.</summary>
public sealed record DcsLeaseRevoke(LeaseId Lease) : DcsOperation;

/// <summary>
/// One condition of a <see cref="DcsTxn"/>, all equality (the only operator Patroni uses). An absent
/// key compares as etcd compares it: create and mod revision 0, and any value compare fails
/// (etcd's <c>applyCompare</c>: "nil == empty string in grpc; no way to represent missing value").
/// </summary>
public abstract record DcsCompare(string Key)
{
    public abstract bool Holds(DcsKeyValue? current);
}

public sealed record ValueEquals(string Key, string Value) : DcsCompare(Key)
{
    public override bool Holds(DcsKeyValue? current) => current is not null && string.Equals(current.Value, Value, StringComparison.Ordinal);
}

/// <summary><c>create_revision == 0</c> means "the key is absent".</summary>
public sealed record CreateRevisionEquals(string Key, long Revision) : DcsCompare(Key)
{
    public override bool Holds(DcsKeyValue? current) => (current?.CreateRevision ?? 0) == Revision;
}

public sealed record ModRevisionEquals(string Key, long Revision) : DcsCompare(Key)
{
    public override bool Holds(DcsKeyValue? current) => (current?.ModRevision ?? 0) == Revision;
}
