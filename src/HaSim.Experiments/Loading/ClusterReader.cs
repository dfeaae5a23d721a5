using HaSim.Model.Spec;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads the top level of a model into a <see cref="ClusterSpec"/>: the run settings here, each
/// section by its own reader. Sections are read in a fixed order (topology first, as the others
/// refer to its nodes; failover before faults, which may name its DCS members and clients), so
/// the first error reported is always the same one.
/// </summary>
internal static class ClusterReader
{
    public static readonly string[] RequiredKeys = ["regions", "nodes", "workload"];

    private static readonly string[] TopLevelKeys =
    [
        "name", "duration", "warmup", "sample_interval", "max_events",
        "regions", "node_defaults", "nodes", "network", "replication", "workload", "failover", "faults",
    ];

    /// <param name="root">The document's root node.</param>
    /// <param name="defaultName">The name when the model gives none: its file name without extension.</param>
    public static ClusterSpec Read(ModelNode root, string defaultName)
    {
        var mapping = root.AsMapping(TopLevelKeys, RequiredKeys);
        var name = mapping.Optional("name")?.ReadText("a model name") ?? defaultName;
        var duration = mapping.Optional("duration")?.ReadPositiveDuration() ?? ModelDefaults.Duration;
        var warmup = mapping.Optional("warmup")?.ReadNonNegativeDuration() ?? ModelDefaults.Warmup;
        var sampleInterval = mapping.Optional("sample_interval")?.ReadPositiveDuration() ?? ModelDefaults.SampleInterval;
        var maxEvents = mapping.Optional("max_events")?.ReadInteger(1, long.MaxValue) ?? Kernel.RunLimits.DefaultMaxEvents;
        var topology = TopologyReader.Read(mapping.Required("regions"), mapping.Optional("node_defaults"), mapping.Required("nodes"));
        var network = NetworkReader.Read(mapping.Optional("network"), topology);
        var replication = ReplicationReader.Read(mapping.Optional("replication"), topology);
        var workload = WorkloadReader.Read(mapping.Required("workload"), topology);
        var failover = mapping.Optional("failover") is { } failoverNode
            ? FailoverReader.Read(failoverNode, topology, replication, mapping.Optional("replication"))
            : null;
        // Faults may name the failover section's DCS members and clients, so it is read first.
        topology = topology.WithFailover(failover);
        var faults = mapping.Optional("faults") is { } faultsNode ? FaultReader.Read(faultsNode, topology) : [];
        return new ClusterSpec
        {
            Name = name,
            Duration = duration,
            Warmup = warmup,
            SampleInterval = sampleInterval,
            MaxEvents = maxEvents,
            Regions = topology.Regions,
            Zones = topology.Zones,
            Nodes = topology.Nodes,
            Network = network,
            Replication = replication,
            Workload = workload,
            Failover = failover,
            Faults = faults,
        };
    }
}
