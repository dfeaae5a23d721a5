using HaSim.Experiments.Loading;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>
/// The fault kinds and forms that concern automatic failover: the primary's crash, agent and
/// database pauses, DCS crashes, clock drift, DCS members and clients in partitions and outages,
/// in model files and on the command line (<see cref="ModelLoader.LoadFault"/>).
/// </summary>
public sealed class FailoverFaultTests
{
    /// <summary>
    /// <see cref="ModelTexts.Minimal"/> (p in zone a, s1 and s2 in zone b) with the default failover
    /// section: DCS members etcd1 (a), etcd2 (b), etcd3 (a); clients in the primary's zone a.
    /// The faults' first line is 13.
    /// </summary>
    private static ClusterSpec Load(string faults, string failover = "failover: {}\n") =>
        ModelLoader.LoadText(ModelTexts.Minimal + failover + "faults:\n" + faults, "models/x.yaml");

    /// <summary>Without a failover section; the faults' first line is 12.</summary>
    private static ClusterSpec LoadWithoutFailover(string faults) =>
        ModelLoader.LoadText(ModelTexts.Minimal + "faults:\n" + faults, "models/x.yaml");

    /// <summary>"nodes | DCS members | clients -> nodes | DCS members | clients", by ids.</summary>
    private static string Ends(FaultSpec fault)
    {
        var p = Assert.IsType<PartitionFault>(fault);
        static string Side(IReadOnlyList<NodeId> nodes, IReadOnlyList<int> members, bool clients) =>
            $"{string.Join(",", nodes.Select(n => n.Value))} | {string.Join(",", members)} | {(clients ? "clients" : "-")}";
        return $"{Side(p.From, p.FromDcsMembers, p.FromClients)} -> {Side(p.To, p.ToDcsMembers, p.ToClients)}";
    }

    [Fact]
    public void The_primary_may_crash_with_failover()
    {
        var crash = Assert.IsType<CrashFault>(Assert.Single(Load("  - crash: p\n    at: 60s\n    for: 2m\n").Faults));

        Assert.Equal(new CrashFault(Duration.FromSeconds(60), Duration.FromSeconds(120), new NodeId(0)), crash);
    }

    [Fact]
    public void Crashes_take_a_node_or_a_node_and_a_scope()
    {
        var faults = Load("""
              - crash: p
                at: 1s
              - crash: {node: s1, scope: machine}
                at: 2s
              - crash: {node: p, scope: processes}
                at: 3s
                for: 20s
            """).Faults;

        Assert.Equal([(0, CrashScope.Machine), (1, CrashScope.Machine), (0, CrashScope.Processes)], faults.Cast<CrashFault>().Select(f => (f.Node.Value, f.Scope)));
        Assert.Equal(Duration.FromSeconds(20), faults[2].For);
    }

    [Fact]
    public void Pauses_take_a_node_or_a_node_and_a_scope()
    {
        var faults = Load("""
              - pause: p
                at: 1s
              - pause: {node: s1}
                at: 2s
              - pause: {node: p, scope: machine}
                at: 3s
              - pause: {node: p, scope: agent}
                at: 4s
                for: 20s
              - pause: {node: s2, scope: database}
                at: 5s
            """).Faults;

        Assert.Equal(
            [
                (0, PauseScope.Machine), (1, PauseScope.Machine), (0, PauseScope.Machine), (0, PauseScope.Agent), (2, PauseScope.Database),
            ],
            faults.Cast<PauseFault>().Select(f => (f.Node.Value, f.Scope)));
        Assert.Equal(Duration.FromSeconds(20), faults[3].For);
    }

    [Fact]
    public void A_machine_pause_in_mapping_form_needs_no_failover()
    {
        var pause = Assert.IsType<PauseFault>(Assert.Single(LoadWithoutFailover("  - pause: {node: p, scope: machine}\n    at: 1s\n").Faults));

        Assert.Equal(PauseScope.Machine, pause.Scope);
    }

    [Fact]
    public void Dcs_crashes_and_clock_drift_name_their_member_and_node()
    {
        var faults = Load("""
              - dcs_crash: etcd2
                at: 10s
                for: 30s
              - clock_drift: {node: s1, rate: 1.5}
                at: 20s

            """).Faults;

        Assert.Equal(new DcsMemberCrashFault(Duration.FromSeconds(10), Duration.FromSeconds(30), 1), faults[0]);
        Assert.Equal(new ClockDriftFault(Duration.FromSeconds(20), null, new NodeId(1), 1.5), faults[1]);
    }

    [Fact]
    public void Named_dcs_members_are_referred_to_by_their_names()
    {
        var spec = Load("  - dcs_crash: east\n    at: 1s\n", "failover:\n  dcs:\n    members: [{name: west, zone: a}, {name: east, zone: b}]\n");

        Assert.Equal(1, Assert.IsType<DcsMemberCrashFault>(Assert.Single(spec.Faults)).Member);
    }

