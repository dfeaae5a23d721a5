using System.Globalization;
using HaSim.Failover;
using HaSim.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Agent;

/// <summary>A configuration file that cannot be used: one line, <c>file:line:column: reason</c>.</summary>
public sealed class AgentConfigException(string message) : Exception(message);

/// <summary>
/// Reads an agent's YAML configuration. Patroni's settings keep Patroni's names (<c>ttl</c>,
/// <c>loop_wait</c>, <c>retry_timeout</c>, <c>synchronous_mode</c>, <c>tags</c>, ...); durations are
/// seconds as Patroni writes them (<c>10</c>) or text with a unit (<c>10s</c>, <c>500ms</c>). Every
/// error names the file, line and column and what was expected.
/// </summary>
public static class AgentConfigReader
{
    private static readonly string[] TopKeys =
    [
        "scope", "name", "members", "etcd", "restapi", "postgresql",
        "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "check_timeline", "primary_start_timeout",
        "synchronous_mode", "synchronous_mode_strict", "synchronous_node_count", "failsafe_mode", "watchdog", "tags",
    ];

    private static readonly string[] MemberKeys = ["name", "restapi", "postgresql"];
    private static readonly string[] EtcdKeys = ["hosts", "request_timeout"];
    private static readonly string[] RestApiKeys = ["listen"];
    private static readonly string[] PostgresKeys = ["listen", "data_dir", "bin_dir", "run_as", "superuser", "replication", "use_pg_rewind", "log_file", "pg_ctl_timeout"];
    private static readonly string[] UserKeys = ["username", "password"];
    private static readonly string[] TagKeys = ["nofailover", "failover_priority", "nosync", "sync_priority"];
    private static readonly string[] WatchdogKeys = ["mode"];

