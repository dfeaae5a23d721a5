using System.Collections.Immutable;
using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// The state every etcd member agrees on after a commit: a linearizable key-value store with
/// revisions and leases (etcd v3's mvcc and lessor), applied one request at a time.
/// </summary>
/// <remarks>
/// <para>Time is an input: <c>now</c> is the commit time on the raft leader, whose lessor is the
/// one that judges expiry. Calls must come in non-decreasing time.</para>
/// <para>Revisions follow etcd: a new store is at revision 1; every request that changes keys
/// bumps it by one, all changes of one transaction sharing the new revision; requests that change
/// no key (reads, a delete of an absent key, a failed compare with an empty branch, lease grants
/// and keepalives) leave it alone.</para>
/// <para>Leases end at exactly grant/keepalive + TTL: a key is still visible at expiry - 1 ns and gone
/// at expiry. Every call first ends the leases due by its time, so expiry is lazy but observably the
/// same as a timer; a host that raises watch events wakes at <see cref="NextExpiry"/> and calls
/// <see cref="ExpireLeases"/>, and drains <see cref="DrainEvents"/> after every call.</para>
/// </remarks>
public sealed class DcsStore
{
    public const long InitialRevision = 1;

    private ImmutableSortedDictionary<string, DcsKeyValue> _keys = ImmutableSortedDictionary.Create<string, DcsKeyValue>(StringComparer.Ordinal);
    private readonly SortedDictionary<LeaseId, Lease> _leases = [];
    private readonly List<DcsEvent> _events = [];
    private long _nextLease = 1;
    private bool _changedInRequest;
    private Instant _clock = Instant.Start;

    public long Revision { get; private set; } = InitialRevision;

    /// <summary>The keys as of now (leases due by the last call already ended).</summary>
    public DcsSnapshot Snapshot => new(Revision, _keys);

    /// <summary>When the earliest live lease ends, or null when there is none: a host schedules a wake-up then.</summary>
    public Instant? NextExpiry
    {
        get
        {
            Instant? next = null;
            foreach (var lease in _leases.Values)
            {
                if (next is null || lease.Expiry < next)
                {
                    next = lease.Expiry;
                }
            }
            return next;
        }
    }

    /// <summary>When <paramref name="lease"/> ends, or null if it no longer exists.</summary>
    public Instant? ExpiryOf(LeaseId lease) => _leases.TryGetValue(lease, out var l) ? l.Expiry : null;

    /// <summary>Applies one request at commit time <paramref name="now"/>, after ending the leases due by then.</summary>
    public DcsReply Apply(Instant now, DcsOperation operation)
    {
        ExpireLeases(now);
        return operation switch
        {
            DcsLeaseGrant grant => Grant(now, grant.Ttl),
            DcsLeaseKeepAlive keepAlive => KeepAlive(now, keepAlive.Lease),
            DcsLeaseRevoke revoke => Revoke(revoke.Lease),
            DcsKvOperation kv => ApplyKv(kv),
            _ => throw new ArgumentException($"unknown operation {operation}", nameof(operation)),
        };
    }

    /// <summary>
    /// Ends every lease whose expiry is at or before <paramref name="now"/>, earliest first (ties by id),
    /// each as its own revoke (one revision per lease that had keys, as etcd's lessor revokes them);
    /// returns the deletions, which are also in the event log.
    /// </summary>
    public IReadOnlyList<DcsEvent> ExpireLeases(Instant now)
    {
        AdvanceClock(now);
        if (!AnyLeaseDue(now))
        {
            return []; // the usual case: every request checks, few find a lease to end
        }
        var due = _leases.Values.Where(l => l.Expiry <= now).OrderBy(l => l.Expiry).ThenBy(l => l.Id).ToList();
        var deleted = new List<DcsEvent>();
        foreach (var lease in due)
        {
            var firstEvent = _events.Count;
            RevokeLease(lease);
            deleted.AddRange(_events.Skip(firstEvent));
        }
        return deleted;
    }

    private bool AnyLeaseDue(Instant now)
    {
        foreach (var lease in _leases.Values)
        {
            if (lease.Expiry <= now)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// What a newly elected raft leader's lessor does (etcd's <c>lessor.Promote(extend)</c>, called with
    /// the election timeout): every lease is renewed to <paramref name="now"/> + <paramref name="extend"/> + its
    /// TTL, because the new leader cannot know when the old one last saw a keepalive. That is etcd's
    /// behaviour with lease checkpointing off (its default), and it means an etcd leader change
    /// postpones every expiry, the Patroni leader key's included.
    /// </summary>
    public void RefreshAllLeases(Instant now, Duration extend)
    {
        AdvanceClock(now);
        foreach (var lease in _leases.Values)
        {
            lease.Expiry = now + extend + lease.Ttl;
        }
    }

    /// <summary>The changes since the last drain, in revision order: what watchers receive.</summary>
    public IReadOnlyList<DcsEvent> DrainEvents()
    {
        var events = _events.ToList();
        _events.Clear();
        return events;
    }

    private void AdvanceClock(Instant now)
    {
        if (now < _clock)
        {
            throw new ArgumentOutOfRangeException(nameof(now), $"the store's clock is at {_clock}; {now} is in its past");
        }
        _clock = now;
    }

    private LeaseGrantReply Grant(Instant now, Duration ttl)
    {
        if (ttl <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), $"a lease TTL must be positive, not {ttl}");
        }
        var id = new LeaseId(_nextLease++);
        _leases.Add(id, new Lease(id, ttl, now + ttl));
        return new LeaseGrantReply(Revision, id, ttl);
    }

