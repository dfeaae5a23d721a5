using HaSim.Experiments.Loading;
using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>Valid models map to the expected <see cref="ClusterSpec"/>, with defaults where keys are left out.</summary>
public sealed class ModelLoaderTests
{
    private static readonly string LessonPath = Path.Combine(AppContext.BaseDirectory, "models", "lesson.yaml");

    [Fact]
    public void The_lesson_maps_to_its_spec()
    {
        var spec = ModelLoader.LoadFile(LessonPath);

        Assert.Equal("lesson", spec.Name);
        Assert.Equal(Duration.FromSeconds(60), spec.Duration);
        Assert.Equal(Duration.FromSeconds(5), spec.Warmup);
        Assert.Equal(Duration.FromSeconds(1), spec.SampleInterval);
        Assert.Equal(Kernel.RunLimits.DefaultMaxEvents, spec.MaxEvents);
        Assert.Equal([new RegionSpec(new RegionId(0), "us-east-1")], spec.Regions);
        Assert.Equal(
            [
                new ZoneSpec(new ZoneId(0), "use1-az1", new RegionId(0)),
                new ZoneSpec(new ZoneId(1), "use1-az2", new RegionId(0)),
                new ZoneSpec(new ZoneId(2), "use1-az3", new RegionId(0)),
            ],
            spec.Zones);
        Assert.Equal(["pg1", "pg2", "pg3"], spec.Nodes.Select(n => n.Name));
        Assert.Equal([0, 1, 2], spec.Nodes.Select(n => n.Id.Value));
        Assert.Equal([NodeRole.Primary, NodeRole.Standby, NodeRole.Standby], spec.Nodes.Select(n => n.Role));
        Assert.Equal([0, 1, 2], spec.Nodes.Select(n => n.Zone.Value));
        Assert.Equal(new NodeId(0), spec.Primary);
        Assert.All(spec.Nodes, n =>
        {
            Assert.Equal(Text("10us"), n.WalWrite.ToString());
            Assert.Equal(Text("lognormal(median=350us, p99=1.2ms)"), n.WalFlush.ToString());
            Assert.Equal(80.0 * 1024 * 1024, n.ReplayBytesPerSecond);
        });

        Assert.Equal(Text("lognormal(median=60us, p99=250us)"), spec.Network.SameZone.ToString());
        Assert.Equal(Text("lognormal(median=350us, p99=1.2ms)"), spec.Network.CrossZone.ToString());
        Assert.Equal(Text("shifted(min=35ms, lognormal(median=500us, p99=3ms))"), spec.Network.CrossRegion.ToString());
        Assert.Equal(10e9 / 8, spec.Network.BandwidthBytesPerSecond);
        Assert.Equal(0, spec.Network.LossProbability);
        Assert.Equal(Duration.FromMilliseconds(200), spec.Network.RetransmissionTimeout);
        Assert.Empty(spec.Network.Overrides);

        Assert.Equal(SynchronousCommit.On, spec.Replication.SynchronousCommit);
        Assert.Equal("FIRST 1 (pg2)", spec.Replication.SynchronousStandbyNames?.ToString());
        Assert.True(spec.Replication.GroupCommit);
        Assert.Null(spec.Replication.StorageQuorum);
        Assert.Null(spec.Replication.SemiSync);

        Assert.Equal(2000, spec.Workload.OpenLoopRate);
        Assert.Null(spec.Workload.ClosedLoop);
        Assert.Equal("lognormal(median=1kB, p99=8kB)", spec.Workload.TransactionSize.ToString());
        Assert.Equal(0, spec.Workload.ReadFraction);
        Assert.Equal(ReadRouting.Primary, spec.Workload.ReadRouting);
    }

