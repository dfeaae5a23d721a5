using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit.Abstractions;

namespace HaSim.Agent.Tests;

/// <summary>
/// A real three-node cluster on 127.0.0.1 for the end-to-end test: one etcd, three PostgreSQL 15
/// instances (a primary made by initdb, two standbys by pg_basebackup, all run as the postgres
/// user when the tests are root) and one <c>hasim agent</c> process per node. Every process it
/// starts is stopped by its pid on dispose, whatever happened: agents by SIGKILL, each data
/// directory's postmaster (whoever started it) by SIGQUIT (immediate shutdown) then SIGKILL, etcd by SIGTERM.
/// </summary>
internal sealed class RealCluster : IDisposable
{
    public sealed class Node(string name, int pgPort, int apiPort, string dataDir, string configPath)
    {
        public string Name { get; } = name;
        public int PgPort { get; } = pgPort;
        public int ApiPort { get; } = apiPort;
        public string DataDir { get; } = dataDir;
        public string ConfigPath { get; } = configPath;
        public Process? Agent { get; set; }
        public string AgentLog => Path.ChangeExtension(ConfigPath, ".agent.log");

        public string ConnectionString(int timeoutSeconds = 1, int commandTimeoutSeconds = 3) => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = PgPort,
            Username = "postgres",
            Database = "postgres",
            Timeout = timeoutSeconds,
            CommandTimeout = commandTimeoutSeconds,
            Pooling = false,
        }.ConnectionString;
    }

    private readonly ITestOutputHelper _output;
    private readonly List<Process> _agentsEverStarted = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private RealCluster(ITestOutputHelper output, string dir, EtcdServer etcd, Node[] nodes, string scope)
    {
        _output = output;
        Dir = dir;
        Etcd = etcd;
        Nodes = nodes;
        Scope = scope;
    }

    public string Dir { get; }
    public EtcdServer Etcd { get; }
    public Node[] Nodes { get; }
    public string Scope { get; }

    /// <summary>
    /// etcd, then the primary (initdb with wal_log_hints for pg_rewind, a replication role, the
    /// test's table), then two standbys cloned from it; agents are started separately.
    /// <paramref name="settings"/> is the Patroni part of every agent's configuration.
    /// </summary>
    public static RealCluster Create(ITestOutputHelper output, string settings)
    {
        var dir = Tools.TempDir("hasim-e2e");
        EtcdServer? etcd = null;
        RealCluster? cluster = null;
        try
        {
            etcd = EtcdServer.Start(dir);
            var nodes = Enumerable.Range(1, 3).Select(i => new Node($"pg{i}", Tools.FreePort(), Tools.FreePort(),
                Path.Combine(dir, $"pg{i}"), Path.Combine(dir, $"pg{i}.yaml"))).ToArray();
            cluster = new RealCluster(output, dir, etcd, nodes, "e2e");
            cluster.InitDatabases();
            cluster.WriteConfigs(settings);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                cluster.Dispose();
            }
            else
            {
                etcd?.Dispose();
            }
            throw;
        }
    }

    private void InitDatabases()
    {
        var primary = Nodes[0];
        Tools.RunPg("initdb", "-D", primary.DataDir, "-U", "postgres", "-A", "trust", "--no-sync");
        File.AppendAllText(Path.Combine(primary.DataDir, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{Dir}'
            wal_level = replica
            wal_log_hints = on
            max_wal_senders = 10
            wal_keep_size = '256MB'
            hot_standby = on
            fsync = on
            """);
        StartPostgres(primary);
        using (var connection = new NpgsqlConnection(primary.ConnectionString(5, 10)))
        {
            connection.Open();
            using var command = new NpgsqlCommand("CREATE ROLE replicator WITH REPLICATION LOGIN; CREATE TABLE writes (id bigint PRIMARY KEY, node text NOT NULL)", connection);
            command.ExecuteNonQuery();
        }
        foreach (var standby in Nodes.Skip(1))
        {
            Tools.RunPg("pg_basebackup", "-h", "127.0.0.1", "-p", primary.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "postgres",
                "-D", standby.DataDir, "-R", "-X", "stream", "--no-sync");
            StartPostgres(standby);
        }
    }

    private void StartPostgres(Node node) =>
        Tools.RunPg("pg_ctl", "start", "-D", node.DataDir, "-w", "-t", "60", "-l", Path.Combine(Dir, node.Name + ".postgresql.log"),
            "-o", $"-c port={node.PgPort.ToString(CultureInfo.InvariantCulture)}");

    private void WriteConfigs(string settings)
    {
        var members = string.Join("\n", Nodes.Select(n =>
            $"  - {{ name: {n.Name}, restapi: 127.0.0.1:{n.ApiPort.ToString(CultureInfo.InvariantCulture)}, postgresql: 127.0.0.1:{n.PgPort.ToString(CultureInfo.InvariantCulture)} }}"));
        foreach (var node in Nodes)
        {
            File.WriteAllText(node.ConfigPath, $$"""
                scope: {{Scope}}
                name: {{node.Name}}
                {{settings.Trim().ReplaceLineEndings("\n")}}
                etcd: { hosts: ["{{Etcd.ClientUrl}}"] }
                restapi: { listen: 127.0.0.1:{{node.ApiPort.ToString(CultureInfo.InvariantCulture)}} }
                postgresql:
                  data_dir: {{node.DataDir}}
                  bin_dir: {{Tools.PgBin}}
                  {{(Tools.IsRoot ? "run_as: " + Tools.PostgresUser : "")}}
                  log_file: {{Path.Combine(Dir, node.Name + ".postgresql.log")}}
                  superuser: { username: postgres }
                  replication: { username: replicator }
                members:
                {{members}}

                """);
        }
    }

    public void StartAgent(Node node)
    {
        var (dotnet, dll) = Tools.Hasim();
        node.Agent = Tools.StartToFile(dotnet, [dll, "agent", "--config", node.ConfigPath], node.AgentLog,
            new Dictionary<string, string> { ["HASIM_AGENT_VERBOSE"] = "1" });
        _agentsEverStarted.Add(node.Agent);
    }

    /// <summary>SIGKILL of the node's agent and of its postmaster, at once.</summary>
    public void KillAgentAndPostgres(Node node)
    {
        var postmaster = Tools.PostmasterPid(node.DataDir);
        Tools.Signal(node.Agent!.Id, Tools.SigKill);
        if (postmaster is { } pid)
        {
            Tools.Signal(pid, Tools.SigKill);
        }
    }

    /// <summary>How many HA cycles the node's agent has started, from its <c>GET /patroni</c> (-1 when it does not answer).</summary>
    public long Cycles(Node node)
    {
        try
        {
            var text = _http.GetStringAsync(new Uri($"http://127.0.0.1:{node.ApiPort}/patroni")).Result;
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.GetProperty("cycles").GetInt64();
        }
        catch (AggregateException)
        {
            return -1;
        }
    }

    /// <summary>An agent's REST API answer code for <paramref name="path"/> (0 when it does not answer).</summary>
    public int Http(Node node, string path)
    {
        try
        {
            using var response = _http.GetAsync(new Uri($"http://127.0.0.1:{node.ApiPort}{path}")).Result;
            return (int)response.StatusCode;
        }
        catch (AggregateException)
        {
            return 0;
        }
    }

    public T? Query<T>(Node node, string sql)
    {
        using var connection = new NpgsqlConnection(node.ConnectionString(2, 5));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)value;
    }

    public List<long> Ids(Node node)
    {
        using var connection = new NpgsqlConnection(node.ConnectionString(2, 10));
        connection.Open();
        using var command = new NpgsqlCommand("SELECT id FROM writes", connection);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    public async Task<string?> EtcdValueAsync(string key)
    {
        using var client = new EtcdClient([Etcd.ClientUrl]);
        return (await client.GetAsync($"/service/{Scope}/{key}", CancellationToken.None))?.Value;
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            try
            {
                if (condition())
                {
                    return true;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or AggregateException or InvalidCastException)
            {
                // not there yet
            }
            Thread.Sleep(200);
        }
        return false;
    }

    /// <summary>Copies the logs to <paramref name="dir"/> (CI keeps them beside the measurements).</summary>
    public void CopyLogs(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.EnumerateFiles(Dir).Where(f => f.EndsWith(".log", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)), overwrite: true);
        }
    }

    public void Dispose()
    {
        foreach (var agent in _agentsEverStarted)
        {
            Tools.Stop(agent.Id, Tools.SigKill, TimeSpan.FromSeconds(5));
        }
        foreach (var node in Nodes)
        {
            if (Tools.PostmasterPid(node.DataDir) is { } pid)
            {
                Tools.Stop(pid, Tools.SigQuit, TimeSpan.FromSeconds(10));
            }
        }
        Etcd.Dispose();
        foreach (var node in Nodes)
        {
            if (File.Exists(node.AgentLog))
            {
                var lines = File.ReadAllLines(node.AgentLog);
                var shown = lines.Where(l => !l.Contains(" <- ", StringComparison.Ordinal) && !l.Contains(" -> ", StringComparison.Ordinal)).ToArray();
                _output.WriteLine($"--- {node.Name} agent log (last 30 of {shown.Length} lines without the verbose ones)");
                foreach (var line in shown.TakeLast(30))
                {
                    _output.WriteLine(line);
                }
            }
        }
        foreach (var agent in _agentsEverStarted)
        {
            agent.WaitForExit(2000);
            agent.Dispose();
        }
        _http.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not remove {Dir}: {e.Message}");
        }
    }
}
