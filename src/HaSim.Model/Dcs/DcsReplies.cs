using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>A reply; <paramref name="Revision"/> is the store's revision after the request (etcd's response header).</summary>
public abstract record DcsReply(long Revision);

/// <summary>The keys a <see cref="DcsGet"/> (zero or one) or <see cref="DcsGetPrefix"/> found, in ordinal key order.</summary>
public sealed record RangeReply(long Revision, IReadOnlyList<DcsKeyValue> Kvs) : DcsReply(Revision)
{
    public DcsKeyValue? Single => Kvs.Count == 1 ? Kvs[0] : null;
}

public sealed record PutReply(long Revision) : DcsReply(Revision);

public sealed record DeleteReply(long Revision, int Deleted) : DcsReply(Revision);

/// <summary>Whether the compares held, and one reply per operation of the branch taken.</summary>
public sealed record TxnReply(long Revision, bool Succeeded, IReadOnlyList<DcsReply> Responses) : DcsReply(Revision);

public sealed record LeaseGrantReply(long Revision, LeaseId Lease, Duration Ttl) : DcsReply(Revision);

/// <summary>
/// <paramref name="Found"/> is false when the lease has expired or was revoked: etcd answers TTL 0,
/// which Patroni's <c>_do_refresh_lease</c> takes as "grant a new lease".
/// </summary>
public sealed record LeaseKeepAliveReply(long Revision, LeaseId Lease, bool Found) : DcsReply(Revision);

public sealed record LeaseRevokeReply(long Revision, int Deleted) : DcsReply(Revision);

/// <summary>
/// The request named a lease that does not exist: etcd's <c>ErrLeaseNotFound</c> ("etcdserver: requested
/// lease not found"). A transaction that puts with such a lease fails as a whole and changes nothing;
/// Patroni reacts by granting a new lease and retrying (<c>_do_attempt_to_acquire_leader</c>).
/// </summary>
public sealed record LeaseNotFoundReply(long Revision, LeaseId Lease) : DcsReply(Revision);