    [Fact]
    public void Left_out_keys_take_their_defaults_and_the_name_comes_from_the_file()
    {
        var yaml = ModelTexts.Minimal.Replace("name: t\n", "", StringComparison.Ordinal);

        var spec = ModelLoader.LoadText(yaml, "models/minimal.yaml");

        Assert.Equal("minimal", spec.Name);
        Assert.Equal(Duration.FromSeconds(60), spec.Duration);
        Assert.Equal(Duration.Zero, spec.Warmup);
        Assert.Equal(Duration.FromSeconds(1), spec.SampleInterval);
        Assert.Equal(Text("10us"), spec.Nodes[1].WalWrite.ToString());
        Assert.Equal(Text("lognormal(median=350us, p99=1.2ms)"), spec.Nodes[1].WalFlush.ToString());
        Assert.Equal(80.0 * 1024 * 1024, spec.Nodes[1].ReplayBytesPerSecond);
        Assert.Equal(Text("shifted(min=35ms, lognormal(median=500us, p99=3ms))"), spec.Network.CrossRegion.ToString());
        Assert.Equal(10e9 / 8, spec.Network.BandwidthBytesPerSecond);
        Assert.Equal(SynchronousCommit.On, spec.Replication.SynchronousCommit);
        Assert.Null(spec.Replication.SynchronousStandbyNames);
        Assert.Equal("1kB", spec.Workload.TransactionSize.ToString());
    }

    [Fact]
    public void Node_settings_override_node_defaults_which_override_the_built_in_ones()
    {
        var yaml = ModelTexts.Minimal
            .Replace("{name: s1, zone: b, role: standby}", "{name: s1, zone: b, role: standby, wal_flush: 2ms, replay_throughput: 1Gbps}", StringComparison.Ordinal)
            + "node_defaults:\n  wal_flush: exp(mean=1ms)\n";

        var spec = ModelLoader.LoadText(yaml, "t.yaml");

        Assert.Equal(Text("exp(mean=1ms)"), spec.Nodes[0].WalFlush.ToString());
        Assert.Equal(Text("2ms"), spec.Nodes[1].WalFlush.ToString());
        Assert.Equal(1e9 / 8, spec.Nodes[1].ReplayBytesPerSecond);
        Assert.Equal(Text("10us"), spec.Nodes[1].WalWrite.ToString());
    }

    [Fact]
    public void Zones_are_numbered_across_regions_in_order()
    {
        var yaml = ModelTexts.Minimal.Replace("    zones: [a, b]\n", "    zones: [a]\n  - name: r2\n    zones: [b, c]\n", StringComparison.Ordinal);

        var spec = ModelLoader.LoadText(yaml, "t.yaml");

        Assert.Equal([("a", 0, 0), ("b", 1, 1), ("c", 2, 1)], spec.Zones.Select(z => (z.Name, z.Id.Value, z.Region.Value)));
        Assert.Equal(new ZoneId(1), spec.Nodes[1].Zone);
    }

    [Fact]
    public void Link_overrides_keep_their_order_and_between_gives_both_directions()
    {
        var yaml = ModelTexts.Minimal + """
            network:
              bandwidth: unlimited
              links:
                - {between: [p, s1], latency: 'lognormal(median=1ms, p99=3ms)', bandwidth: 100Mbps}
                - {from: s2, to: p, loss: 0.01}

            """;

        var spec = ModelLoader.LoadText(yaml, "t.yaml");

        Assert.Equal(double.PositiveInfinity, spec.Network.BandwidthBytesPerSecond);
        Assert.Equal([(0, 1), (1, 0), (2, 0)], spec.Network.Overrides.Select(o => (o.From.Value, o.To.Value)));
        Assert.All(spec.Network.Overrides.Take(2), o =>
        {
            Assert.Equal(Text("lognormal(median=1ms, p99=3ms)"), o.Latency?.ToString());
            Assert.Equal(100e6 / 8, o.BandwidthBytesPerSecond);
            Assert.Null(o.LossProbability);
        });
        Assert.Equal(new LinkOverride(new NodeId(2), new NodeId(0), null, null, 0.01), spec.Network.Overrides[2]);
    }

    [Theory]
    [InlineData("on", SynchronousCommit.On)]
    [InlineData("OFF", SynchronousCommit.Off)]
    [InlineData("'Remote_Write'", SynchronousCommit.RemoteWrite)]
    [InlineData("remote_apply", SynchronousCommit.RemoteApply)]
    [InlineData("local", SynchronousCommit.Local)]
    [InlineData("true", SynchronousCommit.On)]
    [InlineData("false", SynchronousCommit.Off)]
    public void Synchronous_commit_reads_like_PostgreSQL(string text, SynchronousCommit expected)
    {
        var spec = ModelLoader.LoadText(ModelTexts.Minimal + $"replication:\n  synchronous_commit: {text}\n", "t.yaml");

        Assert.Equal(expected, spec.Replication.SynchronousCommit);
    }

