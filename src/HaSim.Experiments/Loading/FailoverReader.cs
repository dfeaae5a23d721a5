using System.Globalization;
using HaSim.Failover;
using HaSim.Model.Dcs;
using HaSim.Model.Routing;
using HaSim.Model.Spec;
using HaSim.Primitives;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads <c>failover</c>: Patroni's settings under Patroni's names, per-node tags, the etcd-like
/// DCS, database action timings, the write endpoint's health checks and the clients. Values are
/// taken as written: <see cref="FailoverSettings.Adjust"/> is left to the controller, which
/// raises too-small timings as Patroni does and reports each change as a warning.
/// </summary>
internal static class FailoverReader
{
    private static readonly string[] FailoverKeys =
    [
        "scope", "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "check_timeline",
        "primary_start_timeout", "synchronous_mode", "synchronous_mode_strict", "synchronous_node_count",
        "failsafe_mode", "watchdog", "tags", "dcs", "database", "health_check", "clients",
        "enforce_timing_rule", "unsafe_disable_fencing", "agent", "heartbeat_interval", "heartbeat_timeout",
    ];

    /// <summary>Keys that configure Patroni (and its DCS): meaningless, so refused, with <c>agent: naive-script</c>.</summary>
    private static readonly string[] PatroniOnlyKeys =
    [
        "scope", "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "check_timeline",
        "primary_start_timeout", "synchronous_mode", "synchronous_mode_strict", "synchronous_node_count",
        "failsafe_mode", "watchdog", "dcs", "enforce_timing_rule", "unsafe_disable_fencing",
    ];

    /// <summary>Keys of the naive script, refused with <c>agent: patroni</c>.</summary>
    private static readonly string[] NaiveScriptOnlyKeys = ["heartbeat_interval", "heartbeat_timeout"];

    private static readonly (string Word, FailoverAgent Value)[] Agents =
    [
        ("patroni", FailoverAgent.Patroni),
        ("naive-script", FailoverAgent.NaiveScript),
    ];

    private static readonly string[] WatchdogKeys = ["mode", "safety_margin", "device"];
    private static readonly string[] TagKeys = ["nofailover", "failover_priority", "nosync", "sync_priority"];
    private static readonly string[] DcsKeys = ["members", "heartbeat_interval", "election_timeout", "wait_cluster_ready_timeout", "request_timeout"];
    private static readonly string[] DcsMemberKeys = ["name", "zone"];
    private static readonly string[] DatabaseKeys = ["promote", "fast_stop", "immediate_stop", "start", "rewind"];

    private static readonly string[] HealthCheckKeys =
    [
        "inter", "fastinter", "downinter", "rise", "fall", "timeout_check", "timeout_connect",
        "on_marked_down_shutdown_sessions", "init_state", "balance",
    ];

    private static readonly string[] ClientKeys = ["zone", "request_timeout", "retry"];
    private static readonly string[] RetryKeys = ["backoff_base", "backoff_cap", "multiplier", "max_attempts", "deadline"];

    /// <summary>Patroni's values; <c>strict</c> is <c>synchronous_mode: on</c> with <c>synchronous_mode_strict: true</c>.</summary>
    private static readonly (string Word, (SynchronousMode Mode, bool Strict) Value)[] SynchronousModes =
    [
        ("off", (SynchronousMode.Off, false)),
        ("on", (SynchronousMode.On, false)),
        ("strict", (SynchronousMode.On, true)),
        ("true", (SynchronousMode.On, false)),
        ("false", (SynchronousMode.Off, false)),
    ];

    /// <summary>Patroni's <c>watchdog.mode</c> words with the synonyms its parse_mode accepts.</summary>
    private static readonly (string Word, WatchdogMode Value)[] WatchdogModes =
    [
        ("off", WatchdogMode.Off),
        ("automatic", WatchdogMode.Automatic),
        ("required", WatchdogMode.Required),
        ("auto", WatchdogMode.Automatic),
        ("require", WatchdogMode.Required),
        ("disabled", WatchdogMode.Off),
        ("false", WatchdogMode.Off),
    ];

