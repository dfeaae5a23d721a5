using HaSim.Model.Spec;
using HaSim.Primitives;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads <c>faults</c>: a list of faults, each with the kind as its key and <c>at</c> (time since
/// the start of the run, warm-up included) and an optional <c>for</c> (absent: until the end).
/// Outages of a zone or region become partitions that cut everything in it (nodes, and with a
/// failover section also DCS members and the clients) off from everything else. The kinds that
/// concern the failover machinery (the primary's crash, agent and database pauses, DCS crashes,
/// clock drift, DCS members and clients in partitions) need a <c>failover</c> section.
/// </summary>
internal static class FaultReader
{
    private static readonly string[] Kinds =
        ["partition", "link", "disk_stall", "crash", "pause", "dcs_crash", "clock_drift", "zone_outage", "region_outage"];

    private static readonly string[] TimingKeys = ["at", "for"];
    private static readonly string[] OneWayKeys = ["from", "to"];
    private static readonly string[] LinkKeys = ["between", "from", "to", "latency", "loss"];
    private static readonly string[] PauseKeys = ["node", "scope"];
    private static readonly string[] ClockDriftKeys = ["node", "rate"];

    private static readonly (string Word, PauseScope Value)[] PauseScopes =
    [
        ("machine", PauseScope.Machine),
        ("agent", PauseScope.Agent),
        ("database", PauseScope.Database),
    ];

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
            "crash" => [ReadCrash(body, at, length, topology)],
            "pause" => [ReadPause(body, at, length, topology)],
            "dcs_crash" => [new DcsMemberCrashFault(at, length, ReadDcsCrash(body, topology))],
            "clock_drift" => [ReadClockDrift(body, at, length, topology)],
            "zone_outage" => Isolate(ZoneSide(body, topology), at, length, topology),
            _ => Isolate(RegionSide(body, topology), at, length, topology),
        };
    }

    /// <summary><c>crash: pg1</c> crashes the machine; <c>crash: {node: pg1, scope: processes}</c> kills only PostgreSQL and the agent.</summary>
    private static CrashFault ReadCrash(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        if (body.Yaml is not YamlMappingNode)
        {
            return new CrashFault(at, length, ReadCrashable(body, topology));
        }
        var mapping = body.AsMapping(PauseKeys, ["node"]);
        var node = ReadCrashable(mapping.Required("node"), topology);
        var scopeNode = mapping.Optional("scope");
        var scope = scopeNode?.ReadWord("crash scope", CrashScopes, StringComparison.Ordinal) ?? CrashScope.Machine;
        if (scope != CrashScope.Machine && topology.Failover is null)
        {
            throw scopeNode!.Error("scope processes needs a failover section: without one there is no agent beside the database");
        }
        return new CrashFault(at, length, node, scope);
    }

    private static readonly (string Word, CrashScope Value)[] CrashScopes =
    [
        ("machine", CrashScope.Machine),
        ("processes", CrashScope.Processes),
    ];

    /// <summary>Without automatic failover a crashed primary would just end the run's writes.</summary>
    private static NodeId ReadCrashable(ModelNode body, Topology topology)
    {
        var node = topology.ReadNodeReference(body);
        return topology.Nodes[node.Value].Role != NodeRole.Primary || topology.Failover is not null
            ? node
            : throw body.Error("the primary can crash only with automatic failover: add a failover section (without one nothing would ever accept writes again); or crash a standby, or pause the primary");
    }

    /// <summary><c>pause: pg1</c> pauses the machine; <c>pause: {node: pg1, scope: agent}</c> chooses what stops.</summary>
    private static PauseFault ReadPause(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        if (body.Yaml is not YamlMappingNode)
        {
            return new PauseFault(at, length, topology.ReadNodeReference(body));
        }
        var mapping = body.AsMapping(PauseKeys, ["node"]);
        var node = topology.ReadNodeReference(mapping.Required("node"));
        var scopeNode = mapping.Optional("scope");
        var scope = scopeNode?.ReadWord("pause scope", PauseScopes, StringComparison.Ordinal) ?? PauseScope.Machine;
        if (scope != PauseScope.Machine && topology.Failover is null)
        {
            throw scopeNode!.Error($"scope {scopeNode.AsScalar("a pause scope").Value} needs a failover section: without one there is no agent beside the database, and only the machine can pause");
        }
        return new PauseFault(at, length, node, scope);
    }

    private static int ReadDcsCrash(ModelNode body, Topology topology)
    {
        RequireFailover(body, "dcs_crash", "without one the model has no DCS", topology);
        if (topology.DcsMembers.Count == 0)
        {
            throw body.Error("dcs_crash needs a DCS, and this model has none: failover.agent naive-script uses no DCS");
        }
        return topology.ReadDcsMemberReference(body);
    }

    private static ClockDriftFault ReadClockDrift(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        RequireFailover(body, "clock_drift", "a node's clock drives only its failover agent's timers", topology);
        var mapping = body.AsMapping(ClockDriftKeys, ClockDriftKeys);
        var node = topology.ReadNodeReference(mapping.Required("node"));
        return new ClockDriftFault(at, length, node, mapping.Required("rate").ReadNumber(NumberRange.Positive));
    }

    private static void RequireFailover(ModelNode body, string kind, string why, Topology topology)
    {
        if (topology.Failover is null)
        {
            throw body.Error($"{kind} needs a failover section: {why}");
        }
    }

    private static IEnumerable<FaultSpec> ReadPartition(ModelNode body, Duration at, Duration? length, Topology topology)
    {
        if (body.Yaml is YamlMappingNode)
        {
            var ends = body.AsMapping(OneWayKeys, OneWayKeys);
            return [Cut(ReadSide(ends.Required("from"), topology), ReadSide(ends.Required("to"), topology), at, length)];
        }
        var groups = body.AsNonEmptyList("group").Select(g => ReadSide(g, topology)).ToArray();
        if (groups.Length < 2)
        {
            throw body.Error($"a partition needs at least two groups; {PartitionUsage}");
        }
        var seen = new Side();
        foreach (var group in groups)
        {
            foreach (var node in group.Nodes)
            {
                Add(seen.Nodes, node, () => $"node '{topology.Nodes[node.Value].Name}'");
            }
            foreach (var member in group.DcsMembers)
            {
                Add(seen.DcsMembers, member, () => $"DCS member '{topology.DcsMembers[member].Name}'");
            }
            if (group.Clients && seen.Clients)
            {
                throw body.Error($"'{Topology.ClientsWord}' is in two groups; {PartitionUsage}");
            }
            seen.Clients |= group.Clients;
        }
        return from a in Enumerable.Range(0, groups.Length)
               from b in Enumerable.Range(0, groups.Length)
               where a != b
               select Cut(groups[a], groups[b], at, length);

        void Add<T>(List<T> seenItems, T item, Func<string> what)
        {
            if (seenItems.Contains(item))
            {
                throw body.Error($"{what()} is in two groups; {PartitionUsage}");
            }
            seenItems.Add(item);
        }
    }

    private static PartitionFault Cut(Side from, Side to, Duration at, Duration? length) =>
        new(at, length, from.Nodes, to.Nodes)
        {
            FromDcsMembers = from.DcsMembers,
            ToDcsMembers = to.DcsMembers,
            FromClients = from.Clients,
            ToClients = to.Clients,
        };

    /// <summary>
    /// One side of a partition: node names, DCS member names and (with a failover section) the word
    /// <c>clients</c>, each at most once.
    /// </summary>
    private static Side ReadSide(ModelNode list, Topology topology)
    {
        var withFailover = topology.Failover is not null;
        var expected = withFailover ? "a node name, a DCS member name or clients" : "a node name";
        var side = new Side();
        foreach (var item in list.AsNonEmptyList(withFailover ? "name" : "node name"))
        {
            var name = item.ReadName(expected);
            if (name == Topology.ClientsWord && topology.Nodes.All(n => n.Name != name))
            {
                if (!withFailover)
                {
                    throw item.Error($"'{Topology.ClientsWord}' in a partition needs a failover section: without one the clients are not placed on the network");
                }
                side.Clients = side.Clients ? throw item.Error($"'{Topology.ClientsWord}' is listed twice") : true;
            }
            else if (topology.Nodes.FirstOrDefault(n => n.Name == name) is { } node)
            {
                side.Nodes.Add(side.Nodes.Contains(node.Id) ? throw item.Error($"node '{name}' is listed twice") : node.Id);
            }
            else if (topology.DcsMembers.FirstOrDefault(m => m.Name == name) is { } member)
            {
                side.DcsMembers.Add(side.DcsMembers.Contains(member.Index) ? throw item.Error($"DCS member '{name}' is listed twice") : member.Index);
            }
            else
            {
                var nodeNames = topology.Nodes.Select(n => n.Name).ToArray();
                var memberNames = topology.DcsMembers.Select(m => m.Name).ToArray();
                var known = withFailover
                    ? $"nodes: {string.Join(", ", nodeNames)}; DCS members: {string.Join(", ", memberNames)}; or {Topology.ClientsWord}"
                    : $"nodes: {string.Join(", ", nodeNames)}";
                string[] candidates = withFailover ? [.. nodeNames, .. memberNames, Topology.ClientsWord] : nodeNames;
                throw item.Error($"unknown {(withFailover ? "name" : "node")} '{name}'{Spelling.Hint(name, candidates)}; {known}");
            }
        }
        return side;
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

    /// <summary>Cuts <paramref name="inside"/> off from everything else, both ways.</summary>
    private static IEnumerable<FaultSpec> Isolate(Side inside, Duration at, Duration? length, Topology topology)
    {
        var outside = new Side
        {
            Nodes = [.. topology.Nodes.Select(n => n.Id).Where(id => !inside.Nodes.Contains(id))],
            DcsMembers = [.. topology.DcsMembers.Select(m => m.Index).Where(i => !inside.DcsMembers.Contains(i))],
            Clients = topology.Failover is not null && !inside.Clients,
        };
        return [Cut(inside, outside, at, length), Cut(outside, inside, at, length)];
    }

    /// <summary>Everything in one zone: its nodes, its DCS members, and the clients if they run there.</summary>
    private static Side ZoneSide(ModelNode body, Topology topology)
    {
        var name = body.ReadName("a zone name");
        var zone = topology.Zones.FirstOrDefault(z => z.Name == name)
            ?? throw body.Error($"unknown zone '{name}'{Spelling.Hint(name, [.. topology.Zones.Select(z => z.Name)])}; zones: {string.Join(", ", topology.Zones.Select(z => z.Name))}");
        return InZones(z => z == zone.Id, topology);
    }

    private static Side RegionSide(ModelNode body, Topology topology)
    {
        var name = body.ReadName("a region name");
        var region = topology.Regions.FirstOrDefault(r => r.Name == name)
            ?? throw body.Error($"unknown region '{name}'{Spelling.Hint(name, [.. topology.Regions.Select(r => r.Name)])}; regions: {string.Join(", ", topology.Regions.Select(r => r.Name))}");
        return InZones(z => topology.Zones[z.Value].Region == region.Id, topology);
    }

    private static Side InZones(Func<ZoneId, bool> inside, Topology topology) => new()
    {
        Nodes = [.. topology.Nodes.Where(n => inside(n.Zone)).Select(n => n.Id)],
        DcsMembers = [.. topology.DcsMembers.Where(m => inside(m.Zone)).Select(m => m.Index)],
        Clients = topology.Failover is { } failover && inside(failover.Clients.Zone),
    };

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

    /// <summary>What one side of a partition holds, in the order the model lists it.</summary>
    private sealed class Side
    {
        public List<NodeId> Nodes { get; init; } = [];
        public List<int> DcsMembers { get; init; } = [];
        public bool Clients { get; set; }
    }
}