    [Fact]
    public void Partition_groups_may_hold_dcs_members_and_the_clients()
    {
        var faults = Load("  - partition: [[p, etcd1], [s1, etcd2, clients], [etcd3]]\n    at: 1s\n").Faults;

        Assert.Equal(
            [
                "0 | 0 | - -> 1 | 1 | clients",
                "0 | 0 | - ->  | 2 | -",
                "1 | 1 | clients -> 0 | 0 | -",
                "1 | 1 | clients ->  | 2 | -",
                " | 2 | - -> 0 | 0 | -",
                " | 2 | - -> 1 | 1 | clients",
            ],
            faults.Select(Ends));
    }

    [Fact]
    public void One_way_partitions_may_hold_dcs_members_and_the_clients()
    {
        var fault = Assert.Single(Load("  - partition: {from: [clients], to: [p, etcd3, etcd1]}\n    at: 1s\n").Faults);

        Assert.Equal(" |  | clients -> 0 | 2,0 | -", Ends(fault));
    }

    [Fact]
    public void A_zone_outage_isolates_the_zones_dcs_members_and_clients_too()
    {
        var faults = Load("  - zone_outage: a\n    at: 1s\n    for: 10s\n").Faults;

        Assert.Equal(["0 | 0,2 | clients -> 1,2 | 1 | -", "1,2 | 1 | - -> 0 | 0,2 | clients"], faults.Select(Ends));
    }

    [Fact]
    public void Clients_elsewhere_stay_outside_a_zone_outage()
    {
        var faults = Load("  - zone_outage: a\n    at: 1s\n", "failover:\n  clients: {zone: b}\n").Faults;

        Assert.Equal(["0 | 0,2 | - -> 1,2 | 1 | clients", "1,2 | 1 | clients -> 0 | 0,2 | -"], faults.Select(Ends));
    }

    [Fact]
    public void A_region_outage_takes_everything_in_the_region()
    {
        var faults = Load("  - region_outage: r1\n    at: 1s\n").Faults;

        Assert.Equal(["0,1,2 | 0,1,2 | clients ->  |  | -", " |  | - -> 0,1,2 | 0,1,2 | clients"], faults.Select(Ends));
    }

    [Fact]
    public void Without_failover_outages_cut_only_nodes()
    {
        var faults = LoadWithoutFailover("  - zone_outage: a\n    at: 1s\n").Faults;

        Assert.Equal(["0 |  | - -> 1,2 |  | -", "1,2 |  | - -> 0 |  | -"], faults.Select(Ends));
    }

    [Theory]
    // without a failover section (faults from line 12)
    [InlineData(false, "  - pause: {node: p, scope: agent}\n    at: 1s\n", 12, 29, "faults[0].pause.scope: scope agent needs a failover section")]
    [InlineData(false, "  - pause: {node: s1, scope: database}\n    at: 1s\n", 12, 30, "scope database needs a failover section")]
    [InlineData(false, "  - crash: {node: s1, scope: processes}\n    at: 1s\n", 12, 30, "faults[0].crash.scope: scope processes needs a failover section")]
    [InlineData(false, "  - dcs_crash: etcd1\n    at: 1s\n", 12, 16, "faults[0].dcs_crash: dcs_crash needs a failover section: without one the model has no DCS")]
    [InlineData(false, "  - clock_drift: {node: p, rate: 2}\n    at: 1s\n", 12, 18, "faults[0].clock_drift: clock_drift needs a failover section")]
    [InlineData(false, "  - partition: [[p], [clients]]\n    at: 1s\n", 12, 23, "faults[0].partition[1][0]: 'clients' in a partition needs a failover section")]
    [InlineData(false, "  - partition: [[p], [etcd1]]\n    at: 1s\n", 12, 23, "faults[0].partition[1][0]: unknown node 'etcd1'; nodes: p, s1, s2")]
    // with one (faults from line 13)
    [InlineData(true, "  - pause: {node: p, scope: vm}\n    at: 1s\n", 13, 29, "faults[0].pause.scope: unknown pause scope 'vm'; allowed: machine, agent, database")]
    [InlineData(true, "  - crash: {node: p, scope: vm}\n    at: 1s\n", 13, 29, "faults[0].crash.scope: unknown crash scope 'vm'; allowed: machine, processes")]
    [InlineData(true, "  - pause: {scope: agent}\n    at: 1s\n", 13, 12, "faults[0].pause: missing key 'node'; required keys: node")]
    [InlineData(true, "  - dcs_crash: etcd4\n    at: 1s\n", 13, 16, "faults[0].dcs_crash: unknown DCS member 'etcd4' (did you mean 'etcd1'?); DCS members: etcd1, etcd2, etcd3")]
    [InlineData(true, "  - dcs_crash: s1\n    at: 1s\n", 13, 16, "faults[0].dcs_crash: 's1' is a database node, not a DCS member; DCS members: etcd1, etcd2, etcd3")]
    [InlineData(true, "  - disk_stall: etcd1\n    at: 1s\n", 13, 17, "faults[0].disk_stall: 'etcd1' is a DCS member, not a database node; nodes: p, s1, s2")]
    [InlineData(true, "  - clock_drift: {node: p, rate: 0}\n    at: 1s\n", 13, 34, "faults[0].clock_drift.rate: expected a number > 0, found 0")]
    [InlineData(true, "  - clock_drift: {node: p}\n    at: 1s\n", 13, 18, "faults[0].clock_drift: missing key 'rate'; required keys: node, rate")]
    [InlineData(true, "  - clock_drift: {node: etcd1, rate: 2}\n    at: 1s\n", 13, 25, "faults[0].clock_drift.node: 'etcd1' is a DCS member, not a database node")]
    [InlineData(true, "  - partition: [[p, etcd1], [etcd1]]\n    at: 1s\n", 13, 16, "faults[0].partition: DCS member 'etcd1' is in two groups")]
    [InlineData(true, "  - partition: [[p, clients], [clients]]\n    at: 1s\n", 13, 16, "faults[0].partition: 'clients' is in two groups")]
    [InlineData(true, "  - partition: [[p, clients, clients], [s1]]\n    at: 1s\n", 13, 30, "faults[0].partition[0][2]: 'clients' is listed twice")]
    [InlineData(true, "  - partition: [[p, etcd2, etcd2], [s1]]\n    at: 1s\n", 13, 28, "faults[0].partition[0][2]: DCS member 'etcd2' is listed twice")]
    [InlineData(true, "  - partition: [[p], [etc1]]\n    at: 1s\n", 13, 23, "unknown name 'etc1' (did you mean 'etcd1'?); nodes: p, s1, s2; DCS members: etcd1, etcd2, etcd3; or clients")]
    [InlineData(true, "  - partition: {from: [client], to: [p]}\n    at: 1s\n", 13, 24, "faults[0].partition.from[0]: unknown name 'client' (did you mean 'clients'?)")]
    public void Mistakes_name_their_place(bool withFailover, string faults, int line, int column, string fragment)
    {
        var error = Assert.Throws<ModelLoadException>(() => withFailover ? Load(faults) : LoadWithoutFailover(faults));

        Assert.True(
            (error.Line, error.Column) == (line, column) && error.Message.Contains(fragment, StringComparison.Ordinal),
            $"expected {line}:{column} with '{fragment}', got {error.Message}");
    }

