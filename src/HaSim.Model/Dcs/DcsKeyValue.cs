namespace HaSim.Model.Dcs;

/// <summary>
/// A lease, by the id the store granted. etcd derives ids from the member id and the clock; ours
/// count up from 1 in grant order, so they are deterministic. Zero is never granted (etcd's "no lease").
/// </summary>
public readonly record struct LeaseId(long Value) : IComparable<LeaseId>
{
    public int CompareTo(LeaseId other) => Value.CompareTo(other.Value);
    public override string ToString() => "lease" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// One key as etcd v3's mvccpb.KeyValue describes it. <paramref name="CreateRevision"/> is the
/// revision of the write that created the key (since it was last absent), <paramref name="ModRevision"/>
/// that of its last write, and <paramref name="Version"/> counts writes since creation (1 after the
/// create). Patroni uses <c>mod_revision</c> as a key's version for compare-and-swap (the Failover
/// project's <c>LeaderKey.Revision</c> and <c>SyncRecord.Version</c>).
/// </summary>
public sealed record DcsKeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, LeaseId? Lease);

public enum DcsEventKind
{
    Put,
    Delete,
}

/// <summary>
/// A change, as a watch delivers it. For a <see cref="DcsEventKind.Delete"/>, <paramref name="Kv"/> is the
/// key as it was before the deletion and <paramref name="Revision"/> the revision of the delete; for a
/// put, <paramref name="Kv"/> is the new key and <paramref name="Revision"/> its mod revision.
/// </summary>
public sealed record DcsEvent(DcsEventKind Kind, long Revision, DcsKeyValue Kv);
