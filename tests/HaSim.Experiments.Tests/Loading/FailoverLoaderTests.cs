using HaSim.Experiments.Loading;
using HaSim.Failover;
using HaSim.Kernel.Distributions;
using HaSim.Model.Dcs;
using HaSim.Model.Routing;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>The <c>failover</c> section: every key into <see cref="FailoverSpec"/>, its defaults, and its checks.</summary>
public sealed class FailoverLoaderTests
{
    private const string Source = "models/x.yaml";

    /// <summary>The lesson's topology with every key of the section set to something other than its default.</summary>
    internal const string Full = """
        name: full
        regions:
          - name: us-east-1
            zones: [use1-az1, use1-az2, use1-az3]
        nodes:
          - {name: pg1, zone: use1-az1, role: primary}
          - {name: pg2, zone: use1-az2, role: standby}
          - {name: pg3, zone: use1-az3, role: standby}
        workload:
          rate: 200
        failover:
          scope: prod
          ttl: 20s
          loop_wait: 5s
          retry_timeout: 7s
          maximum_lag_on_failover: 16MB
          check_timeline: true
          primary_start_timeout: 0s
          synchronous_mode: strict
          synchronous_node_count: 2
          failsafe_mode: true
          enforce_timing_rule: false
          unsafe_disable_fencing: true
          watchdog:
            mode: required
            safety_margin: -1
            device: false
          tags:
            pg3: { nofailover: true, failover_priority: 0, nosync: true, sync_priority: 0 }
            pg2: { failover_priority: 7 }
          dcs:
            members: [{name: e-a, zone: use1-az2}, use1-az1]
            heartbeat_interval: 50ms
            election_timeout: 500ms
            wait_cluster_ready_timeout: none
            request_timeout: 3s
          database:
            promote: 250ms
            fast_stop: exp(mean=2s)
            immediate_stop: 50ms
            start: lognormal(median=3s, p99=10s)
            rewind: 20s
          health_check:
            inter: 1s
            fastinter: 500ms
            downinter: 4s
            rise: 1
            fall: 2
            timeout_check: none
            timeout_connect: 2s
            on_marked_down_shutdown_sessions: false
            init_state: fully-down
            balance: roundrobin
          clients:
            zone: use1-az3
            request_timeout: 10s
            retry: { backoff_base: 50ms, backoff_cap: 2s, multiplier: 1.5, max_attempts: 10, deadline: none }

        """;

    private static ClusterSpec Load(string yaml) => ModelLoader.LoadText(yaml, Source);

    /// <summary><see cref="ModelTexts.Minimal"/> with a failover section whose body starts on line 12.</summary>
    private static string WithFailover(string body) => ModelTexts.Minimal + "failover:\n" + body;