    [Fact]
    public void Command_line_faults_know_the_dcs_members_and_the_clients()
    {
        var spec = ModelLoader.LoadText(ModelTexts.Minimal + "failover:\n  clients: {zone: b}\n", "models/x.yaml");

        Assert.Equal(new DcsMemberCrashFault(Duration.FromSeconds(20), Duration.FromSeconds(10), 1),
            Assert.Single(ModelLoader.LoadFault(spec, "{dcs_crash: etcd2, at: 20s, for: 10s}", "--fault #1")));
        Assert.Equal(new CrashFault(Duration.FromSeconds(5), null, new NodeId(0)),
            Assert.Single(ModelLoader.LoadFault(spec, "{crash: p, at: 5s}", "--fault #2")));
        Assert.Equal(new PauseFault(Duration.FromSeconds(5), null, new NodeId(0), PauseScope.Agent),
            Assert.Single(ModelLoader.LoadFault(spec, "{pause: {node: p, scope: agent}, at: 5s}", "--fault #3")));
        Assert.Equal(new ClockDriftFault(Duration.FromSeconds(5), null, new NodeId(2), 0.5),
            Assert.Single(ModelLoader.LoadFault(spec, "{clock_drift: {node: s2, rate: 0.5}, at: 5s}", "--fault #4")));
        Assert.Equal([" |  | clients -> 0 | 0,2 | -", "0 | 0,2 | - ->  |  | clients"],
            ModelLoader.LoadFault(spec, "{partition: [[clients], [p, etcd1, etcd3]], at: 5s}", "--fault #5").Select(Ends));
        // The clients run in zone b here, so an outage of b takes them along.
        Assert.Equal(["1,2 | 1 | clients -> 0 | 0,2 | -", "0 | 0,2 | - -> 1,2 | 1 | clients"],
            ModelLoader.LoadFault(spec, "{zone_outage: b, at: 5s}", "--fault #6").Select(Ends));
    }

    [Fact]
    public void Command_line_faults_that_need_failover_say_so_against_a_model_without_it()
    {
        var spec = ModelLoader.LoadText(ModelTexts.Minimal, "models/x.yaml");

        var error = Assert.Throws<ModelLoadException>(() => ModelLoader.LoadFault(spec, "{dcs_crash: etcd2, at: 20s}", "--fault #1"));

        Assert.Equal("--fault #1:1:13: dcs_crash: dcs_crash needs a failover section: without one the model has no DCS", error.Message);
        Assert.Contains("add a failover section",
            Assert.Throws<ModelLoadException>(() => ModelLoader.LoadFault(spec, "{crash: p, at: 5s}", "--fault #2")).Message, StringComparison.Ordinal);
    }
}