    /// <summary>HAProxy's spellings of <c>init-state</c>.</summary>
    private static readonly (string Word, ServerInitState Value)[] InitStates =
    [
        ("up", ServerInitState.Up),
        ("fully-up", ServerInitState.FullyUp),
        ("down", ServerInitState.Down),
        ("fully-down", ServerInitState.FullyDown),
    ];

    /// <summary>HAProxy's <c>balance</c> algorithms the write endpoint simulates.</summary>
    private static readonly (string Word, BalanceAlgorithm Value)[] BalanceAlgorithms =
    [
        ("first", BalanceAlgorithm.First),
        ("roundrobin", BalanceAlgorithm.RoundRobin),
    ];

    /// <summary>Which keys an error of <see cref="HealthCheckSettings.Errors"/> is about, by its first words; the first present key is blamed.</summary>
    private static readonly (string Prefix, string[] Keys)[] HealthCheckErrorKeys =
    [
        ("inter ", ["inter"]),
        ("fastinter ", ["fastinter"]),
        ("downinter ", ["downinter"]),
        ("timeout check ", ["timeout_check"]),
        ("timeout connect ", ["timeout_connect"]),
        ("rise ", ["rise"]),
        ("fall ", ["fall"]),
        ("init-state ", ["init_state"]),
    ];

    /// <summary>Which keys an error of <see cref="RetryPolicy.Errors"/> is about; a cap below the base blames the cap, else the base.</summary>
    private static readonly (string Prefix, string[] Keys)[] RetryErrorKeys =
    [
        ("backoff base ", ["backoff_base"]),
        ("backoff cap ", ["backoff_cap", "backoff_base"]),
        ("backoff multiplier ", ["multiplier"]),
        ("max attempts ", ["max_attempts"]),
        ("retry deadline ", ["deadline"]),
    ];

    /// <summary>With no <c>dcs.members</c>: this many, round-robin over the zones of the primary's region.</summary>
    private const int DefaultDcsMemberCount = 3;

    /// <summary>The name prefix of members given by zone only: etcd1, etcd2, ...</summary>
    private const string DcsMemberNamePrefix = "etcd";

    // The records' own defaults, read from instances so that they are stated in one place.
    private static readonly FailoverSettings DefaultSettings = new();
    private static readonly DcsSpec DefaultDcs = new() { Members = [] };
    private static readonly ClientSpec DefaultClients = new() { Zone = default };
    private static readonly FailoverSpec DefaultFailover = new() { Settings = DefaultSettings, Tags = [], Dcs = DefaultDcs, Clients = DefaultClients };