    public static AgentConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentConfigException($"{path}: cannot read the configuration: {e.Message}");
        }
        return Parse(text, path);
    }

    public static AgentConfig Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Error(file, e.Start, $"not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0)
        {
            throw new AgentConfigException($"{file}: the configuration is empty");
        }
        var reader = new Reader(file);
        return reader.Read(stream.Documents[0].RootNode);
    }

    private static AgentConfigException Error(string file, Mark mark, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}:{mark.Line}:{mark.Column}: {reason}"));

    private sealed class Reader(string file)
    {
        public AgentConfig Read(YamlNode root)
        {
            var top = Mapping(root, "the configuration", TopKeys, ["scope", "name", "members", "etcd", "restapi", "postgresql"]);
            var scope = String(top, "scope");
            var name = String(top, "name");
            var membersNode = top["members"];
            if (membersNode is not YamlSequenceNode list || list.Children.Count == 0)
            {
                throw Fail(membersNode, "members: expected a list of the cluster's members (name, restapi, postgresql), the same list in every node's file");
            }
            var members = new List<MemberAddress>();
            foreach (var item in list.Children)
            {
                var m = Mapping(item, "a member", MemberKeys, MemberKeys);
                var member = new MemberAddress(String(m, "name"), EndpointOf(m, "restapi"), EndpointOf(m, "postgresql"));
                if (members.Any(x => x.Name == member.Name))
                {
                    throw Fail(item, $"members: '{member.Name}' is listed twice");
                }
                members.Add(member);
            }
            if (!members.Any(m => m.Name == name))
            {
                throw Fail(top.Node("name"), $"name: '{name}' is not one of the members ({string.Join(", ", members.Select(m => m.Name))})");
            }

            var etcd = Mapping(top["etcd"], "etcd", EtcdKeys, ["hosts"]);
            var hostsNode = etcd["hosts"];
            var hosts = hostsNode switch
            {
                YamlSequenceNode seq when seq.Children.Count > 0 => seq.Children.Select(UriOf).ToArray(),
                YamlScalarNode scalar => [UriOf(scalar)],
                _ => throw Fail(hostsNode, "etcd.hosts: expected a list of etcd client addresses (127.0.0.1:2379)"),
            };
            var etcdConfig = new EtcdConfig
            {
                Hosts = hosts,
                RequestTimeout = etcd.Has("request_timeout") ? DurationOf(etcd, "request_timeout", positive: true) : Duration.FromSeconds(2),
            };

            var restapi = Mapping(top["restapi"], "restapi", RestApiKeys, RestApiKeys);
            var pg = Mapping(top["postgresql"], "postgresql", PostgresKeys, ["data_dir", "bin_dir", "superuser", "replication"]);
            var postgres = new PostgresConfig
            {
                DataDir = String(pg, "data_dir"),
                BinDir = String(pg, "bin_dir"),
                RunAs = pg.Has("run_as") ? String(pg, "run_as") : null,
                Superuser = UserOf(pg, "superuser"),
                Replication = UserOf(pg, "replication"),
                UsePgRewind = !pg.Has("use_pg_rewind") || Bool(pg, "use_pg_rewind"),
                LogFile = pg.Has("log_file") ? String(pg, "log_file") : null,
                PgCtlTimeout = pg.Has("pg_ctl_timeout") ? DurationOf(pg, "pg_ctl_timeout", positive: true) : Duration.FromSeconds(60),
            };
            var self = members.First(m => m.Name == name);
            if (pg.Has("listen") && EndpointOf(pg, "listen") != self.Postgres)
            {
                throw Fail(pg.Node("listen"), $"postgresql.listen: {EndpointOf(pg, "listen")} differs from member {name}'s postgresql address {self.Postgres}");
            }

            var settings = new FailoverSettings();
            if (top.Has("ttl")) settings = settings with { Ttl = DurationOf(top, "ttl", positive: true) };
            if (top.Has("loop_wait")) settings = settings with { LoopWait = DurationOf(top, "loop_wait", positive: true) };
            if (top.Has("retry_timeout")) settings = settings with { RetryTimeout = DurationOf(top, "retry_timeout", positive: true) };
            if (top.Has("maximum_lag_on_failover")) settings = settings with { MaximumLagOnFailover = SizeOf(top, "maximum_lag_on_failover") };
            if (top.Has("check_timeline")) settings = settings with { CheckTimeline = Bool(top, "check_timeline") };
            if (top.Has("primary_start_timeout")) settings = settings with { PrimaryStartTimeout = DurationOf(top, "primary_start_timeout", positive: false) };
            if (top.Has("synchronous_mode"))
            {
                var word = String(top, "synchronous_mode").ToLowerInvariant();
                settings = word switch
                {
                    "on" or "true" => settings with { SynchronousMode = SynchronousMode.On },
                    "off" or "false" => settings with { SynchronousMode = SynchronousMode.Off },
                    "strict" => settings with { SynchronousMode = SynchronousMode.On, SynchronousModeStrict = true },
                    _ => throw Fail(top.Node("synchronous_mode"), $"synchronous_mode: expected on, off or strict, found '{word}' (quorum mode is not supported)"),
                };
            }
            if (top.Has("synchronous_mode_strict")) settings = settings with { SynchronousModeStrict = Bool(top, "synchronous_mode_strict") };
            if (top.Has("synchronous_node_count")) settings = settings with { SynchronousNodeCount = Int(top, "synchronous_node_count", 1) };
            if (top.Has("failsafe_mode")) settings = settings with { FailsafeMode = Bool(top, "failsafe_mode") };
            // No watchdog device is driven by this host: 'off' (the default here) or 'automatic',
            // which Patroni also runs without when there is no device. 'required' could never lead.
            settings = settings with { WatchdogMode = WatchdogMode.Off };
            if (top.Has("watchdog"))
            {
                var w = Mapping(top["watchdog"], "watchdog", WatchdogKeys, WatchdogKeys);
                var mode = String(w, "mode").ToLowerInvariant();
                settings = mode switch
                {
                    "off" or "false" or "disabled" => settings with { WatchdogMode = WatchdogMode.Off },
                    "automatic" or "auto" => settings with { WatchdogMode = WatchdogMode.Automatic },
                    _ => throw Fail(w.Node("mode"), $"watchdog.mode: '{mode}' is not supported by hasim agent, which drives no watchdog device; use off or automatic"),
                };
            }
            if (top.Has("tags"))
            {
                var tags = Mapping(top["tags"], "tags", TagKeys, []);
                if (tags.Has("nofailover")) settings = settings with { NoFailover = Bool(tags, "nofailover") };
                if (tags.Has("failover_priority")) settings = settings with { FailoverPriority = Int(tags, "failover_priority", 0) };
                if (tags.Has("nosync")) settings = settings with { NoSync = Bool(tags, "nosync") };
                if (tags.Has("sync_priority")) settings = settings with { SyncPriority = Int(tags, "sync_priority", 0) };
            }

            return new AgentConfig
            {
                Scope = scope,
                Name = name,
                Members = members,
                Etcd = etcdConfig,
                RestApiListen = EndpointOf(restapi, "listen"),
                Postgres = postgres,
                Settings = settings,
            };
        }

        private AgentConfigException Fail(YamlNode node, string reason) => Error(file, node.Start, reason);

        private static string Where(Map map, string key) => map.What == "the configuration" ? key : $"{map.What}.{key}";

        private Map Mapping(YamlNode node, string what, string[] allowed, string[] required)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Fail(node, $"{what}: expected a mapping with keys {string.Join(", ", allowed)}");
            }
            var map = new Map(mapping, what);
            foreach (var key in mapping.Children.Keys)
            {
                var k = ((YamlScalarNode)key).Value ?? "";
                if (!allowed.Contains(k, StringComparer.Ordinal))
                {
                    throw Fail(key, $"unknown key '{k}' in {what}; allowed keys: {string.Join(", ", allowed)}");
                }
            }
            foreach (var k in required)
            {
                if (!map.Has(k))
                {
                    throw Fail(node, $"{what}: missing key '{k}'");
                }
            }
            return map;
        }

        private string String(Map map, string key)
        {
            var node = map[key];
            if (node is not YamlScalarNode { Value: { Length: > 0 } value })
            {
                throw Fail(node, $"{Where(map, key)}: expected a non-empty text");
            }
            return value;
        }

        private bool Bool(Map map, string key)
        {
            var text = String(map, key).ToLowerInvariant();
            return text switch
            {
                "true" or "on" or "yes" => true,
                "false" or "off" or "no" => false,
                _ => throw Fail(map[key], $"{Where(map, key)}: expected true or false, found '{text}'"),
            };
        }

        private int Int(Map map, string key, int minimum)
        {
            var text = String(map, key);
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                throw Fail(map[key], $"{Where(map, key)}: expected a whole number of at least {minimum}, found '{text}'");
            }
            return value;
        }

        /// <summary>Seconds as Patroni writes them (<c>10</c>, <c>2.5</c>), or a duration with a unit (<c>10s</c>).</summary>
        private Duration DurationOf(Map map, string key, bool positive)
        {
            var text = String(map, key);
            Duration value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                value = Duration.FromSecondsRounded(seconds);
            }
            else if (!Duration.TryParse(text, out value, out var error))
            {
                throw Fail(map[key], $"{Where(map, key)}: expected seconds (10) or a duration (10s, 500ms): {error}");
            }
            if (value.IsNegative || (positive && value.IsZero))
            {
                throw Fail(map[key], $"{Where(map, key)}: '{text}' must be {(positive ? "positive" : "zero or positive")}");
            }
            return value;
        }

        private long SizeOf(Map map, string key)
        {
            var text = String(map, key);
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes >= 0)
            {
                return bytes;
            }
            if (!ByteText.TryParseSize(text, out bytes, out var error))
            {
                throw Fail(map[key], $"{Where(map, key)}: expected bytes (1048576) or a size (1MB): {error}");
            }
            return bytes;
        }

        private Endpoint EndpointOf(Map map, string key)
        {
            var text = String(map, key);
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw Fail(map[key], $"{Where(map, key)}: expected host:port, found '{text}'");
            }
            return new Endpoint(text[..colon], port);
        }

        private Uri UriOf(YamlNode node)
        {
            if (node is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                throw Fail(node, "etcd.hosts: expected an etcd client address (127.0.0.1:2379 or http://127.0.0.1:2379)");
            }
            var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
            if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                throw Fail(node, $"etcd.hosts: '{text}' is not an http address (TLS is not supported)");
            }
            return uri;
        }

        private PostgresUser UserOf(Map map, string key)
        {
            var user = Mapping(map[key], $"{Where(map, key)}", UserKeys, ["username"]);
            return new PostgresUser(String(user, "username"), user.Has("password") ? String(user, "password") : null);
        }
    }

    private sealed class Map(YamlMappingNode mapping, string what)
    {
        public string What => what;

        public bool Has(string key) => mapping.Children.ContainsKey(new YamlScalarNode(key));

        public YamlNode this[string key] => mapping.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? node
            : throw new InvalidOperationException($"{key} missing in {what}");

        public YamlNode Node(string key) => this[key];
    }
}
