using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Tests;

/// <summary>Cluster specs built in code for tests: one region, one zone per node unless said otherwise.</summary>
internal static class Specs
{
    public static LatencyDistribution L(string text) => LatencyDistribution.Parse(text);

    /// <summary>A primary and <paramref name="standbys"/> standbys, each node in its own zone of one region.</summary>
    public static ClusterSpec Cluster(
        int standbys,
        string walFlush = "0s",
        string walWrite = "0s",
        string sameZone = "0s",
        string crossZone = "0s",
        double rate = 100,
        string transactionSize = "1kB",
        double replayBytesPerSecond = 1e12,
        ReplicationSpec? replication = null,
        IReadOnlyList<LinkOverride>? overrides = null,
        Duration? duration = null,
        Duration? warmup = null,
        NodeRole standbyRole = NodeRole.Standby,
        double bandwidth = double.PositiveInfinity,
        ClosedLoopSpec? closedLoop = null,
        double readFraction = 0,
        ReadRouting readRouting = ReadRouting.Primary)
    {
        var nodes = new List<NodeSpec>();
        var zones = new List<ZoneSpec>();
        for (var i = 0; i <= standbys; i++)
        {
            zones.Add(new ZoneSpec(new ZoneId(i), "z" + i, new RegionId(0)));
            nodes.Add(new NodeSpec
            {
                Id = new NodeId(i),
                Name = i == 0 ? "primary" : "s" + i,
                Zone = new ZoneId(i),
                Role = i == 0 ? NodeRole.Primary : standbyRole,
                WalWrite = L(walWrite),
                WalFlush = L(walFlush),
                ReplayBytesPerSecond = replayBytesPerSecond,
            });
        }
        return new ClusterSpec
        {
            Name = "test",
            Duration = duration ?? Duration.Parse("60s"),
            Warmup = warmup ?? Duration.Zero,
            SampleInterval = Duration.Parse("1s"),
            Regions = [new RegionSpec(new RegionId(0), "r")],
            Zones = zones,
            Nodes = nodes,
            Network = new NetworkSpec
            {
                SameZone = L(sameZone),
                CrossZone = L(crossZone),
                CrossRegion = L(crossZone),
                BandwidthBytesPerSecond = bandwidth,
                LossProbability = 0,
                RetransmissionTimeout = Duration.Parse("200ms"),
                Overrides = overrides ?? [],
            },
            Replication = replication ?? new ReplicationSpec { SynchronousCommit = SynchronousCommit.On },
            Workload = new WorkloadSpec
            {
                OpenLoopRate = closedLoop is null ? rate : null,
                ClosedLoop = closedLoop,
                TransactionSize = SizeDistribution.Parse(transactionSize),
                ReadFraction = readFraction,
                ReadRouting = readRouting,
            },
        };
    }

    public static ReplicationSpec Sync(string names, SynchronousCommit level = SynchronousCommit.On)
    {
        Assert.True(SyncStandbyNames.TryParse(names, out var parsed, out var error), error);
        return new ReplicationSpec { SynchronousCommit = level, SynchronousStandbyNames = parsed };
    }

    /// <summary>Overrides: primary to each standby <paramref name="down"/>, back <paramref name="up"/>.</summary>
    public static LinkOverride[] StarLinks(int standbys, string down, string up) =>
        Enumerable.Range(1, standbys).SelectMany(i => new[]
        {
            new LinkOverride(new NodeId(0), new NodeId(i), L(down), null, null),
            new LinkOverride(new NodeId(i), new NodeId(0), L(up), null, null),
        }).ToArray();
}