    private LeaseKeepAliveReply KeepAlive(Instant now, LeaseId id)
    {
        if (!_leases.TryGetValue(id, out var lease))
        {
            return new LeaseKeepAliveReply(Revision, id, Found: false);
        }
        lease.Expiry = now + lease.Ttl;
        return new LeaseKeepAliveReply(Revision, id, Found: true);
    }

    private DcsReply Revoke(LeaseId id)
    {
        if (!_leases.TryGetValue(id, out var lease))
        {
            return new LeaseNotFoundReply(Revision, id);
        }
        var deleted = RevokeLease(lease);
        return new LeaseRevokeReply(Revision, deleted);
    }

    private int RevokeLease(Lease lease)
    {
        _leases.Remove(lease.Id);
        return Write(() =>
        {
            foreach (var key in lease.Keys.ToList())
            {
                DeleteKey(key);
            }
            return lease.Keys.Count;
        });
    }

    private DcsReply ApplyKv(DcsKvOperation operation)
    {
        // etcd decides a transaction's whole path (nested compares included) against the state
        // before it, and rejects it before any write if a put on that path names a missing lease.
        var before = _keys;
        if (MissingLease(operation, before) is { } missing)
        {
            return new LeaseNotFoundReply(Revision, missing);
        }
        return Write(() => Execute(operation, before));
    }

    private LeaseId? MissingLease(DcsKvOperation operation, ImmutableSortedDictionary<string, DcsKeyValue> before) => operation switch
    {
        DcsPut { Lease: { } lease } when !_leases.ContainsKey(lease) => lease,
        DcsTxn txn => Branch(txn, before).Select(op => MissingLease(op, before)).FirstOrDefault(l => l is not null),
        _ => null,
    };

    private static bool CompareHolds(DcsTxn txn, ImmutableSortedDictionary<string, DcsKeyValue> before) =>
        txn.Compares.All(c => c.Holds(before.TryGetValue(c.Key, out var kv) ? kv : null));

    private static IReadOnlyList<DcsKvOperation> Branch(DcsTxn txn, ImmutableSortedDictionary<string, DcsKeyValue> before) =>
        CompareHolds(txn, before) ? txn.OnSuccess : txn.OnFailure;

    /// <summary>Runs a request as one mvcc write: the revision moves on by one if it changed any key.</summary>
    private T Write<T>(Func<T> body)
    {
        _changedInRequest = false;
        var result = body();
        if (_changedInRequest)
        {
            Revision++;
        }
        return result;
    }

    /// <summary>The revision the running request's writes get. Replies report <see cref="ReplyRevision"/>.</summary>
    private long WriteRevision => Revision + 1;

    private long ReplyRevision => _changedInRequest ? Revision + 1 : Revision;

    private DcsReply Execute(DcsKvOperation operation, ImmutableSortedDictionary<string, DcsKeyValue> before)
    {
        switch (operation)
        {
            case DcsGet get:
                return new RangeReply(ReplyRevision, _keys.TryGetValue(get.Key, out var kv) ? [kv] : []);
            case DcsGetPrefix prefix:
                return new RangeReply(ReplyRevision, DcsSnapshot.Range(_keys, prefix.Prefix));
            case DcsPut put:
                PutKey(put);
                return new PutReply(ReplyRevision);
            case DcsDelete delete:
                var deleted = DeleteKey(delete.Key) ? 1 : 0;
                return new DeleteReply(ReplyRevision, deleted);
            case DcsTxn txn:
                var succeeded = CompareHolds(txn, before);
                var responses = (succeeded ? txn.OnSuccess : txn.OnFailure).Select(op => Execute(op, before)).ToList();
                return new TxnReply(ReplyRevision, succeeded, responses);
            default:
                throw new ArgumentException($"unknown operation {operation}", nameof(operation));
        }
    }

    private void PutKey(DcsPut put)
    {
        var previous = _keys.TryGetValue(put.Key, out var kv) ? kv : null;
        if (previous?.Lease is { } oldLease && _leases.TryGetValue(oldLease, out var old))
        {
            old.Keys.Remove(put.Key);
        }
        if (put.Lease is { } newLease)
        {
            _leases[newLease].Keys.Add(put.Key);
        }
        var next = new DcsKeyValue(put.Key, put.Value,
            CreateRevision: previous?.CreateRevision ?? WriteRevision,
            ModRevision: WriteRevision,
            Version: (previous?.Version ?? 0) + 1,
            put.Lease);
        _keys = _keys.SetItem(put.Key, next);
        _events.Add(new DcsEvent(DcsEventKind.Put, WriteRevision, next));
        _changedInRequest = true;
    }

    private bool DeleteKey(string key)
    {
        if (!_keys.TryGetValue(key, out var kv))
        {
            return false;
        }
        if (kv.Lease is { } lease && _leases.TryGetValue(lease, out var owner))
        {
            owner.Keys.Remove(key);
        }
        _keys = _keys.Remove(key);
        _events.Add(new DcsEvent(DcsEventKind.Delete, WriteRevision, kv));
        _changedInRequest = true;
        return true;
    }

    private sealed class Lease(LeaseId id, Duration ttl, Instant expiry)
    {
        public LeaseId Id { get; } = id;
        public Duration Ttl { get; } = ttl;
        public Instant Expiry { get; set; } = expiry;
        public SortedSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