    /// <param name="failoverNode">The <c>failover</c> value.</param>
    /// <param name="topology">The nodes, zones and regions already read.</param>
    /// <param name="replication">The replication section already read, to check against.</param>
    /// <param name="replicationNode">Where the replication section is written, or null when absent.</param>
    public static FailoverSpec Read(ModelNode failoverNode, Topology topology, ReplicationSpec replication, ModelNode? replicationNode)
    {
        var mapping = failoverNode.AsMapping(FailoverKeys);
        var replicationMapping = replicationNode?.AsMapping(ReplicationReader.ReplicationKeys);
        CheckReplicationKind(replicationMapping);
        CheckReservedNodeNames(failoverNode, topology);

        var agent = mapping.Optional("agent")?.ReadWord("failover agent", Agents, StringComparison.Ordinal) ?? DefaultFailover.Agent;
        CheckAgentKeys(mapping, agent);

        var scope = mapping.Optional("scope")?.ReadText("a Patroni scope (the cluster's name in the DCS)") ?? DefaultFailover.Scope;
        var ttl = mapping.Optional("ttl")?.ReadPositiveDuration() ?? DefaultSettings.Ttl;
        var loopWait = mapping.Optional("loop_wait")?.ReadPositiveDuration() ?? DefaultSettings.LoopWait;
        var retryTimeout = mapping.Optional("retry_timeout")?.ReadPositiveDuration() ?? DefaultSettings.RetryTimeout;
        var maximumLag = mapping.Optional("maximum_lag_on_failover")?.ReadSize(allowBareBytes: true) ?? DefaultSettings.MaximumLagOnFailover;
        var checkTimeline = mapping.Optional("check_timeline")?.ReadBoolean() ?? DefaultSettings.CheckTimeline;
        var primaryStartTimeout = mapping.Optional("primary_start_timeout")?.ReadNonNegativeDuration() ?? DefaultSettings.PrimaryStartTimeout;
        var (synchronousMode, strict) = ReadSynchronousMode(mapping, replication, replicationMapping);
        var synchronousNodeCount = (int)(mapping.Optional("synchronous_node_count")?.ReadInteger(1, int.MaxValue) ?? DefaultSettings.SynchronousNodeCount);
        var failsafeMode = mapping.Optional("failsafe_mode")?.ReadBoolean() ?? DefaultSettings.FailsafeMode;
        var enforceTimingRule = mapping.Optional("enforce_timing_rule")?.ReadBoolean() ?? DefaultSettings.EnforceTimingRule;
        var unsafeDisableFencing = mapping.Optional("unsafe_disable_fencing")?.ReadBoolean() ?? DefaultSettings.UnsafeDisableFencing;
        var (watchdogMode, safetyMargin, watchdogDevice) = ReadWatchdog(mapping.Optional("watchdog"), ttl);
        var tags = ReadTags(mapping.Optional("tags"), topology);
        var dcs = agent == FailoverAgent.NaiveScript ? DefaultDcs : ReadDcs(mapping.Optional("dcs"), failoverNode, topology);
        var naiveScript = ReadNaiveScript(mapping);
        var database = ReadDatabase(mapping.Optional("database"));
        var healthCheck = ReadHealthCheck(mapping.Optional("health_check"));
        var clients = ReadClients(mapping.Optional("clients"), topology);

        return new FailoverSpec
        {
            Agent = agent,
            NaiveScript = naiveScript,
            Settings = new FailoverSettings
            {
                Ttl = ttl,
                LoopWait = loopWait,
                RetryTimeout = retryTimeout,
                MaximumLagOnFailover = maximumLag,
                CheckTimeline = checkTimeline,
                PrimaryStartTimeout = primaryStartTimeout,
                SynchronousMode = synchronousMode,
                SynchronousModeStrict = strict,
                SynchronousNodeCount = synchronousNodeCount,
                FailsafeMode = failsafeMode,
                WatchdogMode = watchdogMode,
                WatchdogSafetyMargin = safetyMargin,
                EnforceTimingRule = enforceTimingRule,
                UnsafeDisableFencing = unsafeDisableFencing,
            },
            Tags = tags,
            Scope = scope,
            Dcs = dcs,
            Database = database,
            HealthCheck = healthCheck,
            Clients = clients,
            WatchdogDevice = watchdogDevice,
        };
    }

    /// <summary>
    /// Patroni's keys (and its DCS) do not apply to the naive script, and the script's keys do not
    /// apply to Patroni: either is an error at the key, naming the agent line.
    /// </summary>
    private static void CheckAgentKeys(ModelMapping mapping, FailoverAgent agent)
    {
        var agentNode = mapping.Optional("agent");
        var agentLine = agentNode is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (failover.agent, line {agentNode.Yaml.Start.Line})");
        var (foreign, word, other) = agent == FailoverAgent.NaiveScript
            ? (PatroniOnlyKeys, "naive-script", "patroni")
            : (NaiveScriptOnlyKeys, "patroni", "naive-script");
        foreach (var key in foreign)
        {
            if (mapping.Optional(key) is { } node)
            {
                throw node.Error(agent == FailoverAgent.NaiveScript
                    ? $"{key} configures Patroni and its DCS; the naive script{agentLine} has neither: remove {key}, or use agent: {other}"
                    : $"{key} applies only with agent: {other}; the agent here is {word}{(agentNode is null ? " (the default)" : agentLine)}");
            }
        }
    }

