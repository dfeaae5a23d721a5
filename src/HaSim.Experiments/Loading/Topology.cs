using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>
/// The regions, zones and nodes of a model, as read by <see cref="TopologyReader"/>, with what the
/// later sections need to resolve and check references to nodes.
/// </summary>
internal sealed class Topology(
    IReadOnlyList<RegionSpec> regions,
    IReadOnlyList<ZoneSpec> zones,
    IReadOnlyList<NodeSpec> nodes,
    IReadOnlyList<ModelNode> roleNodes)
{
    public IReadOnlyList<RegionSpec> Regions => regions;
    public IReadOnlyList<ZoneSpec> Zones => zones;
    public IReadOnlyList<NodeSpec> Nodes => nodes;

    /// <summary>Where each node's role is written, by node id, for errors about roles found in later sections.</summary>
    public IReadOnlyList<ModelNode> RoleNodes => roleNodes;

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
        throw node.Error($"unknown node '{name}'{Spelling.Hint(name, names)}; nodes: {string.Join(", ", names)}");
    }
}
