using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads <c>regions</c>, <c>node_defaults</c> and <c>nodes</c>. Ids are list positions: regions
/// and nodes in order of appearance, zones numbered across regions in order.
/// </summary>
internal static class TopologyReader
{
    private static readonly string[] RegionKeys = ["name", "zones"];
    private static readonly string[] SettingKeys = ["wal_write", "wal_flush", "replay_throughput"];
    private static readonly string[] NodeRequiredKeys = ["name", "zone", "role"];
    private static readonly string[] NodeKeys = [.. NodeRequiredKeys, .. SettingKeys];

    private static readonly (string Word, NodeRole Value)[] Roles =
    [
        ("primary", NodeRole.Primary),
        ("standby", NodeRole.Standby),
        ("storage", NodeRole.Storage),
    ];

    private static readonly NodeSettings DefaultSettings =
        new(ModelDefaults.WalWrite, ModelDefaults.WalFlush, ModelDefaults.ReplayBytesPerSecond);

    public static Topology Read(ModelNode regionsNode, ModelNode? nodeDefaultsNode, ModelNode nodesNode)
    {
        var (regions, zones) = ReadRegions(regionsNode);
        var defaults = nodeDefaultsNode is null ? DefaultSettings : ReadSettings(nodeDefaultsNode.AsMapping(SettingKeys), DefaultSettings);
        var nodes = new List<NodeSpec>();
        var roleNodes = new List<ModelNode>();
        foreach (var item in nodesNode.AsNonEmptyList("node"))
        {
            var mapping = item.AsMapping(NodeKeys, NodeRequiredKeys);
            var nameNode = mapping.Required("name");
            var name = nameNode.ReadName("a node name");
            // Node names double as PostgreSQL application names, which synchronous_standby_names
            // matches case-insensitively: two names differing only in case would be ambiguous.
            if (nodes.Find(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)) is { } same)
            {
                throw nameNode.Error($"duplicate node name '{name}' (the same as '{same.Name}'); node names must be unique, ignoring case");
            }
            var zone = Topology.ReadZoneReference(mapping.Required("zone"), zones);
            var roleNode = mapping.Required("role");
            var role = roleNode.ReadWord("role", Roles, StringComparison.Ordinal);
            if (role == NodeRole.Primary && nodes.Find(n => n.Role == NodeRole.Primary) is { } primary)
            {
                throw roleNode.Error($"a second primary ('{primary.Name}' is one already); exactly one node must have role primary");
            }
            var settings = ReadSettings(mapping, defaults);
            nodes.Add(new NodeSpec
            {
                Id = new NodeId(nodes.Count),
                Name = name,
                Zone = zone,
                Role = role,
                WalWrite = settings.WalWrite,
                WalFlush = settings.WalFlush,
                ReplayBytesPerSecond = settings.ReplayBytesPerSecond,
            });
            roleNodes.Add(roleNode);
        }
        if (!nodes.Exists(n => n.Role == NodeRole.Primary))
        {
            throw nodesNode.Error("no node has role primary; exactly one node must");
        }
        return new Topology(regions, zones, nodes, roleNodes);
    }

    private static (List<RegionSpec> Regions, List<ZoneSpec> Zones) ReadRegions(ModelNode regionsNode)
    {
        var regions = new List<RegionSpec>();
        var zones = new List<ZoneSpec>();
        foreach (var item in regionsNode.AsNonEmptyList("region"))
        {
            var mapping = item.AsMapping(RegionKeys, RegionKeys);
            var nameNode = mapping.Required("name");
            var name = nameNode.ReadName("a region name");
            if (regions.Exists(r => r.Name == name))
            {
                throw nameNode.Error($"duplicate region name '{name}'; region names must be unique");
            }
            var region = new RegionSpec(new RegionId(regions.Count), name);
            regions.Add(region);
            foreach (var zoneNode in mapping.Required("zones").AsNonEmptyList("zone name"))
            {
                var zone = zoneNode.ReadName("a zone name");
                if (zones.Find(z => z.Name == zone) is { } existing)
                {
                    throw zoneNode.Error($"duplicate zone name '{zone}' (already in region '{regions[existing.Region.Value].Name}'); zone names must be unique across all regions");
                }
                zones.Add(new ZoneSpec(new ZoneId(zones.Count), zone, region.Id));
            }
        }
        return (regions, zones);
    }

    /// <summary>The per-node settings present in <paramref name="mapping"/>, the others from <paramref name="fallback"/>.</summary>
    private static NodeSettings ReadSettings(ModelMapping mapping, NodeSettings fallback) => new(
        mapping.Optional("wal_write")?.ReadLatency() ?? fallback.WalWrite,
        mapping.Optional("wal_flush")?.ReadLatency() ?? fallback.WalFlush,
        mapping.Optional("replay_throughput")?.ReadRate(allowUnlimited: false) ?? fallback.ReplayBytesPerSecond);

    /// <summary>The settings that node_defaults gives every node and a node may override.</summary>
    private sealed record NodeSettings(LatencyDistribution WalWrite, LatencyDistribution WalFlush, double ReplayBytesPerSecond);
}
