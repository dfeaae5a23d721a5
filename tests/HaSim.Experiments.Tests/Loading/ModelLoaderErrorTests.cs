using HaSim.Experiments.Loading;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>
/// Each malformed model is reported with the position of the offending node and a message that
/// says what is allowed. Most cases change <see cref="ModelTexts.Minimal"/> (lines 1-10) or
/// append to it (from line 11 on).
/// </summary>
public sealed class ModelLoaderErrorTests
{
    private const string Source = "models/x.yaml";

    public static TheoryData<string, string, int, int, string> Cases() => new()
    {
        // YAML itself
        { "syntax error", "name: t\nregions: [r1\n", 3, 1, "invalid YAML: " },
        { "duplicate key", Append("name: again\n"), 11, 1, "duplicate key 'name'; a key may appear only once in a mapping" },
        { "empty file", "", 1, 1, "the model is empty; a model is a mapping with at least the keys regions, nodes, workload" },
        { "top level is a list", "- a\n- b\n", 1, 1, "expected a mapping, found a list; allowed keys: name, duration, warmup," },
        { "two documents", Append("---\nname: u\n"), 12, 1, "a second YAML document; a model file holds exactly one" },

        // keys and types
        { "unknown top-level key", Append("regoins: []\n"), 11, 1, "unknown key 'regoins' at the top level (did you mean 'regions'?); allowed keys: name," },
        { "missing required key", ModelTexts.Minimal[..ModelTexts.Minimal.IndexOf("workload:", StringComparison.Ordinal)], 1, 1, "missing key 'workload'; required keys: regions, nodes, workload" },
        { "missing key in a region", Replace("    zones: [a, b]\n", "").Replace("regions:\n  - name: r1\n", "regions:\n  - name: r1\n  - {name: r2, zones: [a, b]}\n", StringComparison.Ordinal), 3, 5, "regions[0]: missing key 'zones'; required keys: name, zones" },
        { "unknown key in a section", Append("replication:\n  synchronous_comit: on\n"), 12, 3, "unknown key 'synchronous_comit' in replication (did you mean 'synchronous_commit'?); allowed keys: synchronous_commit, synchronous_standby_names, group_commit, wal_sender_timeout, storage_quorum, semi_sync" },
        { "list for a mapping", Append("replication: [on]\n"), 11, 14, "replication: expected a mapping, found a list; allowed keys: synchronous_commit," },
        { "empty section", Append("network:\n"), 11, 9, "network: expected a mapping, found an empty value" },
        { "mapping for a scalar", Append("duration: {s: 60}\n"), 11, 11, "duration: expected a duration with a unit, such as 250us" },
        { "number for a duration", Append("duration: 60\n"), 11, 11, "duration: expected a duration with a unit, such as 250us, 1.5ms, 30s, 2m, 1h or 1m30s (units: ns, us, ms, s, m, h), found the number 60" },
        { "quoted number", Replace("rate: 100", "rate: '100'"), 10, 9, "workload.rate: expected a number > 0, found '100' (remove the quotes to make it a number)" },
        { "number for a name", Replace("zones: [a, b]", "zones: [1, b]"), 4, 13, "regions[0].zones[0]: expected a zone name, found the number 1; quote it ('1') to use it as a name" },
        { "boolean expected", Append("replication:\n  group_commit: yes\n"), 12, 17, "replication.group_commit: expected true or false, found 'yes'" },

        // values and ranges
        { "unknown duration unit", Append("duration: 60sec\n"), 11, 11, "duration: '60sec' has an unknown unit 'sec'" },
        { "zero duration", Append("sample_interval: 0s\n"), 11, 18, "sample_interval: expected a duration greater than 0s, found 0s" },
        { "negative warmup", Append("warmup: -5s\n"), 11, 9, "warmup: expected a duration of 0s or more, found -5s" },
        { "max_events zero", Append("max_events: 0\n"), 11, 13, "max_events: expected a whole number >= 1, found 0" },
        { "max_events fraction", Append("max_events: 1.5\n"), 11, 13, "max_events: expected a whole number >= 1, found the number 1.5" },
        { "too many clients", Replace("rate: 100", "clients: 3000000000\n  think_time: 1ms"), 10, 12, "workload.clients: expected a whole number >= 1 and at most 2147483647, found 3000000000" },
        { "NaN rate", Replace("rate: 100", "rate: .nan"), 10, 9, "workload.rate: expected a number > 0, found .nan" },
        { "negative rate", Replace("rate: 100", "rate: -5"), 10, 9, "workload.rate: expected a number > 0, found -5" },
        { "zero replay throughput", Append("node_defaults:\n  replay_throughput: 0MB/s\n"), 12, 22, "node_defaults.replay_throughput: expected a rate greater than 0, found '0MB/s'" },
        { "unknown bandwidth unit", Append("network:\n  bandwidth: 10Gbs\n"), 12, 14, "network.bandwidth: '10Gbs' has an unknown unit 'Gbs'; expected a rate such as 200MB/s or 10Gbps" },
        { "loss of one", Append("network:\n  loss: 1\n"), 12, 9, "network.loss: expected a number in [0, 1), found 1" },
        { "read fraction above one", Append("  read_fraction: 1.5\n"), 11, 18, "workload.read_fraction: expected a number in [0, 1], found 1.5" },

        // distributions: the column of the problem inside the value
        { "distribution parameter", Append("node_defaults:\n  wal_flush: exp(meen=1ms)\n"), 12, 18, "node_defaults.wal_flush: at column 5 of the distribution: unknown parameter 'meen' for exp; expected exp(mean=<duration>)" },
        { "quoted distribution", Append("node_defaults:\n  wal_flush: 'exp(meen=1ms)'\n"), 12, 19, "at column 5 of the distribution: unknown parameter 'meen' for exp" },
        { "tagged distribution", Append("node_defaults:\n  wal_flush: !!str exp(meen=1ms)\n"), 12, 24, "at column 5 of the distribution: unknown parameter 'meen' for exp" },
        { "escaped distribution", Append("node_defaults:\n  wal_flush: \"exp(\\x6deen=1ms)\"\n"), 12, 14, "at column 5 of the distribution: unknown parameter 'meen' for exp" },
        { "size distribution", Append("  transaction_size: lognormal(median=1kB, p99=8ms)\n"), 11, 47, "workload.transaction_size: at column 27 of the distribution: " },
        { "number for a distribution", Append("node_defaults:\n  wal_write: 10\n"), 12, 14, "node_defaults.wal_write: expected a latency distribution such as" },

        // topology
        { "empty regions", Replace("regions:\n  - name: r1\n    zones: [a, b]\n", "regions: []\n"), 2, 10, "regions: expected at least one region, found an empty list" },
        { "duplicate region", Replace("    zones: [a, b]\n", "    zones: [a, b]\n  - {name: r1, zones: [c]}\n"), 5, 12, "regions[1].name: duplicate region name 'r1'; region names must be unique" },
        { "duplicate zone", Replace("    zones: [a, b]\n", "    zones: [a, b]\n  - {name: r2, zones: [c, a]}\n"), 5, 27, "regions[1].zones[1]: duplicate zone name 'a' (already in region 'r1'); zone names must be unique across all regions" },
        { "undefined zone", Replace("{name: s2, zone: b,", "{name: s2, zone: c,"), 8, 22, "nodes[2].zone: unknown zone 'c' (did you mean 'a'?); zones defined under regions: a, b" },
        { "duplicate node ignoring case", Replace("name: s2", "name: S1"), 8, 12, "nodes[2].name: duplicate node name 'S1' (the same as 's1'); node names must be unique, ignoring case" },
        { "misspelt role", Replace("{name: s1, zone: b, role: standby}", "{name: s1, zone: b, role: standy}"), 7, 31, "nodes[1].role: unknown role 'standy' (did you mean 'standby'?); allowed: primary, standby, storage" },
        { "two primaries", Replace("{name: s2, zone: b, role: standby}", "{name: s2, zone: b, role: primary}"), 8, 31, "nodes[2].role: a second primary ('p' is one already); exactly one node must have role primary" },
        { "no primary", Replace("role: primary", "role: standby"), 6, 3, "nodes: no node has role primary; exactly one node must" },

        // network links
        { "link to itself", Append("network:\n  links:\n    - {from: s1, to: s1, latency: 1ms}\n"), 13, 22, "network.links[0].to: a link joins two different nodes; from and to are the same node" },
        { "link to an unknown node", Append("network:\n  links:\n    - {between: [p, s3], latency: 1ms}\n"), 13, 21, "network.links[0].between[1]: unknown node 's3' (did you mean 's1'?); nodes: p, s1, s2" },
        { "link with three ends", Append("network:\n  links:\n    - {between: [p, s1, s2], latency: 1ms}\n"), 13, 17, "network.links[0].between: expected exactly two node names, found 3" },
        { "link without settings", Append("network:\n  links:\n    - {between: [p, s1]}\n"), 13, 7, "network.links[0]: a link override must set at least one of latency, bandwidth, loss" },
        { "link with between and from", Append("network:\n  links:\n    - {between: [p, s1], from: p, latency: 1ms}\n"), 13, 32, "network.links[0].from: cannot be combined with between" },
        { "link without to", Append("network:\n  links:\n    - {from: p, loss: 0.1}\n"), 13, 7, "network.links[0]: missing to; a link override names its nodes with between: [a, b]" },

        // replication
        { "unknown commit level", Append("replication:\n  synchronous_commit: remote_aply\n"), 12, 23, "replication.synchronous_commit: unknown synchronous_commit level 'remote_aply' (did you mean 'remote_apply'?); allowed: off, local, remote_write, on, remote_apply, true, false" },
        { "standby names grammar", Append("replication:\n  synchronous_standby_names: 'FIRST (s1)'\n"), 12, 30, "replication.synchronous_standby_names: expected a number of synchronous standbys after FIRST" },
        { "standby names list the primary", Append("replication:\n  synchronous_standby_names: 'FIRST 1 (p)'\n"), 12, 30, "'p' has role primary, not standby; every name but '*' must be a standby (standbys: s1, s2)" },
        { "standby names list an unknown node", Append("replication:\n  synchronous_standby_names: 'FIRST 1 (s3)'\n"), 12, 30, "'s3' is not a node (did you mean 's1'?); every name but '*' must be a standby" },
        { "standby names count too high", Append("replication:\n  synchronous_standby_names: 'FIRST 3 (*)'\n"), 12, 30, "FIRST 3 waits for 3 synchronous standbys, but its names match only 2 (standbys: s1, s2)" },
        { "standby names repeat a standby", Append("replication:\n  synchronous_standby_names: 'ANY 2 (s1, S1)'\n"), 12, 30, "ANY 2 waits for 2 synchronous standbys, but its names match only 1" },
        { "storage quorum without storage nodes", Append("replication:\n  storage_quorum: {write_quorum: 1}\n"), 12, 19, "replication.storage_quorum: requires nodes with role storage, and there are none" },
        { "storage node without storage quorum", Replace("{name: s2, zone: b, role: standby}", "{name: s2, zone: b, role: storage}"), 8, 31, "nodes[2].role: nodes with role storage require replication.storage_quorum" },
        { "write quorum too large", Replace("{name: s2, zone: b, role: standby}", "{name: s2, zone: b, role: storage}") + "replication:\n  storage_quorum: {write_quorum: 2}\n", 12, 34, "replication.storage_quorum.write_quorum: expected a whole number from 1 to 1 (the number of storage nodes), found 2" },
        { "semi-sync with standby names", Append("replication:\n  synchronous_standby_names: 's1'\n  semi_sync: {}\n"), 13, 14, "replication.semi_sync: cannot be combined with synchronous_standby_names; choose one of" },
        { "semi-sync count too large", Append("replication:\n  semi_sync: {wait_for_replica_count: 3}\n"), 12, 39, "replication.semi_sync.wait_for_replica_count: expected a whole number from 1 to 2 (the number of standbys), found 3" },

        // workload
        { "no rate and no clients", Replace("rate: 100", "read_fraction: 0.5"), 10, 3, "workload: needs rate (open-loop transactions per second), clients (closed-loop clients, with think_time), or both" },
        { "clients without think time", Replace("rate: 100", "clients: 8"), 10, 12, "workload.clients: clients requires think_time" },
        { "think time without clients", Append("  think_time: 1ms\n"), 11, 15, "workload.think_time: think_time applies only to closed-loop clients" },
        { "reads on replicas without standbys", ModelTexts.Minimal.Replace("role: standby}", "role: storage}", StringComparison.Ordinal).Replace("rate: 100", "rate: 100\n  reads_on: replicas", StringComparison.Ordinal) + "replication:\n  storage_quorum: {write_quorum: 2}\n", 11, 13, "workload.reads_on: reads on replicas need at least one node with role standby, and there are none" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_model_is_reported_at_the_offending_node(string problem, string yaml, int line, int column, string reason)
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelLoader.LoadText(yaml, Source));

        Assert.True(
            error.Line == line && error.Column == column && error.Reason.Contains(reason, StringComparison.Ordinal),
            $"{problem}: expected {line}:{column} with '{reason}', got {error.Message}");
    }

    private static string Append(string text) => ModelTexts.Minimal + text;

    private static string Replace(string oldText, string newText)
    {
        Assert.Contains(oldText, ModelTexts.Minimal, StringComparison.Ordinal);
        return ModelTexts.Minimal.Replace(oldText, newText, StringComparison.Ordinal);
    }
}
