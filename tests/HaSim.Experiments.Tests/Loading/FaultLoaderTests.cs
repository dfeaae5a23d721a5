using HaSim.Experiments.Loading;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>The <c>faults</c> section: kinds, timing, and outages expanded into partitions.</summary>
public sealed class FaultLoaderTests
{
    private static ClusterSpec Load(string faults) => ModelLoader.LoadText(ModelTexts.Minimal + "faults:\n" + faults, "models/x.yaml");

    private static string Ends(FaultSpec fault) =>
        fault is PartitionFault p ? $"{string.Join(",", p.From)} -> {string.Join(",", p.To)}" : fault.GetType().Name;

    [Fact]
    public void SymmetricPartitionsCutEveryPairOfGroupsBothWays()
    {
        var spec = Load("  - partition: [[p], [s1, s2]]\n    at: 10s\n    for: 20s\n");
        Assert.Equal(["node0 -> node1,node2", "node1,node2 -> node0"], spec.Faults.Select(Ends));
        Assert.All(spec.Faults, f => Assert.Equal(Instant.Start + Duration.Parse("30s"), f.HealsAt));
    }

    [Fact]
    public void OneWayPartitionsLinksStallsAndOutages()
    {
        var spec = Load("""
              - partition: {from: [s1], to: [p]}
                at: 1s
              - link: {between: [p, s2], latency: 50ms, loss: 0.01}
                at: 2s
                for: 1m
              - disk_stall: p
                at: 3s
                for: 500ms
              - zone_outage: b
                at: 4s
                for: 10s
              - region_outage: r1
                at: 5s
              - crash: s1
                at: 6s
                for: 1m
              - pause: p
                at: 7s
                for: 1s
            """);
        Assert.Equal(10, spec.Faults.Count);
        Assert.Equal(new NodeId(1), Assert.IsType<CrashFault>(spec.Faults[8]).Node);
        Assert.Equal(new NodeId(0), Assert.IsType<PauseFault>(spec.Faults[9]).Node);
        var oneWay = Assert.IsType<PartitionFault>(spec.Faults[0]);
        Assert.Equal("node1 -> node0", Ends(oneWay));
        Assert.Null(oneWay.HealsAt);
        var link = Assert.IsType<LinkFault>(spec.Faults[1]);
        Assert.Equal("const(50ms)", link.Latency!.ToString());
        Assert.Equal(0.01, link.LossProbability);
        Assert.IsType<LinkFault>(spec.Faults[2]);
        Assert.Equal(new NodeId(0), Assert.IsType<DiskStallFault>(spec.Faults[3]).Node);
        Assert.Equal(["node1,node2 -> node0", "node0 -> node1,node2"], spec.Faults.Skip(4).Take(2).Select(Ends));
        var region = Assert.IsType<PartitionFault>(spec.Faults[6]);
        Assert.Equal(3, region.From.Count);
        Assert.Empty(region.To); // the whole model is one region: nothing outside it
    }

    [Theory]
    [InlineData("  - at: 1s\n", 12, 5, "a fault needs its kind as a key: one of partition, link, disk_stall, crash, pause, dcs_crash, clock_drift, zone_outage, region_outage")]
    [InlineData("  - crash: p\n    at: 1s\n", 12, 12, "the primary can crash only with automatic failover: add a failover section")]
    [InlineData("  - disk_stall: p\n", 12, 5, "missing key 'at'")]
    [InlineData("  - disk_stall: q\n    at: 1s\n", 12, 17, "unknown node 'q'")]
    [InlineData("  - zone_outage: c\n    at: 1s\n", 12, 18, "unknown zone 'c'")]
    [InlineData("  - partition: [[p]]\n    at: 1s\n", 12, 16, "a partition needs at least two groups")]
    [InlineData("  - partition: [[p, s1], [s1]]\n    at: 1s\n", 12, 16, "node 's1' is in two groups")]
    [InlineData("  - partition: {from: [p]}\n    at: 1s\n", 12, 16, "missing key 'to'")]
    [InlineData("  - link: {from: p, to: s1}\n    at: 1s\n", 12, 11, "a link fault must set latency, loss, or both")]
    [InlineData("  - disk_stall: p\n    link: {from: p, to: s1, loss: 0.1}\n    at: 1s\n", 12, 5, "one kind per fault, found link and disk_stall")]
    [InlineData("  - disk_stall: p\n    at: 1s\n    for: 0s\n", 14, 10, "expected a duration greater than 0s")]
    public void MistakesNameTheirPlace(string faults, int line, int column, string fragment)
    {
        var error = Assert.Throws<ModelLoadException>(() => Load(faults));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WalSenderTimeoutIsReadFromReplication()
    {
        var spec = ModelLoader.LoadText(ModelTexts.Minimal + "replication:\n  wal_sender_timeout: 10s\n", "models/x.yaml");
        Assert.Equal(Duration.Parse("10s"), spec.Replication.WalSenderTimeout);
        Assert.Equal(Duration.Parse("60s"), ModelLoader.LoadText(ModelTexts.Minimal, "models/x.yaml").Replication.WalSenderTimeout);
    }
}
