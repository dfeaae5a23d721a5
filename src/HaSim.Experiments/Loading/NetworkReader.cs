using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>Reads <c>network</c>: latencies by distance, bandwidth, loss, and per-link overrides.</summary>
internal static class NetworkReader
{
    private static readonly string[] NetworkKeys =
        ["same_zone", "cross_zone", "cross_region", "bandwidth", "loss", "retransmission_timeout", "links"];

    private static readonly string[] LinkKeys = ["between", "from", "to", "latency", "bandwidth", "loss"];

    public static NetworkSpec Read(ModelNode? networkNode, Topology topology)
    {
        var mapping = networkNode?.AsMapping(NetworkKeys);
        return new NetworkSpec
        {
            SameZone = mapping?.Optional("same_zone")?.ReadLatency() ?? ModelDefaults.SameZone,
            CrossZone = mapping?.Optional("cross_zone")?.ReadLatency() ?? ModelDefaults.CrossZone,
            CrossRegion = mapping?.Optional("cross_region")?.ReadLatency() ?? ModelDefaults.CrossRegion,
            BandwidthBytesPerSecond = mapping?.Optional("bandwidth")?.ReadRate(allowUnlimited: true) ?? ModelDefaults.BandwidthBytesPerSecond,
            LossProbability = mapping?.Optional("loss")?.ReadNumber(NumberRange.LossProbability) ?? ModelDefaults.LossProbability,
            RetransmissionTimeout = mapping?.Optional("retransmission_timeout")?.ReadPositiveDuration() ?? ModelDefaults.RetransmissionTimeout,
            Overrides = mapping?.Optional("links") is { } links ? ReadLinks(links, topology) : [],
        };
    }

    /// <summary>Each entry gives one direction (from/to) or both (between: two overrides, a to b and b to a).</summary>
    private static List<LinkOverride> ReadLinks(ModelNode linksNode, Topology topology)
    {
        var overrides = new List<LinkOverride>();
        foreach (var item in linksNode.AsNonEmptyList("link override"))
        {
            var mapping = item.AsMapping(LinkKeys);
            var (from, to, both) = ReadEnds(mapping, topology);
            var latencyNode = mapping.Optional("latency");
            var bandwidthNode = mapping.Optional("bandwidth");
            var lossNode = mapping.Optional("loss");
            if (latencyNode is null && bandwidthNode is null && lossNode is null)
            {
                throw item.Error("a link override must set at least one of latency, bandwidth, loss");
            }
            var latency = latencyNode?.ReadLatency();
            var bandwidth = bandwidthNode?.ReadRate(allowUnlimited: true);
            var loss = lossNode?.ReadNumber(NumberRange.LossProbability);
            overrides.Add(new LinkOverride(from, to, latency, bandwidth, loss));
            if (both)
            {
                overrides.Add(new LinkOverride(to, from, latency, bandwidth, loss));
            }
        }
        return overrides;
    }

    private static (NodeId From, NodeId To, bool Both) ReadEnds(ModelMapping mapping, Topology topology)
    {
        var between = mapping.Optional("between");
        var fromNode = mapping.Optional("from");
        var toNode = mapping.Optional("to");
        const string Usage = "a link override names its nodes with between: [a, b] (both directions) or with from: a and to: b (one direction)";
        if (between is not null)
        {
            if ((fromNode ?? toNode) is { } extra)
            {
                throw extra.Error($"cannot be combined with between; {Usage}");
            }
            var ends = between.AsNonEmptyList("node name");
            if (ends.Count != 2)
            {
                throw between.Error($"expected exactly two node names, found {ends.Count}; {Usage}");
            }
            var (a, b) = (topology.ReadNodeReference(ends[0]), topology.ReadNodeReference(ends[1]));
            return a != b ? (a, b, true) : throw ends[1].Error("a link joins two different nodes; both ends are the same node");
        }
        if (fromNode is null || toNode is null)
        {
            throw mapping.Node.Error($"missing {(fromNode is null ? "from" : "to")}; {Usage}");
        }
        var (from, to) = (topology.ReadNodeReference(fromNode), topology.ReadNodeReference(toNode));
        return from != to ? (from, to, false) : throw toNode.Error("a link joins two different nodes; from and to are the same node");
    }
}