    [Fact]
    public void Every_key_maps_into_the_spec()
    {
        var failover = Load(Full).Failover!;

        Assert.Equal("prod", failover.Scope);
        var settings = failover.Settings;
        Assert.Equal(Duration.FromSeconds(20), settings.Ttl);
        Assert.Equal(Duration.FromSeconds(5), settings.LoopWait);
        Assert.Equal(Duration.FromSeconds(7), settings.RetryTimeout);
        Assert.Equal(16L * 1024 * 1024, settings.MaximumLagOnFailover);
        Assert.True(settings.CheckTimeline);
        Assert.Equal(Duration.Zero, settings.PrimaryStartTimeout);
        Assert.Equal(SynchronousMode.On, settings.SynchronousMode);
        Assert.True(settings.SynchronousModeStrict);
        Assert.Equal(2, settings.SynchronousNodeCount);
        Assert.True(settings.FailsafeMode);
        Assert.False(settings.EnforceTimingRule);
        Assert.True(settings.UnsafeDisableFencing);
        Assert.Equal(WatchdogMode.Required, settings.WatchdogMode);
        Assert.True(settings.WatchdogSafetyMargin.IsNegative);
        Assert.False(failover.WatchdogDevice);
        // Per-node tags live in Tags; the shared settings keep the neutral defaults.
        Assert.Equal((false, 1, false, 1), (settings.NoFailover, settings.FailoverPriority, settings.NoSync, settings.SyncPriority));

        Assert.Equal(
            [MemberTags.Default, new MemberTags(FailoverPriority: 7), new MemberTags(NoFailover: true, FailoverPriority: 0, NoSync: true, SyncPriority: 0)],
            failover.Tags);

        Assert.Equal([new DcsMember(0, "e-a", new ZoneId(1)), new DcsMember(1, "etcd2", new ZoneId(0))], failover.Dcs.Members);
        Assert.Equal((Duration.FromMilliseconds(50), Duration.FromMilliseconds(500)), (failover.Dcs.Raft.HeartbeatInterval, failover.Dcs.Raft.ElectionTimeout));
        Assert.Null(failover.Dcs.Raft.WaitClusterReadyTimeout); // none: etcd 3.5's wait for ever
        Assert.Equal(Duration.FromSeconds(3), failover.Dcs.RequestTimeout);

        Assert.Equal(Text("250ms"), failover.Database.Promote.ToString());
        Assert.Equal(Text("exp(mean=2s)"), failover.Database.FastStop.ToString());
        Assert.Equal(Text("50ms"), failover.Database.ImmediateStop.ToString());
        Assert.Equal(Text("lognormal(median=3s, p99=10s)"), failover.Database.Start.ToString());
        Assert.Equal(Text("20s"), failover.Database.Rewind.ToString());

        Assert.Equal(
            new HealthCheckSettings
            {
                Inter = Duration.FromSeconds(1),
                FastInter = Duration.FromMilliseconds(500),
                DownInter = Duration.FromSeconds(4),
                Rise = 1,
                Fall = 2,
                TimeoutCheck = null,
                TimeoutConnect = Duration.FromSeconds(2),
                OnMarkedDownShutdownSessions = false,
                InitState = ServerInitState.FullyDown,
                Balance = BalanceAlgorithm.RoundRobin,
            },
            failover.HealthCheck);

        Assert.Equal(new ZoneId(2), failover.Clients.Zone);
        Assert.Equal(Duration.FromSeconds(10), failover.Clients.RequestTimeout);
        Assert.Equal(
            new RetryPolicy { BackoffBase = Duration.FromMilliseconds(50), BackoffCap = Duration.FromSeconds(2), Multiplier = 1.5, MaxAttempts = 10, Deadline = null },
            failover.Clients.Retry);
    }

    [Fact]
    public void An_empty_section_takes_Patroni_etcd_and_HAProxy_defaults()
    {
        var failover = Load(ModelTexts.Minimal + "failover: {}\n").Failover!;

        Assert.Equal(new FailoverSettings(), failover.Settings);
        Assert.Equal("hasim", failover.Scope);
        Assert.Equal([MemberTags.Default, MemberTags.Default, MemberTags.Default], failover.Tags);
        // Three members, round-robin over the primary's region's zones (a, b): a, b, a.
        Assert.Equal(
            [new DcsMember(0, "etcd1", new ZoneId(0)), new DcsMember(1, "etcd2", new ZoneId(1)), new DcsMember(2, "etcd3", new ZoneId(0))],
            failover.Dcs.Members);
        Assert.Same(RaftSettings.EtcdDefaults, failover.Dcs.Raft);
        Assert.Equal(Duration.FromSeconds(2), failover.Dcs.RequestTimeout);
        Assert.Same(DatabaseTimings.Defaults, failover.Database);
        Assert.Equal(HealthCheckSettings.PatroniTemplate, failover.HealthCheck);
        Assert.Equal(new ZoneId(0), failover.Clients.Zone); // the primary's
        Assert.Equal(new RetryPolicy(), failover.Clients.Retry);
        Assert.Equal(Duration.FromSeconds(30), failover.Clients.RequestTimeout);
        Assert.True(failover.WatchdogDevice);
        Assert.Equal(WatchdogMode.Automatic, failover.Settings.WatchdogMode);
        Assert.Equal(Duration.FromSeconds(5), failover.Settings.WatchdogSafetyMargin);
        Assert.Equal(FailoverAgent.Patroni, failover.Agent);
        Assert.Equal(new NaiveScriptSettings(), failover.NaiveScript);
        Assert.True(failover.Settings.EnforceTimingRule);
        Assert.False(failover.Settings.UnsafeDisableFencing);
        Assert.Equal(BalanceAlgorithm.First, failover.HealthCheck.Balance);
    }