    /// <summary><c>heartbeat_interval</c> and <c>heartbeat_timeout</c>, checked together (the timeout is at least one interval).</summary>
    private static NaiveScriptSettings ReadNaiveScript(ModelMapping mapping)
    {
        var defaults = DefaultFailover.NaiveScript;
        var intervalNode = mapping.Optional("heartbeat_interval");
        var timeoutNode = mapping.Optional("heartbeat_timeout");
        var settings = defaults with
        {
            HeartbeatInterval = intervalNode?.ReadPositiveDuration() ?? defaults.HeartbeatInterval,
            HeartbeatTimeout = timeoutNode?.ReadPositiveDuration() ?? defaults.HeartbeatTimeout,
        };
        if (settings.Errors() is [var error, ..])
        {
            var blamed = timeoutNode ?? intervalNode!;
            throw blamed.Error(error + (timeoutNode is null ? $"; heartbeat_timeout is {defaults.HeartbeatTimeout} by default" : ""));
        }
        return settings;
    }

    /// <summary>The agent drives PostgreSQL streaming replication; Aurora-style and MySQL-style replication have no failover model.</summary>
    private static void CheckReplicationKind(ModelMapping? replication)
    {
        foreach (var key in new[] { "storage_quorum", "semi_sync" })
        {
            if (replication?.Optional(key) is { } node)
            {
                throw node.Error($"cannot be combined with failover: automatic failover is simulated for PostgreSQL streaming replication only; remove {key} or the failover section");
            }
        }
    }

    /// <summary>In partitions, <c>clients</c> names the clients: no node may be called that.</summary>
    private static void CheckReservedNodeNames(ModelNode failoverNode, Topology topology)
    {
        if (topology.Nodes.FirstOrDefault(n => string.Equals(n.Name, Topology.ClientsWord, StringComparison.OrdinalIgnoreCase)) is { } node)
        {
            throw failoverNode.Error($"node '{node.Name}' has a name reserved with failover: in fault partitions '{Topology.ClientsWord}' means the clients and their write endpoint; rename the node");
        }
    }

