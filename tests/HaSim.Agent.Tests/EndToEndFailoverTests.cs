using System.Diagnostics;
using System.Globalization;
using HaSim.Failover;
using HaSim.Primitives;
using Xunit.Abstractions;

namespace HaSim.Agent.Tests;

/// <summary>
/// The controller in production, end to end: etcd, three PostgreSQL 15 nodes with streaming
/// replication and one <c>hasim agent</c> per node, all on 127.0.0.1, with short timings and
/// synchronous_mode on. A client writes through the leader; the leader's PostgreSQL and agent are
/// killed with SIGKILL; another node must accept writes within the bound the timings imply, the
/// killed node must rejoin as a replica once its agent is restarted, and no acknowledged write may
/// be lost. The measured RTO is written to HASIM_E2E_OUT (if set) for <c>hasim predict --measured</c>.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class EndToEndFailoverTests(ITestOutputHelper testOutput)
{
    private readonly List<string> _summary = [];
    // Patroni's minimum ttl is 20 s (a ttl of 10 would be raised to 20, as the controller's Adjust does).
    private const string Settings = """
        ttl: 20
        loop_wait: 2
        retry_timeout: 3
        synchronous_mode: on
        """;

    private static readonly FailoverSettings Timings = new FailoverSettings
    {
        Ttl = Duration.FromSeconds(20),
        LoopWait = Duration.FromSeconds(2),
        RetryTimeout = Duration.FromSeconds(3),
    }.Adjust().Settings;

    [SkippableFact]
    public async Task Killing_the_leader_fails_over_within_the_ttl_bound_loses_no_acknowledged_write_and_it_rejoins()
    {
        Tools.RequireEtcd();
        Tools.RequirePostgres();
        var total = Stopwatch.StartNew();
        var output = new SummaryOutput(testOutput, _summary);
        using var cluster = RealCluster.Create(testOutput, Settings);
        var outDir = Environment.GetEnvironmentVariable("HASIM_E2E_OUT");
        try
        {
            output.WriteLine($"cluster set up in {total.Elapsed.TotalSeconds:F1}s in {cluster.Dir}");
            // The agents take over the running cluster. They do not bootstrap (an empty DCS tells a
            // standby nothing about the running primary), so the primary's agent goes first and
            // takes the leader key, then the standbys' agents join (README: hasim agent).
            var pg1 = cluster.Nodes[0];
            cluster.StartAgent(pg1);
            Assert.True(RealCluster.WaitUntil(() => cluster.Http(pg1, "/primary") == 200, TimeSpan.FromSeconds(60)), "pg1's agent did not take the leader key within 60 s");
            foreach (var node in cluster.Nodes.Skip(1))
            {
                cluster.StartAgent(node);
            }

            // In synchronous_mode pg1 names a synchronous standby in /sync and synchronous_standby_names.
            Assert.True(RealCluster.WaitUntil(() => cluster.Http(pg1, "/primary") == 200
                && cluster.Query<long>(pg1, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == 1
                && cluster.Query<long>(pg1, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 2, TimeSpan.FromSeconds(60)),
                "pg1 did not become the leader with a synchronous standby within 60 s");
            Assert.Equal(503, cluster.Http(cluster.Nodes[1], "/primary"));
            Assert.Equal(200, cluster.Http(cluster.Nodes[1], "/replica"));
            Assert.Equal("pg1", await cluster.EtcdValueAsync("leader"));
            var syncStandby = cluster.Query<string>(pg1, "SELECT application_name FROM pg_stat_replication WHERE sync_state = 'sync'")!;
            output.WriteLine($"leader pg1, synchronous standby {syncStandby} after {total.Elapsed.TotalSeconds:F1}s");

            // Writes through the leader, then the leader's PostgreSQL and agent die at once.
            var clock = Stopwatch.StartNew();
            var writer = new Writer(cluster.Nodes, clock);
            using var stopWriting = new CancellationTokenSource();
            var writing = Task.Run(() => writer.RunAsync(stopWriting.Token));
            Assert.True(RealCluster.WaitUntil(() => writer.Acks.Count >= 20, TimeSpan.FromSeconds(30)), "the writer got no acknowledgements from pg1");
            // The leader's agent is alive and cycling (renewing the key every loop_wait) ...
            var cycles = cluster.Cycles(pg1);
            Assert.True(RealCluster.WaitUntil(() => cluster.Cycles(pg1) >= cycles + 2, TimeSpan.FromSeconds(10)), "pg1's agent is not running its HA loop");
            // ... and the kill comes at a random phase of its loop, as the simulator's crash does.
            var phase = TimeSpan.FromSeconds(Random.Shared.NextDouble() * Timings.LoopWait.TotalSeconds);
            await Task.Delay(phase);
            var killedAt = clock.Elapsed;
            cluster.KillAgentAndPostgres(pg1);

            var bound = Timings.Ttl + Timings.LoopWait + FailoverSettings.PeerQueryTimeout + Duration.FromSeconds(5);
            var survived = RealCluster.WaitUntil(() => writer.Acks.Any(a => a.At > killedAt && a.Node != "pg1"), TimeSpan.FromSeconds(bound.TotalSeconds + 10));
            Assert.True(survived, $"no node accepted a write within {bound.TotalSeconds + 10}s of the kill");
            var first = writer.Acks.First(a => a.At > killedAt && a.Node != "pg1");
            var rto = first.At - killedAt;
            output.WriteLine($"RTO {rto.TotalSeconds:F3}s: pg1 killed at {killedAt.TotalSeconds:F3}s ({phase.TotalSeconds:F2}s after a cycle began), first write on {first.Node} at {first.At.TotalSeconds:F3}s");

            // A few seconds of writes on the new leader, then stop the client.
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stopWriting.CancelAsync();
            await writing;
            var newLeader = cluster.Nodes.Single(n => n.Name == first.Node);

            // The bound the timings imply: the key outlives the kill by at most ttl (its last renewal
            // was before the kill) and at least ttl - loop_wait (it is renewed every cycle); then a
            // standby notices (at once through its watch, or at its next cycle, loop_wait), asks its
            // peers (the dead one refuses, or 2 s at most), takes the key and runs pg_ctl promote;
            // 5 s of slack for promote and a busy shared machine.
            var low = Timings.Ttl - Timings.LoopWait - Duration.FromSeconds(1);
            Assert.InRange(rto.TotalSeconds, low.TotalSeconds, bound.TotalSeconds);
            // Only the synchronous standby may take over in synchronous_mode.
            Assert.Equal(syncStandby, newLeader.Name);
            Assert.Equal(newLeader.Name, await cluster.EtcdValueAsync("leader"));
            Assert.Equal(200, cluster.Http(newLeader, "/primary"));

            // No acknowledged write is lost: every one is on the new leader.
            var acked = writer.Acks.Select(a => a.Id).ToArray();
            var onLeader = cluster.Ids(newLeader).ToHashSet();
            var lost = acked.Where(id => !onLeader.Contains(id)).ToArray();
            output.WriteLine($"{acked.Length} acknowledged writes ({writer.Acks.Count(a => a.At < killedAt)} before the kill), {lost.Length} lost");
            Assert.Empty(lost);

            // The killed node's agent comes back: it rewinds pg1 and starts it as a standby of the new leader.
            var restartedAt = clock.Elapsed;
            cluster.StartAgent(pg1);
            Assert.True(RealCluster.WaitUntil(() => cluster.Http(pg1, "/replica") == 200
                && cluster.Query<long>(newLeader, "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg1' AND state = 'streaming'") == 1,
                TimeSpan.FromSeconds(90)), "pg1 did not rejoin as a streaming replica within 90 s of its agent's restart");
            output.WriteLine($"pg1 rejoined as a replica {(clock.Elapsed - restartedAt).TotalSeconds:F1}s after its agent restarted");
            Assert.Equal(503, cluster.Http(pg1, "/primary"));
            Assert.True(cluster.Query<bool>(pg1, "SELECT pg_is_in_recovery()"));

            // ... and it holds every acknowledged write once it has replayed the new leader's WAL.
            var leaderLsn = cluster.Query<object>(newLeader, "SELECT pg_current_wal_lsn()::text")!.ToString();
            Assert.True(RealCluster.WaitUntil(() => cluster.Query<bool>(pg1, $"SELECT pg_last_wal_replay_lsn() >= '{leaderLsn}'::pg_lsn"), TimeSpan.FromSeconds(30)),
                "pg1 did not replay the new leader's WAL within 30 s");
            var onRejoined = cluster.Ids(pg1).ToHashSet();
            var missing = acked.Where(id => !onRejoined.Contains(id)).ToArray();
            Assert.True(missing.Length == 0, $"the rejoined pg1 lacks {missing.Length} acknowledged writes");

            output.WriteLine($"end-to-end test took {total.Elapsed.TotalSeconds:F1}s");
            if (outDir is { Length: > 0 })
            {
                Directory.CreateDirectory(outDir);
                File.AppendAllText(Path.Combine(outDir, "rto.txt"),
                    $"# hasim agent end to end: SIGKILL of the leader's PostgreSQL and agent to the first acknowledged write on {first.Node} (ttl={Timings.Ttl} loop_wait={Timings.LoopWait} retry_timeout={Timings.RetryTimeout} synchronous_mode=on)\n"
                    + rto.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + "\n");
                File.Copy(pg1.ConfigPath, Path.Combine(outDir, "node.yaml"), overwrite: true);
            }
        }
        finally
        {
            if (outDir is { Length: > 0 })
            {
                cluster.CopyLogs(Path.Combine(outDir, "logs"));
                File.WriteAllLines(Path.Combine(outDir, "summary.txt"), _summary.Select(line => "e2e: " + line));
            }
        }
    }
}

/// <summary>The test's own lines go to the test output and to summary.txt (CI prints it).</summary>
internal sealed class SummaryOutput(ITestOutputHelper output, List<string> lines)
{
    public void WriteLine(string line)
    {
        output.WriteLine(line);
        lines.Add(line);
    }
}
