using HaSim.Model.Dcs;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>
/// The regions, zones and nodes of a model, as read by <see cref="TopologyReader"/>, with what the
/// later sections need to resolve and check references to nodes; once the <c>failover</c> section
/// is read (<see cref="WithFailover"/>), also its DCS members and where the clients are.
/// </summary>
internal sealed class Topology(
    IReadOnlyList<RegionSpec> regions,
    IReadOnlyList<ZoneSpec> zones,
    IReadOnlyList<NodeSpec> nodes,
    IReadOnlyList<ModelNode> roleNodes,
    FailoverSpec? failover = null)
{
    /// <summary>The word that names the clients and their write endpoint in partitions.</summary>
    public const string ClientsWord = "clients";

    public IReadOnlyList<RegionSpec> Regions => regions;
    public IReadOnlyList<ZoneSpec> Zones => zones;
    public IReadOnlyList<NodeSpec> Nodes => nodes;

    /// <summary>Where each node's role is written, by node id, for errors about roles found in later sections.</summary>
    public IReadOnlyList<ModelNode> RoleNodes => roleNodes;

    /// <summary>The model's failover section, or null when it has none (the primary is fixed).</summary>
    public FailoverSpec? Failover => failover;

    /// <summary>The DCS members; none without a failover section.</summary>
    public IReadOnlyList<DcsMember> DcsMembers => failover?.Dcs.Members ?? [];

    /// <summary>The same topology with the failover section read (or null for none).</summary>
    public Topology WithFailover(FailoverSpec? spec) => new(regions, zones, nodes, roleNodes, spec);

    public IReadOnlyList<NodeSpec> WithRole(NodeRole role) => [.. nodes.Where(n => n.Role == role)];

    /// <summary>Reads a node name that must name a node of the model (exactly, as it is written there).</summary>
    public NodeId ReadNodeReference(ModelNode node)
    {
        var name = node.ReadName("a node name");
        foreach (var spec in nodes)
        {
            if (spec.Name == name)
            {
                return spec.Id;
            }
        }
        var names = nodes.Select(n => n.Name).ToArray();
        if (DcsMembers.Any(m => m.Name == name))
        {
            throw node.Error($"'{name}' is a DCS member, not a database node; nodes: {string.Join(", ", names)}");
        }
        throw node.Error($"unknown node '{name}'{Spelling.Hint(name, names)}; nodes: {string.Join(", ", names)}");
    }

    /// <summary>Reads a zone name that must name a zone defined under <c>regions</c> (exactly).</summary>
    public ZoneId ReadZoneReference(ModelNode node) => ReadZoneReference(node, zones);

    /// <summary>Reads a zone name that must name one of <paramref name="zones"/> (exactly).</summary>
    public static ZoneId ReadZoneReference(ModelNode node, IReadOnlyList<ZoneSpec> zones)
    {
        var name = node.ReadName("a zone name");
        foreach (var zone in zones)
        {
            if (zone.Name == name)
            {
                return zone.Id;
            }
        }
        var names = zones.Select(z => z.Name).ToArray();
        throw node.Error($"unknown zone '{name}'{Spelling.Hint(name, names)}; zones defined under regions: {string.Join(", ", names)}");
    }

    /// <summary>Reads a DCS member name (exactly, as the failover section names it) into its index.</summary>
    public int ReadDcsMemberReference(ModelNode node)
    {
        var name = node.ReadName("a DCS member name");
        foreach (var member in DcsMembers)
        {
            if (member.Name == name)
            {
                return member.Index;
            }
        }
        var names = DcsMembers.Select(m => m.Name).ToArray();
        var what = nodes.Any(n => n.Name == name) ? $"'{name}' is a database node, not a DCS member" : $"unknown DCS member '{name}'{Spelling.Hint(name, names)}";
        throw node.Error($"{what}; DCS members: {string.Join(", ", names)}");
    }
}