    [Fact]
    public void Standby_names_match_nodes_ignoring_case_and_empty_means_none()
    {
        var quorum = ModelLoader.LoadText(ModelTexts.Minimal + "replication:\n  synchronous_standby_names: ANY 2 (S1, \"s2\")\n", "t.yaml");
        var none = ModelLoader.LoadText(ModelTexts.Minimal + "replication:\n  synchronous_standby_names: ''\n", "t.yaml");

        Assert.Equal("ANY 2 (S1, s2)", quorum.Replication.SynchronousStandbyNames?.ToString());
        Assert.Null(none.Replication.SynchronousStandbyNames);
    }

    [Fact]
    public void Semi_sync_and_storage_quorum_map_with_their_defaults()
    {
        var semiSync = ModelLoader.LoadText(ModelTexts.Minimal + "replication:\n  semi_sync: {}\n", "t.yaml");
        var storage = ModelLoader.LoadText(
            ModelTexts.Minimal.Replace("role: standby}", "role: storage}", StringComparison.Ordinal) + "replication:\n  storage_quorum: {write_quorum: 2}\n  group_commit: false\n",
            "t.yaml");

        Assert.Equal(new SemiSyncSpec(1, Duration.FromSeconds(10)), semiSync.Replication.SemiSync);
        Assert.Equal(new StorageQuorumSpec(2), storage.Replication.StorageQuorum);
        Assert.False(storage.Replication.GroupCommit);
    }

    [Fact]
    public void A_closed_loop_workload_maps_with_reads_on_replicas()
    {
        var yaml = ModelTexts.Minimal.Replace("  rate: 100\n", """
              clients: 16
              think_time: exp(mean=5ms)
              transaction_size: 8kB
              read_fraction: 0.75
              reads_on: replicas

            """, StringComparison.Ordinal);

        var workload = ModelLoader.LoadText(yaml, "t.yaml").Workload;

        Assert.Null(workload.OpenLoopRate);
        Assert.Equal(16, workload.ClosedLoop?.Clients);
        Assert.Equal(Text("exp(mean=5ms)"), workload.ClosedLoop?.ThinkTime.ToString());
        Assert.Equal(8 * 1024, workload.TransactionSize.MeanBytes);
        Assert.Equal(0.75, workload.ReadFraction);
        Assert.Equal(ReadRouting.Replicas, workload.ReadRouting);
    }

    [Fact]
    public void The_exception_carries_file_line_column_and_reason_and_prints_them_on_one_line()
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelLoader.LoadText(ModelTexts.Minimal + "replication:\n  synchronous_comit: on\n", "models/x.yaml"));

        Assert.Equal("models/x.yaml", error.File);
        Assert.Equal(12, error.Line);
        Assert.Equal(3, error.Column);
        Assert.StartsWith("unknown key 'synchronous_comit' in replication", error.Reason, StringComparison.Ordinal);
        Assert.Equal($"models/x.yaml:12:3: {error.Reason}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_reported_without_a_position()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "models", "no-such-model.yaml");

        var error = Assert.Throws<ModelLoadException>(() => ModelLoader.LoadFile(path));

        Assert.Equal((path, 0, 0), (error.File, error.Line, error.Column));
        Assert.StartsWith($"{path}: cannot read the model file: ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Needs the csproj line that embeds models/lesson.yaml as HaSim.Experiments.lesson.yaml.</summary>
    [Fact]
    public void The_embedded_default_is_the_lesson()
    {
        var embedded = ModelLoader.LoadDefault();
        var file = ModelLoader.LoadFile(LessonPath);

        Assert.Equal(file.Name, embedded.Name);
        Assert.Equal(file.Nodes, embedded.Nodes);
        Assert.Equal(file.Replication.SynchronousStandbyNames?.ToString(), embedded.Replication.SynchronousStandbyNames?.ToString());
    }

    /// <summary>A distribution's canonical text, which is how the loaded distributions are compared.</summary>
    private static string Text(string distribution) => LatencyDistribution.Parse(distribution).ToString();
}
