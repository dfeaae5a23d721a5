using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads <c>faults</c>: a list of faults, each with the kind as its key and <c>at</c> (time since
/// the start of the run, warm-up included) and an optional <c>for</c> (absent: until the end).
/// Outages of a zone or region become partitions that cut its nodes off from all the others.
/// </summary>
internal static class FaultReader
{
    private static readonly string[] Kinds = ["partition", "link", "disk_stall", "crash", "pause", "zone_outage", "region_outage"];
    private static readonly string[] TimingKeys = ["at", "for"];
    private static readonly string[] OneWayKeys = ["from", "to"];
    private static readonly string[] LinkKeys = ["between", "from", "to", "latency", "loss"];

    private const string PartitionUsage =
        "partition: [[a, b], [c]] cuts every group off from the others both ways; partition: { from: [a], to: [b] } cuts one direction";

    public static List<FaultSpec> Read(ModelNode faultsNode, Topology topology)
    {
        var faults = new List<FaultSpec>();
        foreach (var item in faultsNode.AsNonEmptyList("fault"))
        {
            faults.AddRange(ReadOne(item, topology));
        }
        return faults;
    }

    /// <summary>One entry of the list; outages and symmetric partitions give several faults.</summary>
    public static IEnumerable<FaultSpec> ReadOne(ModelNode item, Topology topology)
    {
        var mapping = item.AsMapping([.. Kinds, .. TimingKeys], ["at"]);
        var kinds = Kinds.Where(k => mapping.Optional(k) is not null).ToArray();
        if (kinds.Length != 1)
        {
            throw item.Error(kinds.Length == 0
                ? $"a fault needs its kind as a key: one of {string.Join(", ", Kinds)}"
                : $"one kind per fault, found {string.Join(" and ", kinds)}");
        }
        var at = mapping.Required("at").ReadNonNegativeDuration();
        var length = mapping.Optional("for")?.ReadPositiveDuration();
        var body = mapping.Optional(kinds[0])!;
        return kinds[0] switch
        {
            "partition" => ReadPartition(body, at, length, topology),
            "link" => ReadLink(body, at, length, topology),
            "disk_stall" => [new DiskStallFault(at, length, topology.ReadNodeReference(body))],
            "crash" => [new CrashFault(at, length, ReadCrashable(body, topology))],
            "pause" => [new PauseFault(at, length, topology.ReadNodeReference(body))],
            "zone_outage" => Isolate(ZoneNodes(body, topology), at, length, topology),
            _ => Isolate(RegionNodes(body, topology), at, length, topology),
        };
    }

    /// <summary>Without automatic failover (not simulated yet) a crashed primary would just end the run's writes.</summary>
    private static NodeId ReadCrashable(ModelNode body, Topology topology)
    {
        var node = topology.ReadNodeReference(body);
        return topology.Nodes[node.Value].Role != NodeRole.Primary
            ? node
            : throw body.Error("the primary cannot crash yet: that needs automatic failover, which the simulator does not host yet; crash a standby, or pause the primary");
    }

    private static IEnumerable<FaultSpec> ReadPartition(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        if (body.Yaml is YamlDotNet.RepresentationModel.YamlMappingNode)
        {
            var ends = body.AsMapping(OneWayKeys, OneWayKeys);
            return [new PartitionFault(at, length, ReadNodes(ends.Required("from"), topology), ReadNodes(ends.Required("to"), topology))];
        }
        var groups = body.AsNonEmptyList("group of nodes").Select(g => ReadNodes(g, topology)).ToArray();
        if (groups.Length < 2)
        {
            throw body.Error($"a partition needs at least two groups; {PartitionUsage}");
        }
        var seen = new List<NodeId>();
        foreach (var node in groups.SelectMany(g => g))
        {
            if (seen.Contains(node))
            {
                throw body.Error($"node '{topology.Nodes[node.Value].Name}' is in two groups; {PartitionUsage}");
            }
            seen.Add(node);
        }
        return from a in groups from b in groups where a != b select new PartitionFault(at, length, a, b);
    }

    private static IEnumerable<FaultSpec> ReadLink(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        var mapping = body.AsMapping(LinkKeys);
        var latency = mapping.Optional("latency")?.ReadLatency();
        var loss = mapping.Optional("loss")?.ReadNumber(NumberRange.LossProbability);
        if (latency is null && loss is null)
        {
            throw body.Error("a link fault must set latency, loss, or both");
        }
        if (mapping.Optional("between") is { } between)
        {
            var pair = ReadNodes(between, topology);
            if (pair.Count != 2)
            {
                throw between.Error($"expected exactly two node names, found {pair.Count}");
            }
            return [new LinkFault(at, length, [pair[0]], [pair[1]], latency, loss), new LinkFault(at, length, [pair[1]], [pair[0]], latency, loss)];
        }
        if (mapping.Optional("from") is not { } from || mapping.Optional("to") is not { } to)
        {
            throw body.Error("a link fault names its nodes with between: [a, b] (both directions) or from: a and to: b (one direction)");
        }
        return [new LinkFault(at, length, [topology.ReadNodeReference(from)], [topology.ReadNodeReference(to)], latency, loss)];
    }

    /// <summary>Cuts <paramref name="inside"/> off from every other node, both ways.</summary>
    private static IEnumerable<FaultSpec> Isolate(IReadOnlyList<NodeId> inside, Duration at, Duration? length, Topology topology)
    {
        var outside = topology.Nodes.Select(n => n.Id).Where(id => !inside.Contains(id)).ToArray();
        return [new PartitionFault(at, length, inside, outside), new PartitionFault(at, length, outside, inside)];
    }

    private static IReadOnlyList<NodeId> ZoneNodes(ModelNode body, Topology topology)
    {
        var name = body.ReadName("a zone name");
        var zone = topology.Zones.FirstOrDefault(z => z.Name == name)
            ?? throw body.Error($"unknown zone '{name}'{Spelling.Hint(name, [.. topology.Zones.Select(z => z.Name)])}; zones: {string.Join(", ", topology.Zones.Select(z => z.Name))}");
        return [.. topology.Nodes.Where(n => n.Zone == zone.Id).Select(n => n.Id)];
    }

    private static IReadOnlyList<NodeId> RegionNodes(ModelNode body, Topology topology)
    {
        var name = body.ReadName("a region name");
        var region = topology.Regions.FirstOrDefault(r => r.Name == name)
            ?? throw body.Error($"unknown region '{name}'{Spelling.Hint(name, [.. topology.Regions.Select(r => r.Name)])}; regions: {string.Join(", ", topology.Regions.Select(r => r.Name))}");
        return [.. topology.Nodes.Where(n => topology.Zones[n.Zone.Value].Region == region.Id).Select(n => n.Id)];
    }

    private static List<NodeId> ReadNodes(ModelNode list, Topology topology)
    {
        var ids = new List<NodeId>();
        foreach (var item in list.AsNonEmptyList("node name"))
        {
            var id = topology.ReadNodeReference(item);
            if (ids.Contains(id))
            {
                throw item.Error($"node '{topology.Nodes[id.Value].Name}' is listed twice");
            }
            ids.Add(id);
        }
        return ids;
    }
}
