using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent.Tests;

public sealed class ConfigAndStatusTests
{
    private const string Example = """
        scope: demo
        name: pg2
        ttl: 20
        loop_wait: 2
        retry_timeout: 3s
        synchronous_mode: on
        maximum_lag_on_failover: 1MB
        tags: { failover_priority: 2 }
        etcd: { hosts: [127.0.0.1:2379, "http://127.0.0.1:22379"] }
        restapi: { listen: 127.0.0.1:8009 }
        postgresql:
          data_dir: /var/lib/postgresql/15/pg2
          bin_dir: /usr/lib/postgresql/15/bin
          run_as: postgres
          superuser: { username: postgres }
          replication: { username: replicator, password: secret }
        members:
          - { name: pg1, restapi: 127.0.0.1:8008, postgresql: 127.0.0.1:5432 }
          - { name: pg2, restapi: 127.0.0.1:8009, postgresql: 127.0.0.1:5433 }
          - { name: pg3, restapi: 127.0.0.1:8010, postgresql: 127.0.0.1:5434 }
        """;

    [Fact]
    public void Reads_patroni_names_and_the_members()
    {
        var config = AgentConfigReader.Parse(Example, "node.yaml");
        Assert.Equal(new NodeId(1), config.Self);
        Assert.Equal(Duration.FromSeconds(20), config.Settings.Ttl);
        Assert.Equal(Duration.FromSeconds(2), config.Settings.LoopWait);
        Assert.Equal(Duration.FromSeconds(3), config.Settings.RetryTimeout);
        Assert.Equal(SynchronousMode.On, config.Settings.SynchronousMode);
        Assert.Equal(1_048_576, config.Settings.MaximumLagOnFailover);
        Assert.Equal(2, config.Settings.FailoverPriority);
        Assert.Equal(WatchdogMode.Off, config.Settings.WatchdogMode);
        Assert.Equal(["pg1", "pg2", "pg3"], config.MemberNames);
        Assert.Equal(new Endpoint("127.0.0.1", 5433), config.Member(config.Self).Postgres);
        Assert.Equal([new Uri("http://127.0.0.1:2379"), new Uri("http://127.0.0.1:22379")], config.Etcd.Hosts);
        Assert.Equal("secret", config.Postgres.Replication.Password);
    }

    [Theory]
    [InlineData("loop_wait: 2", "loop_wiat: 2", "node.yaml:4:1: unknown key 'loop_wiat' in the configuration")]
    [InlineData("scope: demo\nname: pg2", "scope: demo\nname: pg9", "node.yaml:2:7: name: 'pg9' is not one of the members (pg1, pg2, pg3)")]
    [InlineData("ttl: 20", "ttl: soon", "node.yaml:3:6: ttl: expected seconds (10) or a duration (10s, 500ms)")]
    [InlineData("synchronous_mode: on", "synchronous_mode: quorum", "node.yaml:6:19: synchronous_mode: expected on, off or strict")]
    [InlineData("restapi: { listen: 127.0.0.1:8009 }", "restapi: { listen: localhost }", "node.yaml:10:20: restapi.listen: expected host:port")]
    public void Errors_name_file_line_and_column(string from, string to, string expected)
    {
        var e = Assert.Throws<AgentConfigException>(() => AgentConfigReader.Parse(Example.Replace(from, to, StringComparison.Ordinal), "node.yaml"));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_watchdog_is_refused_since_no_device_is_driven()
    {
        var e = Assert.Throws<AgentConfigException>(() => AgentConfigReader.Parse(Example + "\nwatchdog: { mode: required }\n", "node.yaml"));
        Assert.Contains("drives no watchdog device", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_status_json_reads_back_as_the_peer_report_the_controller_gets(bool primary)
    {
        var status = new NodeStatus("pg1", PostgresState.Running, primary, 3, new Lsn(500), new Lsn(400), new Lsn(450),
            HasLock: primary, "msg", 7, new MemberTags(NoFailover: true, FailoverPriority: 4), WatchdogFailed: false);
        using var doc = System.Text.Json.JsonDocument.Parse(status.ToJson().ToJsonString());
        var report = NodeStatus.ReadPeerReport(doc.RootElement);
        Assert.Equal(new PeerReport(primary, new Lsn(primary ? 500UL : 450UL), new Term(3), NoFailover: true, WatchdogFailed: false, FailoverPriority: 4), report);
    }
}