    /// <summary>
    /// <c>synchronous_mode</c> (off, on, strict; true and false as Patroni's YAML reads on and off)
    /// and Patroni's separate <c>synchronous_mode_strict</c>. With synchronous mode Patroni writes
    /// synchronous_standby_names itself, so replication must not set it.
    /// </summary>
    private static (SynchronousMode Mode, bool Strict) ReadSynchronousMode(ModelMapping mapping, ReplicationSpec replication, ModelMapping? replicationMapping)
    {
        var modeNode = mapping.Optional("synchronous_mode");
        if (modeNode?.Yaml is YamlScalarNode { Value: { } text } && text.Equals("quorum", StringComparison.OrdinalIgnoreCase))
        {
            throw modeNode.Error("Patroni's quorum mode is not simulated; use on or strict (or off)");
        }
        var (mode, strict) = modeNode?.ReadWord("synchronous_mode", SynchronousModes, StringComparison.OrdinalIgnoreCase)
            ?? (DefaultSettings.SynchronousMode, DefaultSettings.SynchronousModeStrict);
        if (mapping.Optional("synchronous_mode_strict") is { } strictNode)
        {
            var strictValue = strictNode.ReadBoolean();
            if (strictValue && mode == SynchronousMode.Off)
            {
                throw strictNode.Error("synchronous_mode_strict applies only with synchronous_mode on; set synchronous_mode: on (or strict), or remove synchronous_mode_strict");
            }
            if (!strictValue && strict)
            {
                throw strictNode.Error("contradicts synchronous_mode: strict; remove one of them");
            }
            strict = strictValue;
        }
        if (mode == SynchronousMode.On && replication.SynchronousStandbyNames is not null
            && replicationMapping?.Optional("synchronous_standby_names") is { } namesNode)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{modeNode!.Yaml.Start.Line}");
            throw namesNode.Error($"with synchronous_mode {(strict ? "strict" : "on")} (failover.synchronous_mode, line {line}) Patroni manages synchronous_standby_names; remove it from replication");
        }
        return (mode, strict);
    }

    /// <summary>
    /// <c>watchdog</c>: mode, safety_margin (a duration below ttl, or -1 for Patroni's ttl / 2) and
    /// device (whether the nodes have one; a device path such as /dev/watchdog counts as true).
    /// </summary>
    private static (WatchdogMode Mode, Duration SafetyMargin, bool Device) ReadWatchdog(ModelNode? watchdogNode, Duration ttl)
    {
        var mapping = watchdogNode?.AsMapping(WatchdogKeys);
        var mode = mapping?.Optional("mode")?.ReadWord("watchdog mode", WatchdogModes, StringComparison.OrdinalIgnoreCase) ?? DefaultSettings.WatchdogMode;
        var margin = DefaultSettings.WatchdogSafetyMargin;
        if (mapping?.Optional("safety_margin") is { } marginNode)
        {
            margin = ReadSafetyMargin(marginNode);
            if (!margin.IsNegative && margin >= ttl)
            {
                throw marginNode.Error($"safety_margin {margin} must be less than ttl ({ttl}): the watchdog's timeout is ttl - safety_margin; use -1 for ttl / 2");
            }
        }
        var device = mapping?.Optional("device") is { } deviceNode ? ReadDevice(deviceNode) : DefaultFailover.WatchdogDevice;
        return (mode, margin, device);
    }

    /// <summary>Whether the nodes have a watchdog device: a boolean, or Patroni's device path (which means yes).</summary>
    private static bool ReadDevice(ModelNode node)
    {
        const string Expected = "true, false or a device path such as /dev/watchdog";
        var scalar = node.AsScalar(Expected);
        return YamlScalars.Resolve(scalar) switch
        {
            ScalarKind.Boolean => YamlScalars.BooleanValue(scalar),
            ScalarKind.String when !string.IsNullOrWhiteSpace(scalar.Value) => true,
            _ => throw node.Error($"expected {Expected}, found {node.Describe()}"),
        };
    }

    /// <summary>A duration of 0s or more, or Patroni's -1 (a negative margin: the watchdog timeout is ttl / 2).</summary>
    private static Duration ReadSafetyMargin(ModelNode node)
    {
        if (node.Yaml is YamlScalarNode scalar && YamlScalars.Resolve(scalar) is ScalarKind.Integer or ScalarKind.Float)
        {
            return scalar.Value == "-1"
                ? Duration.FromSeconds(-1)
                : throw node.Error($"expected a duration of 0s or more (such as 5s), or -1 for ttl / 2, found {node.Describe()}");
        }
        return node.ReadNonNegativeDuration();
    }

    /// <summary><c>tags</c>: Patroni's tags by node name; nodes not listed get <see cref="MemberTags.Default"/>.</summary>
    private static List<MemberTags> ReadTags(ModelNode? tagsNode, Topology topology)
    {
        var tags = topology.Nodes.Select(_ => MemberTags.Default).ToList();
        if (tagsNode is null)
        {
            return tags;
        }
        if (tagsNode.Yaml is not YamlMappingNode byNode)
        {
            throw tagsNode.Error($"expected a mapping from node names to their tags, found {tagsNode.Describe()}");
        }
        foreach (var (key, value) in byNode.Children)
        {
            var keyNode = tagsNode.Key(key);
            var id = topology.ReadNodeReference(keyNode);
            var node = topology.Nodes[id.Value];
            if (node.Role is not (NodeRole.Primary or NodeRole.Standby))
            {
                throw keyNode.Error($"'{node.Name}' has role {node.Role.ToString().ToLowerInvariant()}; tags apply to the primary and the standbys, which run a failover agent");
            }
            var name = ((YamlScalarNode)key).Value!;
            var mapping = tagsNode.Child(value, name).AsMapping(TagKeys);
            var defaults = MemberTags.Default;
            tags[id.Value] = new MemberTags(
                NoFailover: mapping.Optional("nofailover")?.ReadBoolean() ?? defaults.NoFailover,
                FailoverPriority: (int)(mapping.Optional("failover_priority")?.ReadInteger(0, int.MaxValue) ?? defaults.FailoverPriority),
                NoSync: mapping.Optional("nosync")?.ReadBoolean() ?? defaults.NoSync,
                SyncPriority: (int)(mapping.Optional("sync_priority")?.ReadInteger(0, int.MaxValue) ?? defaults.SyncPriority));
        }
        return tags;
    }

    private static DcsSpec ReadDcs(ModelNode? dcsNode, ModelNode failoverNode, Topology topology)
    {
        var mapping = dcsNode?.AsMapping(DcsKeys);
        var members = mapping?.Optional("members") is { } membersNode
            ? ReadDcsMembers(membersNode, topology)
            : DefaultDcsMembers(failoverNode, topology);
        return new DcsSpec
        {
            Members = members,
            Raft = ReadRaft(mapping),
            RequestTimeout = mapping?.Optional("request_timeout")?.ReadPositiveDuration() ?? DefaultDcs.RequestTimeout,
        };
    }

    /// <summary>Each member is a zone name (named etcd and its 1-based position) or a mapping with its name and zone.</summary>
    private static List<DcsMember> ReadDcsMembers(ModelNode membersNode, Topology topology)
    {
        var members = new List<DcsMember>();
        foreach (var item in membersNode.AsNonEmptyList("DCS member"))
        {
            var index = members.Count;
            DcsMember member;
            ModelNode nameNode;
            if (item.Yaml is YamlMappingNode)
            {
                var mapping = item.AsMapping(DcsMemberKeys, DcsMemberKeys);
                nameNode = mapping.Required("name");
                var name = nameNode.ReadName("a DCS member name");
                member = new DcsMember(index, name, topology.ReadZoneReference(mapping.Required("zone")));
            }
            else
            {
                nameNode = item;
                var zone = topology.ReadZoneReference(item);
                member = new DcsMember(index, DefaultMemberName(index), zone);
            }
            CheckMemberName(member.Name, nameNode, item.Yaml is not YamlMappingNode, members, topology);
            members.Add(member);
        }
        return members;
    }

    /// <summary>Three members, etcd1 in the first zone of the primary's region, etcd2 in the next, round-robin.</summary>
    private static List<DcsMember> DefaultDcsMembers(ModelNode failoverNode, Topology topology)
    {
        var primaryZone = topology.Zones[topology.Nodes.Single(n => n.Role == NodeRole.Primary).Zone.Value];
        var zones = topology.Zones.Where(z => z.Region == primaryZone.Region).ToArray();
        var members = new List<DcsMember>();
        for (var i = 0; i < DefaultDcsMemberCount; i++)
        {
            var member = new DcsMember(i, DefaultMemberName(i), zones[i % zones.Length].Id);
            CheckMemberName(member.Name, failoverNode, generated: true, members, topology);
            members.Add(member);
        }
        return members;
    }

    private static string DefaultMemberName(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{DcsMemberNamePrefix}{index + 1}");

    /// <summary>
    /// Faults name DCS members and nodes in the same lists, so a member's name must differ from
    /// every node's and every other member's (ignoring case, as node names do), and from <c>clients</c>.
    /// </summary>
    private static void CheckMemberName(string name, ModelNode where, bool generated, List<DcsMember> earlier, Topology topology)
    {
        var what = generated ? $"the default DCS member name '{name}' (etcd and the member's position)" : $"DCS member name '{name}'";
        var rename = generated ? "; name the members with dcs.members: [{name: ..., zone: ...}, ...]" : "";
        if (earlier.Find(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { } same)
        {
            throw where.Error(generated
                ? $"{what} is already taken by an earlier member{rename}"
                : $"duplicate {what} (the same as '{same.Name}'); DCS member names must be unique, ignoring case");
        }
        if (topology.Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)) is { } node)
        {
            throw where.Error($"{what} is also the name of node '{node.Name}'; faults name nodes and DCS members alike, so names must differ, ignoring case{rename}");
        }
        if (string.Equals(name, Topology.ClientsWord, StringComparison.OrdinalIgnoreCase))
        {
            throw where.Error($"{what} is reserved: in fault partitions '{Topology.ClientsWord}' means the clients and their write endpoint");
        }
    }

    /// <summary>
    /// etcd's <c>--heartbeat-interval</c> and <c>--election-timeout</c>, checked as etcd checks them at
    /// start, and its <c>--experimental-wait-cluster-ready-timeout</c> (<c>none</c>: wait for ever, as etcd 3.5).
    /// </summary>
    private static RaftSettings ReadRaft(ModelMapping? mapping)
    {
        var heartbeatNode = mapping?.Optional("heartbeat_interval");
        var electionNode = mapping?.Optional("election_timeout");
        var waitNode = mapping?.Optional("wait_cluster_ready_timeout");
        if (heartbeatNode is null && electionNode is null && waitNode is null)
        {
            return DefaultDcs.Raft;
        }
        var heartbeat = heartbeatNode?.ReadPositiveDuration() ?? RaftSettings.EtcdDefaults.HeartbeatInterval;
        var election = electionNode?.ReadPositiveDuration() ?? RaftSettings.EtcdDefaults.ElectionTimeout;
        if (election < heartbeat * 5)
        {
            var blamed = electionNode ?? heartbeatNode!;
            throw blamed.Error($"election_timeout ({election}) must be at least 5 x heartbeat_interval ({heartbeat}), as etcd requires"
                + (electionNode is null ? $"; election_timeout is {election} by default" : ""));
        }
        return new RaftSettings(heartbeat, election)
        {
            WaitClusterReadyTimeout = waitNode is null ? RaftSettings.DefaultWaitClusterReadyTimeout : waitNode.ReadNonNegativeDurationOrNone(),
        };
    }

    private static DatabaseTimings ReadDatabase(ModelNode? databaseNode)
    {
        var defaults = DatabaseTimings.Defaults;
        if (databaseNode is null)
        {
            return defaults;
        }
        var mapping = databaseNode.AsMapping(DatabaseKeys);
        return new DatabaseTimings
        {
            Promote = mapping.Optional("promote")?.ReadLatency() ?? defaults.Promote,
            FastStop = mapping.Optional("fast_stop")?.ReadLatency() ?? defaults.FastStop,
            ImmediateStop = mapping.Optional("immediate_stop")?.ReadLatency() ?? defaults.ImmediateStop,
            Start = mapping.Optional("start")?.ReadLatency() ?? defaults.Start,
            Rewind = mapping.Optional("rewind")?.ReadLatency() ?? defaults.Rewind,
        };
    }

    /// <summary>
    /// HAProxy's check settings over Patroni's haproxy.cfg template: each key given replaces the
    /// template's value; <c>none</c> unsets an optional one (HAProxy without that keyword).
    /// </summary>
    private static HealthCheckSettings ReadHealthCheck(ModelNode? healthCheckNode)
    {
        var template = HealthCheckSettings.PatroniTemplate;
        if (healthCheckNode is null)
        {
            return template;
        }
        var mapping = healthCheckNode.AsMapping(HealthCheckKeys);
        var settings = template with
        {
            Inter = mapping.Optional("inter")?.ReadPositiveDuration() ?? template.Inter,
            FastInter = OptionalDuration(mapping, "fastinter", template.FastInter),
            DownInter = OptionalDuration(mapping, "downinter", template.DownInter),
            Rise = (int)(mapping.Optional("rise")?.ReadInteger(1, int.MaxValue) ?? template.Rise),
            Fall = (int)(mapping.Optional("fall")?.ReadInteger(1, int.MaxValue) ?? template.Fall),
            TimeoutCheck = OptionalDuration(mapping, "timeout_check", template.TimeoutCheck),
            TimeoutConnect = OptionalDuration(mapping, "timeout_connect", template.TimeoutConnect),
            OnMarkedDownShutdownSessions = mapping.Optional("on_marked_down_shutdown_sessions")?.ReadBoolean() ?? template.OnMarkedDownShutdownSessions,
            InitState = mapping.Optional("init_state")?.ReadWord("init_state", InitStates, StringComparison.Ordinal) ?? template.InitState,
            Balance = mapping.Optional("balance")?.ReadWord("balance algorithm", BalanceAlgorithms, StringComparison.Ordinal) ?? template.Balance,
        };
        ThrowFirst(settings.Errors(), mapping, HealthCheckErrorKeys);
        return settings;
    }

    private static Duration? OptionalDuration(ModelMapping mapping, string key, Duration? fallback) =>
        mapping.Optional(key) is { } node ? node.ReadPositiveDurationOrNone() : fallback;

    private static ClientSpec ReadClients(ModelNode? clientsNode, Topology topology)
    {
        var mapping = clientsNode?.AsMapping(ClientKeys);
        var primaryZone = topology.Nodes.Single(n => n.Role == NodeRole.Primary).Zone;
        return new ClientSpec
        {
            Zone = mapping?.Optional("zone") is { } zoneNode ? topology.ReadZoneReference(zoneNode) : primaryZone,
            RequestTimeout = mapping?.Optional("request_timeout")?.ReadPositiveDuration() ?? DefaultClients.RequestTimeout,
            Retry = mapping?.Optional("retry") is { } retryNode ? ReadRetry(retryNode) : DefaultClients.Retry,
        };
    }

    private static RetryPolicy ReadRetry(ModelNode retryNode)
    {
        var mapping = retryNode.AsMapping(RetryKeys);
        var defaults = DefaultClients.Retry;
        var policy = new RetryPolicy
        {
            BackoffBase = mapping.Optional("backoff_base")?.ReadPositiveDuration() ?? defaults.BackoffBase,
            BackoffCap = mapping.Optional("backoff_cap")?.ReadPositiveDuration() ?? defaults.BackoffCap,
            Multiplier = mapping.Optional("multiplier")?.ReadNumber(NumberRange.AtLeastOne) ?? defaults.Multiplier,
            MaxAttempts = (int)(mapping.Optional("max_attempts")?.ReadInteger(1, RetryPolicy.MaxAttemptsLimit) ?? defaults.MaxAttempts),
            Deadline = mapping.Optional("deadline") is { } deadlineNode ? deadlineNode.ReadPositiveDurationOrNone() : defaults.Deadline,
        };
        ThrowFirst(policy.Errors(), mapping, RetryErrorKeys);
        return policy;
    }

    /// <summary>
    /// Reports the first of a settings record's own <c>Errors()</c> at the key it is about (the
    /// first of <paramref name="keys"/>' candidates that the model sets), or at the mapping.
    /// </summary>
    private static void ThrowFirst(IReadOnlyList<string> errors, ModelMapping mapping, (string Prefix, string[] Keys)[] keys)
    {
        if (errors.Count == 0)
        {
            return;
        }
        var error = errors[0];
        foreach (var (prefix, candidates) in keys)
        {
            if (!error.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var key in candidates)
            {
                if (mapping.Optional(key) is { } node)
                {
                    throw node.Error(error);
                }
            }
        }
        throw mapping.Node.Error(error);
    }
}
