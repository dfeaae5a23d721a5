using System.Text.Json;
using System.Text.Json.Serialization;
using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>A key of the DCS as read back: its value and the revision of its last change.</summary>
public readonly record struct DcsEntry(string Key, string Value, long ModRevision);

/// <summary>
/// Where the controller's state lives in the DCS and how it is written: Patroni's key layout
/// (<c>/service/&lt;scope&gt;/leader</c>, <c>members/&lt;name&gt;</c>, <c>status</c>, <c>sync</c>,
/// <c>history</c>, <c>failsafe</c>) with small JSON values. Both hosts use it, the simulator's and a
/// production one against real etcd, so a cluster's keys read the same in either. Nodes are named
/// in the DCS, as in Patroni, and mapped to ids through the cluster's directory of names.
/// </summary>
public sealed class DcsLayout
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly IReadOnlyList<string> _names;

    /// <param name="scope">The cluster's name (Patroni's <c>scope</c>).</param>
    /// <param name="names">Every node's name, indexed by its <see cref="NodeId"/>.</param>
    public DcsLayout(string scope, IReadOnlyList<string> names)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException("node names must be unique", nameof(names));
        }
        Prefix = $"/service/{scope}/";
        _names = names;
    }

    /// <summary>Every key of the cluster starts with this: one prefix read is a whole <c>get_cluster</c>.</summary>
    public string Prefix { get; }

    public string LeaderKey => Prefix + "leader";
    public string StatusKey => Prefix + "status";
    public string SyncKey => Prefix + "sync";
    public string HistoryKey => Prefix + "history";
    public string FailsafeKey => Prefix + "failsafe";
    public string MemberKey(NodeId node) => Prefix + "members/" + NameOf(node);

    public string NameOf(NodeId node) => _names[node.Value];

    /// <summary>The value of <c>/leader</c>: the holder's name, as Patroni writes it.</summary>
    public string LeaderValue(NodeId holder) => NameOf(holder);

    public string StatusValue(Lsn optime) => JsonSerializer.Serialize(new StatusValueJson(optime.Bytes), Json);

    public string SyncValue(NodeId leader, NodeSet standbys) =>
        JsonSerializer.Serialize(new SyncValueJson(NameOf(leader), string.Join(",", standbys.Select(NameOf))), Json);

    public string HistoryValue(Term timeline) => JsonSerializer.Serialize(new HistoryValueJson(timeline.Value), Json);

    public string FailsafeValue(NodeSet members) => JsonSerializer.Serialize(new FailsafeValueJson([.. members.Select(NameOf)]), Json);

    public string MemberValue(MemberInfo member) => JsonSerializer.Serialize(new MemberValueJson(
        member.Lsn.Bytes, member.Timeline.Value, member.Tags.NoFailover, member.Tags.FailoverPriority,
        member.Tags.NoSync, member.Tags.SyncPriority, member.HasApi), Json);

    /// <summary>
    /// Builds <c>get_cluster</c>'s view from one read of the prefix. Keys of unknown nodes and
    /// values that do not parse are left out, as Patroni ignores what it cannot read, so one bad
    /// key never hides the rest of the cluster.
    /// </summary>
    public ClusterView Read(IEnumerable<DcsEntry> entries)
    {
        LeaderKey? leader = null;
        Lsn? optime = null;
        SyncRecord? sync = null;
        Term? timeline = null;
        NodeSet? failsafe = null;
        var members = new List<MemberInfo>();
        foreach (var entry in entries)
        {
            if (entry.Key == LeaderKey)
            {
                leader = IdOf(entry.Value) is { } holder ? new LeaderKey(holder, entry.ModRevision) : null;
            }
            else if (entry.Key == StatusKey)
            {
                optime = Parse<StatusValueJson>(entry.Value) is { } status ? new Lsn(status.Optime) : null;
            }
            else if (entry.Key == SyncKey)
            {
                sync = Parse<SyncValueJson>(entry.Value) is { } s ? ReadSync(s, entry.ModRevision) : null;
            }
            else if (entry.Key == HistoryKey)
            {
                timeline = Parse<HistoryValueJson>(entry.Value) is { } h ? new Term(h.Timeline) : null;
            }
            else if (entry.Key == FailsafeKey)
            {
                failsafe = Parse<FailsafeValueJson>(entry.Value) is { } f ? NodeSet.Of(f.Members.Select(IdOf).OfType<NodeId>()) : null;
            }
            else if (entry.Key.StartsWith(Prefix + "members/", StringComparison.Ordinal)
                && IdOf(entry.Key[(Prefix.Length + "members/".Length)..]) is { } id
                && Parse<MemberValueJson>(entry.Value) is { } m)
            {
                members.Add(new MemberInfo(id, NameOf(id), new Lsn(m.Lsn), new Term(m.Timeline),
                    new MemberTags(m.Nofailover, m.FailoverPriority, m.Nosync, m.SyncPriority), m.Api));
            }
        }
        members.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new ClusterView(leader, optime, sync, timeline, members, failsafe) { NodeNames = _names };
    }

    private SyncRecord ReadSync(SyncValueJson value, long modRevision)
    {
        var standbys = value.SyncStandby.Length == 0
            ? NodeSet.Empty
            : NodeSet.Of(value.SyncStandby.Split(',').Select(IdOf).OfType<NodeId>());
        return new SyncRecord(value.Leader is { } name ? IdOf(name) : null, standbys, modRevision);
    }

    private NodeId? IdOf(string name)
    {
        for (var i = 0; i < _names.Count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return new NodeId(i);
            }
        }
        return null;
    }

    private static T? Parse<T>(string value) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(value, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StatusValueJson(ulong Optime);
    private sealed record SyncValueJson(string? Leader, string SyncStandby);
    private sealed record HistoryValueJson(long Timeline);
    private sealed record FailsafeValueJson(string[] Members);
    private sealed record MemberValueJson(ulong Lsn, long Timeline, bool Nofailover, int FailoverPriority, bool Nosync, int SyncPriority, bool Api);
}