    [Fact]
    public void The_naive_script_reads_its_heartbeats_and_has_no_DCS()
    {
        var failover = Load(WithFailover("""
              agent: naive-script
              heartbeat_interval: 500ms
              heartbeat_timeout: 5s
              tags:
                s2: { failover_priority: 3 }
              health_check: { balance: roundrobin }

            """) + "faults:\n  - {partition: [[p], [s1, s2]], at: 10s, for: 20s}\n").Failover!;

        Assert.Equal(FailoverAgent.NaiveScript, failover.Agent);
        Assert.Equal(new NaiveScriptSettings { HeartbeatInterval = Duration.FromMilliseconds(500), HeartbeatTimeout = Duration.FromSeconds(5) }, failover.NaiveScript);
        Assert.Empty(failover.Dcs.Members);
        Assert.Equal(3, failover.Tags[2].FailoverPriority);
        Assert.Equal(Duration.FromMilliseconds(500), failover.AgentPeriod);
        Assert.Equal(new NaiveScriptSettings(), Load(WithFailover("  agent: naive-script\n")).Failover!.NaiveScript);
    }

    [Theory]
    [InlineData("0s", "0s")]
    [InlineData("2.5s", "2.5s")]
    public void The_wait_for_the_etcd_cluster_is_read_with_the_other_raft_settings_at_their_defaults(string text, string expected)
    {
        var raft = Load(WithFailover($"  dcs:\n    wait_cluster_ready_timeout: {text}\n")).Failover!.Dcs.Raft;

        Assert.Equal(Duration.Parse(expected), raft.WaitClusterReadyTimeout);
        Assert.Equal((RaftSettings.EtcdDefaults.HeartbeatInterval, RaftSettings.EtcdDefaults.ElectionTimeout), (raft.HeartbeatInterval, raft.ElectionTimeout));
        Assert.Equal(Duration.FromSeconds(5), RaftSettings.EtcdDefaults.WaitClusterReadyTimeout);
    }

    [Fact]
    public void Without_the_section_the_primary_is_fixed()
    {
        Assert.Null(Load(ModelTexts.Minimal).Failover);
    }

    [Fact]
    public void Values_are_taken_as_written_without_Patroni_adjustments()
    {
        // Patroni would raise ttl to 20s and lower loop_wait; the controller does that itself, with warnings.
        var settings = Load(WithFailover("  ttl: 10s\n  loop_wait: 500ms\n  retry_timeout: 1s\n")).Failover!.Settings;

        Assert.Equal((Duration.FromSeconds(10), Duration.FromMilliseconds(500), Duration.FromSeconds(1)), (settings.Ttl, settings.LoopWait, settings.RetryTimeout));
        Assert.NotEmpty(settings.Adjust().Warnings);
    }

    [Theory]
    [InlineData("off", SynchronousMode.Off, false)]
    [InlineData("on", SynchronousMode.On, false)]
    [InlineData("strict", SynchronousMode.On, true)]
    [InlineData("true", SynchronousMode.On, false)]
    [InlineData("false", SynchronousMode.Off, false)]
    [InlineData("On", SynchronousMode.On, false)]
    [InlineData("on\n  synchronous_mode_strict: true", SynchronousMode.On, true)]
    [InlineData("on\n  synchronous_mode_strict: false", SynchronousMode.On, false)]
    public void Synchronous_mode_reads_Patroni_values(string text, SynchronousMode mode, bool strict)
    {
        var settings = Load(WithFailover($"  synchronous_mode: {text}\n")).Failover!.Settings;

        Assert.Equal((mode, strict), (settings.SynchronousMode, settings.SynchronousModeStrict));
    }

