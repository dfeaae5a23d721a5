using System.Text.Json;
using HaSim.Experiments.Loading;
using Json.Schema;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>The shipped models load and validate against the JSON Schema; the schema rejects what the loader rejects.</summary>
public sealed class ModelSchemaTests
{
    private static readonly string ModelsFolder = Path.Combine(AppContext.BaseDirectory, "models");

    private static readonly JsonSchema Schema =
        JsonSchema.FromText(File.ReadAllText(Path.Combine(ModelsFolder, "schema", "hasim-model.schema.json")));

    public static TheoryData<string> ModelFiles() => new(ModelFileNames());

    [Fact]
    public void The_models_folder_is_copied_with_at_least_the_lesson()
    {
        Assert.Contains("lesson.yaml", ModelFileNames());
    }

    [Theory]
    [MemberData(nameof(ModelFiles))]
    public void Every_shipped_model_loads(string file)
    {
        var spec = ModelLoader.LoadFile(Path.Combine(ModelsFolder, file));

        Assert.NotEmpty(spec.Nodes);
    }

    [Theory]
    [MemberData(nameof(ModelFiles))]
    public void Every_shipped_model_satisfies_the_schema(string file)
    {
        var errors = Validate(File.ReadAllText(Path.Combine(ModelsFolder, file)));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [InlineData("regoins: []", "regoins")]
    [InlineData("replication: {synchronous_comit: on}", "synchronous_comit")]
    [InlineData("replication: {synchronous_commit: maybe}", "synchronous_commit")]
    [InlineData("replication: {synchronous_commit: 1}", "synchronous_commit")]
    [InlineData("network: {loss: 1}", "loss")]
    [InlineData("network: {bandwidth: 10Gbs}", "bandwidth")]
    [InlineData("duration: 60", "duration")]
    [InlineData("network: {links: [{between: [p, s1], from: p, latency: 1ms}]}", "links")]
    [InlineData("replication: {storage_quorum: {write_quorum: 1}, semi_sync: {}}", "replication")]
    [InlineData("failover: {ttl: 30}", "ttl")]
    [InlineData("failover: {loop_wiat: 10s}", "failover")]
    [InlineData("failover: {synchronous_mode: quorum}", "synchronous_mode")]
    [InlineData("failover: {watchdog: {mode: sometimes}}", "mode")]
    [InlineData("failover: {watchdog: {safety_margin: -2}}", "safety_margin")]
    [InlineData("failover: {dcs: {members: []}}", "members")]
    [InlineData("failover: {tags: {s1: {noloadbalance: true}}}", "tags")]
    [InlineData("failover: {health_check: {init_state: fully_up}}", "init_state")]
    [InlineData("failover: {clients: {retry: {deadline: never}}}", "deadline")]
    [InlineData("replication: {semi_sync: {}}\nfailover: {}", "replication")]
    [InlineData("replication: {synchronous_standby_names: s1}\nfailover: {synchronous_mode: on}", "synchronous_standby_names")]
    [InlineData("failover: {agent: naive_script}", "agent")]
    [InlineData("failover: {agent: naive-script, ttl: 30s}", "ttl")]
    [InlineData("failover: {agent: naive-script, dcs: {members: [a]}}", "dcs")]
    [InlineData("failover: {heartbeat_timeout: 5s}", "heartbeat_timeout")]
    [InlineData("failover: {health_check: {balance: leastconn}}", "balance")]
    [InlineData("failover: {enforce_timing_rule: 'no'}", "enforce_timing_rule")]
    [InlineData("faults: [{clock_drift: {node: p, rate: 0}, at: 1s}]", "faults")]
    [InlineData("faults: [{pause: {node: p, scope: vm}, at: 1s}]", "faults")]
    [InlineData("faults: [{crash: {node: p, scope: vm}, at: 1s}]", "faults")]
    public void The_schema_rejects_bad_documents(string extra, string location)
    {
        var errors = Validate(ModelTexts.Minimal + extra + "\n");

        Assert.True(errors.Exists(e => e.Contains(location, StringComparison.Ordinal)), string.Join("\n", errors));
    }

    [Fact]
    public void The_schema_accepts_every_failover_key_and_the_new_fault_forms()
    {
        var faults = """
            faults:
              - {crash: pg1, at: 1s}
              - {crash: {node: pg2, scope: processes}, at: 1s, for: 5s}
              - {pause: {node: pg1, scope: agent}, at: 1s}
              - {dcs_crash: e-a, at: 1s, for: 10s}
              - {clock_drift: {node: pg2, rate: 1.5}, at: 1s}
              - {partition: [[pg1, e-a], [pg2, clients]], at: 1s}
              - {partition: {from: [clients], to: [etcd2]}, at: 1s}

            """;

        Assert.Empty(Validate(FailoverLoaderTests.Full + faults));
        Assert.Empty(Validate(ModelTexts.Minimal + "failover: {synchronous_mode: on}\nreplication: {synchronous_standby_names: ''}\n"));
        Assert.Empty(Validate(ModelTexts.Minimal + "failover: {agent: naive-script, heartbeat_interval: 500ms, heartbeat_timeout: 5s, tags: {s1: {failover_priority: 2}}, health_check: {balance: roundrobin}}\n"));
        Assert.Empty(Validate(ModelTexts.Minimal + "failover: {agent: patroni, enforce_timing_rule: false, unsafe_disable_fencing: true}\n"));
    }

    [Fact]
    public void The_schema_rejects_an_unknown_role_and_a_workload_without_rate_or_clients()
    {
        var yaml = ModelTexts.Minimal.Replace("role: standby}", "role: standy}", StringComparison.Ordinal)
            .Replace("rate: 100", "read_fraction: 0.5", StringComparison.Ordinal);

        var errors = Validate(yaml);

        Assert.Contains(errors, e => e.Contains("/nodes/1/role", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/workload", StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_accepts_synchronous_commit_as_a_word_in_any_case_or_a_boolean()
    {
        foreach (var value in new[] { "on", "OFF", "remote_apply", "true", "false", "'Local'" })
        {
            Assert.Empty(Validate(ModelTexts.Minimal + $"replication: {{synchronous_commit: {value}}}\n"));
        }
    }

    /// <summary>Every *.yaml under models/ but the schema folder, relative to it, in ordinal order.</summary>
    private static List<string> ModelFileNames() =>
    [
        .. Directory.EnumerateFiles(ModelsFolder, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ModelsFolder, f))
            .Where(f => !f.StartsWith("schema" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>
    /// The failing evaluations as "instance location (schema path): errors" lines; empty when the
    /// document is valid. Failing branches of a passing anyOf show up too, which is harmless for
    /// the Contains checks above.
    /// </summary>
    private static List<string> Validate(string yaml)
    {
        var results = Schema.Evaluate(YamlToJson.Convert(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }
        return [.. (results.Details ?? [])
            .Where(d => !d.IsValid)
            .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join("; ", (d.Errors ?? new Dictionary<string, string>()).Select(e => $"{e.Key}: {e.Value}"))}")];
    }
}
