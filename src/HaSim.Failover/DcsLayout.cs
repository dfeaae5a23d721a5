using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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
public sealed partial class DcsLayout
{
    // Source-generated (de)serializers: every agent writes its member key and reads the cluster
    // each HA cycle, and the reflection-based serializer made that a few percent of a simulated run.
    private static readonly DcsJson Json = DcsJson.Default;

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
        LeaderKey = Prefix + "leader";
        StatusKey = Prefix + "status";
        SyncKey = Prefix + "sync";
        HistoryKey = Prefix + "history";
        FailsafeKey = Prefix + "failsafe";
        _membersPrefix = Prefix + "members/";
        _memberValues = [.. names.Select(_ => new ParsedValue<MemberValueJson>(Json.MemberValueJson))];
    }

    /// <summary>Every key of the cluster starts with this: one prefix read is a whole <c>get_cluster</c>.</summary>
    public string Prefix { get; }

    public string LeaderKey { get; }
    public string StatusKey { get; }
    public string SyncKey { get; }
    public string HistoryKey { get; }
    public string FailsafeKey { get; }
    public string MemberKey(NodeId node) => _membersPrefix + NameOf(node);

    private readonly string _membersPrefix;

    public string NameOf(NodeId node) => _names[node.Value];

    /// <summary>The value of <c>/leader</c>: the holder's name, as Patroni writes it.</summary>
    public string LeaderValue(NodeId holder) => NameOf(holder);

    public string StatusValue(Lsn optime) => JsonSerializer.Serialize(new StatusValueJson(optime.Bytes), Json.StatusValueJson);

    public string SyncValue(NodeId leader, NodeSet standbys) =>
        JsonSerializer.Serialize(new SyncValueJson(NameOf(leader), string.Join(",", standbys.Select(NameOf))), Json.SyncValueJson);

    public string HistoryValue(Term timeline) => JsonSerializer.Serialize(new HistoryValueJson(timeline.Value), Json.HistoryValueJson);

    public string FailsafeValue(NodeSet members) => JsonSerializer.Serialize(new FailsafeValueJson([.. members.Select(NameOf)]), Json.FailsafeValueJson);

    public string MemberValue(MemberInfo member) => JsonSerializer.Serialize(new MemberValueJson(
        member.Lsn.Bytes, member.Timeline.Value, member.Tags.NoFailover, member.Tags.FailoverPriority,
        member.Tags.NoSync, member.Tags.SyncPriority, member.HasApi), Json.MemberValueJson);

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
                optime = _statusValue.Parse(entry.Value) is { } status ? new Lsn(status.Optime) : null;
            }
            else if (entry.Key == SyncKey)
            {
                sync = _syncValue.Parse(entry.Value) is { } s ? ReadSync(s, entry.ModRevision) : null;
            }
            else if (entry.Key == HistoryKey)
            {
                timeline = _historyValue.Parse(entry.Value) is { } h ? new Term(h.Timeline) : null;
            }
            else if (entry.Key == FailsafeKey)
            {
                failsafe = _failsafeValue.Parse(entry.Value) is { } f ? NodeSet.Of(f.Members.Select(IdOf).OfType<NodeId>()) : null;
            }
            else if (entry.Key.StartsWith(_membersPrefix, StringComparison.Ordinal)
                && IdOf(entry.Key[_membersPrefix.Length..]) is { } id
                && _memberValues[id.Value].Parse(entry.Value) is { } m)
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

    // The last value read under each key, parsed: most values are unchanged from one read of the
    // cluster to the next (every agent reads every key each HA cycle), and parsing the JSON was most
    // of a read's cost.
    private readonly ParsedValue<StatusValueJson> _statusValue = new(Json.StatusValueJson);
    private readonly ParsedValue<SyncValueJson> _syncValue = new(Json.SyncValueJson);
    private readonly ParsedValue<HistoryValueJson> _historyValue = new(Json.HistoryValueJson);
    private readonly ParsedValue<FailsafeValueJson> _failsafeValue = new(Json.FailsafeValueJson);
    private readonly ParsedValue<MemberValueJson>[] _memberValues;

    /// <summary>
    /// A key's last value and what it parsed to (null: not JSON of the expected shape). The pair is
    /// one immutable object, swapped whole, so concurrent readers each see a consistent pair.
    /// </summary>
    private sealed class ParsedValue<T>(JsonTypeInfo<T> type) where T : class
    {
        private sealed record Parsed(string Text, T? Value);

        private Parsed _last = new("", null);

        public T? Parse(string text)
        {
            var last = _last;
            if (string.Equals(last.Text, text, StringComparison.Ordinal) && last.Text.Length > 0)
            {
                return last.Value;
            }
            var value = Deserialize(text);
            _last = new Parsed(text, value);
            return value;
        }

        private T? Deserialize(string value)
        {
            try
            {
                return JsonSerializer.Deserialize(value, type);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private sealed record StatusValueJson(ulong Optime);
    private sealed record SyncValueJson(string? Leader, string SyncStandby);
    private sealed record HistoryValueJson(long Timeline);
    private sealed record FailsafeValueJson(string[] Members);
    private sealed record MemberValueJson(ulong Lsn, long Timeline, bool Nofailover, int FailoverPriority, bool Nosync, int SyncPriority, bool Api);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(StatusValueJson))]
    [JsonSerializable(typeof(SyncValueJson))]
    [JsonSerializable(typeof(HistoryValueJson))]
    [JsonSerializable(typeof(FailsafeValueJson))]
    [JsonSerializable(typeof(MemberValueJson))]
    private sealed partial class DcsJson : JsonSerializerContext;
}