    [Fact]
    public void Synchronous_mode_allows_an_empty_synchronous_standby_names()
    {
        var spec = Load(WithFailover("  synchronous_mode: on\n") + "replication:\n  synchronous_standby_names: ''\n");

        Assert.Equal(SynchronousMode.On, spec.Failover!.Settings.SynchronousMode);
        Assert.Null(spec.Replication.SynchronousStandbyNames);
    }

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("0", 0L)]
    [InlineData("1MB", 1048576L)]
    [InlineData("512kB", 524288L)]
    public void Maximum_lag_is_a_size_or_a_number_of_bytes(string text, long bytes)
    {
        Assert.Equal(bytes, Load(WithFailover($"  maximum_lag_on_failover: {text}\n")).Failover!.Settings.MaximumLagOnFailover);
    }

    [Theory]
    [InlineData("{mode: off}", WatchdogMode.Off, 5, true)]
    [InlineData("{mode: false}", WatchdogMode.Off, 5, true)]
    [InlineData("{mode: auto, safety_margin: 0s}", WatchdogMode.Automatic, 0, true)]
    [InlineData("{mode: require, device: /dev/watchdog}", WatchdogMode.Required, 5, true)]
    [InlineData("{safety_margin: 10s, device: false}", WatchdogMode.Automatic, 10, false)]
    public void Watchdog_reads_Patroni_spellings(string text, WatchdogMode mode, int marginSeconds, bool device)
    {
        var failover = Load(WithFailover($"  watchdog: {text}\n")).Failover!;

        Assert.Equal((mode, Duration.FromSeconds(marginSeconds), device), (failover.Settings.WatchdogMode, failover.Settings.WatchdogSafetyMargin, failover.WatchdogDevice));
    }

    [Fact]
    public void Health_check_keys_override_the_template_one_by_one()
    {
        var health = Load(WithFailover("  health_check: {fall: 5}\n")).Failover!.HealthCheck;

        Assert.Equal(HealthCheckSettings.PatroniTemplate with { Fall = 5 }, health);
    }

    public static TheoryData<string, string, int, int, string> Errors() => new()
    {
        // the section and its keys
        { "not a mapping", ModelTexts.Minimal + "failover: [ttl]\n", 11, 11, "failover: expected a mapping, found a list; allowed keys: scope, ttl, loop_wait," },
        { "misspelt key", WithFailover("  loop_wiat: 10s\n"), 12, 3, "unknown key 'loop_wiat' in failover (did you mean 'loop_wait'?); allowed keys: scope, ttl," },
        { "zero ttl", WithFailover("  ttl: 0s\n"), 12, 8, "failover.ttl: expected a duration greater than 0s, found 0s" },
        { "ttl without unit", WithFailover("  ttl: 30\n"), 12, 8, "failover.ttl: expected a duration with a unit" },
        { "negative primary_start_timeout", WithFailover("  primary_start_timeout: -1s\n"), 12, 26, "failover.primary_start_timeout: expected a duration of 0s or more, found -1s" },
        { "maximum lag with a bad unit", WithFailover("  maximum_lag_on_failover: 1M\n"), 12, 28, "failover.maximum_lag_on_failover: '1M' has an unknown unit 'M'" },
        { "negative maximum lag", WithFailover("  maximum_lag_on_failover: -1\n"), 12, 28, "failover.maximum_lag_on_failover: expected a whole number >= 0, found -1" },
        { "quorum mode", WithFailover("  synchronous_mode: quorum\n"), 12, 21, "failover.synchronous_mode: Patroni's quorum mode is not simulated; use on or strict (or off)" },
        { "misspelt synchronous mode", WithFailover("  synchronous_mode: stritc\n"), 12, 21, "failover.synchronous_mode: unknown synchronous_mode 'stritc' (did you mean 'strict'?); allowed: off, on, strict, true, false" },
        { "strict flag without synchronous mode", WithFailover("  synchronous_mode_strict: true\n"), 12, 28, "failover.synchronous_mode_strict: synchronous_mode_strict applies only with synchronous_mode on" },
        { "strict flag contradicting strict", WithFailover("  synchronous_mode: strict\n  synchronous_mode_strict: false\n"), 13, 28, "failover.synchronous_mode_strict: contradicts synchronous_mode: strict" },
        { "zero synchronous nodes", WithFailover("  synchronous_node_count: 0\n"), 12, 27, "failover.synchronous_node_count: expected a whole number >= 1, found 0" },
        { "failsafe as a word", WithFailover("  failsafe_mode: on\n"), 12, 18, "failover.failsafe_mode: expected true or false, found 'on'" },
        { "fencing switch as a number", WithFailover("  unsafe_disable_fencing: 1\n"), 12, 27, "failover.unsafe_disable_fencing: expected true or false, found the number 1" },
        { "timing rule as a word", WithFailover("  enforce_timing_rule: no\n"), 12, 24, "failover.enforce_timing_rule: expected true or false, found 'no'" },

        // watchdog
        { "misspelt watchdog mode", WithFailover("  watchdog: {mode: automatc}\n"), 12, 20, "failover.watchdog.mode: unknown watchdog mode 'automatc' (did you mean 'automatic'?)" },
        { "safety margin of ttl", WithFailover("  ttl: 20s\n  watchdog: {safety_margin: 20s}\n"), 13, 29, "failover.watchdog.safety_margin: safety_margin 20s must be less than ttl (20s)" },
        { "safety margin of -2", WithFailover("  watchdog: {safety_margin: -2}\n"), 12, 29, "failover.watchdog.safety_margin: expected a duration of 0s or more (such as 5s), or -1 for ttl / 2, found the number -2" },
        { "watchdog device as a number", WithFailover("  watchdog: {device: 1}\n"), 12, 22, "failover.watchdog.device: expected true, false or a device path such as /dev/watchdog, found the number 1" },

        // tags
        { "tags for an unknown node", WithFailover("  tags:\n    s3: {nofailover: true}\n"), 13, 5, "failover.tags: unknown node 's3' (did you mean 's1'?); nodes: p, s1, s2" },
        { "tags for a name that is no node", WithFailover("  tags:\n    etcd1: {nofailover: true}\n"), 13, 5, "failover.tags: unknown node 'etcd1'; nodes: p, s1, s2" },
        { "tags as a list", WithFailover("  tags: [s1]\n"), 12, 9, "failover.tags: expected a mapping from node names to their tags, found a list" },
        { "unknown tag", WithFailover("  tags:\n    s1: {noloadbalance: true}\n"), 13, 10, "unknown key 'noloadbalance' in failover.tags.s1; allowed keys: nofailover, failover_priority, nosync, sync_priority" },
        { "negative failover priority", WithFailover("  tags:\n    s1: {failover_priority: -1}\n"), 13, 29, "failover.tags.s1.failover_priority: expected a whole number >= 0, found -1" },

        // dcs
        { "dcs member in an unknown zone", WithFailover("  dcs:\n    members: [a, c]\n"), 13, 18, "failover.dcs.members[1]: unknown zone 'c' (did you mean 'a'?); zones defined under regions: a, b" },
        { "dcs member named like a node", WithFailover("  dcs:\n    members: [{name: S1, zone: a}]\n"), 13, 22, "failover.dcs.members[0].name: DCS member name 'S1' is also the name of node 's1'" },
        { "duplicate dcs member", WithFailover("  dcs:\n    members: [{name: e, zone: a}, {name: E, zone: b}]\n"), 13, 42, "failover.dcs.members[1].name: duplicate DCS member name 'E' (the same as 'e'); DCS member names must be unique, ignoring case" },
        { "shorthand name taken", WithFailover("  dcs:\n    members: [{name: etcd2, zone: a}, b]\n"), 13, 39, "failover.dcs.members[1]: the default DCS member name 'etcd2' (etcd and the member's position) is already taken by an earlier member; name the members with dcs.members: [{name: ..., zone: ...}, ...]" },
        { "dcs member named clients", WithFailover("  dcs:\n    members: [{name: clients, zone: a}]\n"), 13, 22, "failover.dcs.members[0].name: DCS member name 'clients' is reserved" },
        { "default member name is a node's", ModelTexts.Minimal.Replace("name: s2,", "name: etcd3,", StringComparison.Ordinal) + "failover: {}\n", 11, 11, "failover: the default DCS member name 'etcd3' (etcd and the member's position) is also the name of node 'etcd3'; faults name nodes and DCS members alike" },
        { "empty member list", WithFailover("  dcs:\n    members: []\n"), 13, 14, "failover.dcs.members: expected at least one DCS member, found an empty list" },
        { "heartbeat too long for the default election timeout", WithFailover("  dcs:\n    heartbeat_interval: 300ms\n"), 13, 25, "failover.dcs.heartbeat_interval: election_timeout (1s) must be at least 5 x heartbeat_interval (300ms), as etcd requires; election_timeout is 1s by default" },
        { "election timeout too short", WithFailover("  dcs:\n    election_timeout: 400ms\n"), 13, 23, "failover.dcs.election_timeout: election_timeout (400ms) must be at least 5 x heartbeat_interval (100ms), as etcd requires" },
        { "negative wait for the cluster", WithFailover("  dcs:\n    wait_cluster_ready_timeout: -1s\n"), 13, 33, "failover.dcs.wait_cluster_ready_timeout: expected a duration of 0s or more, found -1s" },
        { "wait for the cluster as a word", WithFailover("  dcs:\n    wait_cluster_ready_timeout: forever\n"), 13, 33, "failover.dcs.wait_cluster_ready_timeout: 'forever' is not a duration with a unit, such as 250us, 1.5ms, 30s, 2m, 1h or 1m30s (units: ns, us, ms, s, m, h), or none" },

        // the agent
        { "misspelt agent", WithFailover("  agent: naive_script\n"), 12, 10, "failover.agent: unknown failover agent 'naive_script' (did you mean 'naive-script'?); allowed: patroni, naive-script" },
        { "Patroni's ttl with the naive script", WithFailover("  agent: naive-script\n  ttl: 30s\n"), 13, 8, "failover.ttl: ttl configures Patroni and its DCS; the naive script (failover.agent, line 12) has neither: remove ttl, or use agent: patroni" },
        { "a DCS with the naive script", WithFailover("  dcs: {members: [a]}\n  agent: naive-script\n"), 12, 8, "failover.dcs: dcs configures Patroni and its DCS; the naive script (failover.agent, line 13) has neither" },
        { "heartbeat with Patroni by default", WithFailover("  heartbeat_timeout: 5s\n"), 12, 22, "failover.heartbeat_timeout: heartbeat_timeout applies only with agent: naive-script; the agent here is patroni (the default)" },
        { "heartbeat with Patroni named", WithFailover("  agent: patroni\n  heartbeat_interval: 2s\n"), 13, 23, "failover.heartbeat_interval: heartbeat_interval applies only with agent: naive-script; the agent here is patroni (failover.agent, line 12)" },
        { "heartbeat timeout below the interval", WithFailover("  agent: naive-script\n  heartbeat_interval: 2s\n  heartbeat_timeout: 1s\n"), 14, 22, "failover.heartbeat_timeout: heartbeat_timeout (1s) must be at least heartbeat_interval (2s): silence is only noticed at a heartbeat" },
        { "heartbeat interval above the default timeout", WithFailover("  agent: naive-script\n  heartbeat_interval: 20s\n"), 13, 23, "failover.heartbeat_interval: heartbeat_timeout (10s) must be at least heartbeat_interval (20s): silence is only noticed at a heartbeat; heartbeat_timeout is 10s by default" },
        { "zero heartbeat interval", WithFailover("  agent: naive-script\n  heartbeat_interval: 0s\n"), 13, 23, "failover.heartbeat_interval: expected a duration greater than 0s, found 0s" },
        { "DCS crash without a DCS", WithFailover("  agent: naive-script\n") + "faults:\n  - {dcs_crash: etcd1, at: 1s}\n", 14, 17, "dcs_crash needs a DCS, and this model has none: failover.agent naive-script uses no DCS" },
        { "partition naming a DCS member without a DCS", WithFailover("  agent: naive-script\n") + "faults:\n  - {partition: [[p, etcd1], [s1]], at: 1s}\n", 14, 22, "unknown name 'etcd1'" },

        // database, health checks, clients
        { "database distribution", WithFailover("  database:\n    promote: exp(meen=1ms)\n"), 13, 18, "failover.database.promote: at column 5 of the distribution: unknown parameter 'meen' for exp" },
        { "zero rise", WithFailover("  health_check: {rise: 0}\n"), 12, 24, "failover.health_check.rise: expected a whole number >= 1, found 0" },
        { "init_state with an underscore", WithFailover("  health_check: {init_state: fully_up}\n"), 12, 30, "failover.health_check.init_state: unknown init_state 'fully_up' (did you mean 'fully-up'?); allowed: up, fully-up, down, fully-down" },
        { "misspelt balance", WithFailover("  health_check: {balance: round-robin}\n"), 12, 27, "failover.health_check.balance: unknown balance algorithm 'round-robin' (did you mean 'roundrobin'?); allowed: first, roundrobin" },
        { "timeout_check as a word", WithFailover("  health_check: {timeout_check: never}\n"), 12, 33, "failover.health_check.timeout_check: 'never' is not a duration with a unit" },
        { "clients in an unknown zone", WithFailover("  clients: {zone: c}\n"), 12, 19, "failover.clients.zone: unknown zone 'c'" },
        { "backoff base above the default cap", WithFailover("  clients:\n    retry: {backoff_base: 10s}\n"), 13, 27, "failover.clients.retry.backoff_base: backoff cap (5s) must not be below the base (10s)" },
        { "backoff cap below the base", WithFailover("  clients:\n    retry: {backoff_base: 2s, backoff_cap: 1s}\n"), 13, 44, "failover.clients.retry.backoff_cap: backoff cap (1s) must not be below the base (2s)" },
        { "multiplier below one", WithFailover("  clients:\n    retry: {multiplier: 0.5}\n"), 13, 25, "failover.clients.retry.multiplier: expected a number >= 1, found 0.5" },
        { "deadline as a number", WithFailover("  clients:\n    retry: {deadline: 0}\n"), 13, 23, "failover.clients.retry.deadline: expected a duration with a unit, such as 250us, 1.5ms, 30s, 2m, 1h or 1m30s (units: ns, us, ms, s, m, h), or none, found the number 0" },

        // across sections
        {
            "with a storage quorum",
            ModelTexts.Minimal.Replace("role: standby}", "role: storage}", StringComparison.Ordinal) + "replication:\n  storage_quorum: {write_quorum: 1}\nfailover: {}\n",
            12, 19, "replication.storage_quorum: cannot be combined with failover: automatic failover is simulated for PostgreSQL streaming replication only; remove storage_quorum or the failover section"
        },
        { "with semi-sync", ModelTexts.Minimal + "replication:\n  semi_sync: {}\nfailover: {}\n", 12, 14, "replication.semi_sync: cannot be combined with failover: automatic failover is simulated for PostgreSQL streaming replication only" },
        {
            "synchronous mode with synchronous_standby_names",
            ModelTexts.Minimal + "replication:\n  synchronous_standby_names: 'FIRST 1 (s1)'\nfailover:\n  synchronous_mode: on\n",
            12, 30, "replication.synchronous_standby_names: with synchronous_mode on (failover.synchronous_mode, line 14) Patroni manages synchronous_standby_names; remove it from replication"
        },
        {
            "strict mode with synchronous_standby_names",
            ModelTexts.Minimal + "failover:\n  synchronous_mode: strict\nreplication:\n  synchronous_standby_names: s1\n",
            14, 30, "with synchronous_mode strict (failover.synchronous_mode, line 12) Patroni manages synchronous_standby_names"
        },
        { "a node named clients", ModelTexts.Minimal.Replace("name: s2,", "name: clients,", StringComparison.Ordinal) + "failover:\n  ttl: 30s\n", 12, 3, "failover: node 'clients' has a name reserved with failover" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_wrong_failover_section_is_reported_at_the_offending_node(string problem, string yaml, int line, int column, string reason)
    {
        var error = Assert.Throws<ModelLoadException>(() => Load(yaml));

        Assert.True(
            error.Line == line && error.Column == column && error.Reason.Contains(reason, StringComparison.Ordinal),
            $"{problem}: expected {line}:{column} with '{reason}', got {error.Message}");
    }

    [Fact]
    public void Failover_is_read_after_the_workload()
    {
        // Both sections are wrong; the workload comes first in reading order.
        var error = Assert.Throws<ModelLoadException>(() => Load(ModelTexts.Minimal.Replace("rate: 100", "rate: 0", StringComparison.Ordinal) + "failover: {ttl: 0s}\n"));

        Assert.Equal((10, 9), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("failover-crash-async.yaml", SynchronousMode.Off, WatchdogMode.Automatic, "crash")]
    [InlineData("failover-crash-sync.yaml", SynchronousMode.On, WatchdogMode.Automatic, "crash")]
    [InlineData("failover-vm-pause.yaml", SynchronousMode.Off, WatchdogMode.Off, "pause")]
    [InlineData("failover-vm-pause-watchdog.yaml", SynchronousMode.Off, WatchdogMode.Automatic, "pause")]
    public void The_shipped_failover_models_load_with_their_scenario(string file, SynchronousMode mode, WatchdogMode watchdog, string fault)
    {
        var spec = ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "models", file));

        Assert.Equal((Duration.FromSeconds(180), Duration.FromSeconds(5)), (spec.Duration, spec.Warmup));
        Assert.Equal(["pg1", "pg2", "pg3"], spec.Nodes.Select(n => n.Name));
        Assert.Equal(200, spec.Workload.OpenLoopRate);
        Assert.Null(spec.Replication.SynchronousStandbyNames);
        Assert.Equal(SynchronousCommit.On, spec.Replication.SynchronousCommit);
        var failover = spec.Failover!;
        Assert.Equal(new FailoverSettings { SynchronousMode = mode, WatchdogMode = watchdog }, failover.Settings);
        Assert.Equal(["etcd1", "etcd2", "etcd3"], failover.Dcs.Members.Select(m => m.Name));
        Assert.Equal([0, 1, 2], failover.Dcs.Members.Select(m => m.Zone.Value));
        FaultSpec expected = fault == "crash"
            ? new CrashFault(Duration.FromSeconds(60), Duration.FromSeconds(120), spec.Primary)
            : new PauseFault(Duration.FromSeconds(60), Duration.FromSeconds(45), spec.Primary, PauseScope.Machine);
        Assert.Equal(expected, Assert.Single(spec.Faults));
    }

    private static string Text(string distribution) => LatencyDistribution.Parse(distribution).ToString();
}
