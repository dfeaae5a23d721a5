using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>The <c>/leader</c> key: who holds it, and the DCS revision of that value (for diagnostics).</summary>
public sealed record LeaderKey(NodeId Holder, long Revision);

/// <summary>
/// The <c>/sync</c> key: the primary that owns it and the standbys it guarantees synchronous.
/// <paramref name="Version"/> is the key's DCS version, for compare-and-swap writes.
/// </summary>
public sealed record SyncRecord(NodeId? Leader, NodeSet SyncStandbys, long Version)
{
    /// <summary>Patroni's <c>SyncState.matches(name, check_leader=True)</c>: the /sync leader or a listed standby.</summary>
    public bool Lists(NodeId node) => Leader == node || SyncStandbys.Contains(node);

    /// <summary>Leader plus standbys (<c>SyncState.members</c> with the leader).</summary>
    public NodeSet Members => Leader is { } leader ? SyncStandbys.Union(NodeSet.Of(leader)) : SyncStandbys;
}

/// <summary>A member's tags as published in its member key.</summary>
public sealed record MemberTags(bool NoFailover = false, int FailoverPriority = 1, bool NoSync = false, int SyncPriority = 1)
{
    public static readonly MemberTags Default = new();

    /// <summary><c>nofailover</c>, or failover_priority &lt;= 0, which Patroni treats the same way.</summary>
    public bool NeverPromote => NoFailover || FailoverPriority <= 0;
}

/// <summary>
/// A member key (<c>/members/&lt;name&gt;</c>): what the node last published with <c>touch_member</c>.
/// <paramref name="HasApi"/> is false when the member published no REST api_url, so it cannot be queried.
/// </summary>
public sealed record MemberInfo(NodeId Id, string Name, Lsn Lsn, Term Timeline, MemberTags Tags, bool HasApi = true);

/// <summary>
/// One read of the cluster from the DCS (<c>get_cluster</c>).
/// </summary>
/// <param name="Leader">The <c>/leader</c> key, or null when it is absent or expired.</param>
/// <param name="LastLeaderOptime">The optime the leader last published in <c>/status</c> (<c>cluster.status.last_lsn</c>).</param>
/// <param name="Sync">The <c>/sync</c> key, or null when absent.</param>
/// <param name="Timeline">The cluster timeline from <c>/history</c>, or null when unknown.</param>
/// <param name="Members">The member keys, in any order (the controller sorts by id).</param>
/// <param name="Failsafe">The <c>/failsafe</c> key (members the leader last saw), or null when absent.</param>
public sealed record ClusterView(
    LeaderKey? Leader,
    Lsn? LastLeaderOptime,
    SyncRecord? Sync,
    Term? Timeline,
    IReadOnlyList<MemberInfo> Members,
    NodeSet? Failsafe = null)
{
    public MemberInfo? Member(NodeId id) => Members.FirstOrDefault(m => m.Id == id);

    /// <summary>Every node's name by id, from the DCS layout: a node whose member key has expired still has one (/sync names it).</summary>
    public IReadOnlyList<string> NodeNames { get; init; } = [];

    /// <summary>A node's name: its member key's, else the layout's; the id only when neither knows it.</summary>
    public string NameOf(NodeId id) => Member(id)?.Name ?? (id.Value < NodeNames.Count ? NodeNames[id.Value] : id.ToString());
}
