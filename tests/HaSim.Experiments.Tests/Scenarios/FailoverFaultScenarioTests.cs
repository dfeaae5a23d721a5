using HaSim.Checkers;
using HaSim.Experiments.Loading;
using HaSim.Failover;
using HaSim.Model.Spec;
using HaSim.Primitives;
using NodeRole = HaSim.Checkers.NodeRole;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// The other faults against the failover machinery, on the crash models' cluster with the crash
/// replaced: each over 20 seeds, each asserting what Patroni's documented behaviour implies.
/// </summary>
public sealed class FailoverFaultScenarioTests(ITestOutputHelper output)
{
    private const int Seeds = 20;

    private static ClusterSpec With(string model, Func<FailoverSpec, FailoverSpec>? failover = null, params string[] faults)
    {
        var spec = FailoverScenarios.Load(model);
        spec = spec with { Failover = failover?.Invoke(spec.Failover!) ?? spec.Failover, Faults = [] };
        return spec with { Faults = [.. faults.SelectMany(f => ModelLoader.LoadFault(spec, f, "test fault"))] };
    }

    private void Report(string what, Runs.ModelRunResult[] runs) =>
        output.WriteLine($"{what}: promotions {runs.Sum(r => r.Report.Failover!.Promotions)}, watchdog resets {runs.Sum(r => r.Report.Failover!.WatchdogResets)}, " +
            $"split-brain runs {runs.Count(r => !r.Checks!.SingleWriter.Holds)}, lost {runs.Sum(r => r.Checks!.Durability.Lost.Count)}, " +
            $"client RTO mean {runs.Average(r => r.Checks!.ClientRto.Longest.TotalSeconds):F1}s, no primary mean {runs.Average(r => r.Checks!.NoWritablePrimary.Total.TotalSeconds):F1}s");

    /// <summary>One etcd member of three down: the other two keep a quorum, nothing fails over.</summary>
    [Fact]
    public void LosingOneDcsMemberChangesNothing()
    {
        var runs = FailoverScenarios.Run(With("failover-crash-sync", null, "{dcs_crash: etcd1, at: 30s, for: 60s}"), Seeds);
        Report("one etcd member down", runs);
        Assert.All(runs, r => Assert.Equal(0, r.Report.Failover!.Promotions));
        Assert.All(runs, r => Assert.Empty(r.Checks!.ClientRto.Outages));
    }

    /// <summary>
    /// Two of three down: no quorum, so the leader cannot renew its key and demotes itself when
    /// its DCS calls have failed for retry_timeout (D1); no one can be promoted until the DCS is back.
    /// With failsafe_mode the leader keeps running because every member answers its POST /failsafe (D2).
    /// </summary>
    [Fact]
    public void LosingTheDcsQuorumDemotesTheLeaderUnlessFailsafe()
    {
        string[] faults = ["{dcs_crash: etcd2, at: 30s, for: 60s}", "{dcs_crash: etcd3, at: 30s, for: 60s}"];
        var plain = FailoverScenarios.Run(With("failover-crash-sync", null, faults), Seeds);
        var failsafe = FailoverScenarios.Run(With("failover-crash-sync", f => f with { Settings = f.Settings with { FailsafeMode = true } }, faults), Seeds);
        Report("DCS quorum lost", plain);
        Report("DCS quorum lost, failsafe_mode", failsafe);
        foreach (var r in plain)
        {
            // Down from the first failed renewal + retry_timeout until the DCS heals (90 s) and a node takes the key.
            Assert.InRange(r.Checks!.NoWritablePrimary.Total.TotalSeconds, 20, 62);
            Assert.True(r.Checks.AllHold, string.Join("; ", r.Checks.SummaryLines));
        }
        foreach (var r in failsafe)
        {
            Assert.Equal(0, r.Report.Failover!.Promotions);
            Assert.Empty(r.Checks!.ClientRto.Outages);
            Assert.Equal(Duration.Zero, r.Checks.NoWritablePrimary.Total);
        }
    }

    /// <summary>
    /// The leader's agent (not its database) stops for 45 s. Without a watchdog PostgreSQL stays a
    /// primary while the key expires and a standby is promoted: two nodes in the primary role at
    /// once. Writes do not reach both only because the proxy's checks go to the stalled agent's REST
    /// API, time out, and move the clients away before the promotion. With the watchdog, no longer
    /// kept alive, the machine is reset 25 s in, before the key expires: one primary at a time.
    /// </summary>
    [Fact]
    public void AnAgentPausePastTtlLeavesTwoPrimariesUnlessTheWatchdogResetsTheMachine()
    {
        const string Pause = "{pause: {node: pg1, scope: agent}, at: 60s, for: 45s}";
        var withoutWatchdog = FailoverScenarios.Run(With("failover-crash-async", f => f with { Settings = f.Settings with { WatchdogMode = WatchdogMode.Off } }, Pause), Seeds);
        var withWatchdog = FailoverScenarios.Run(With("failover-crash-async", null, Pause), Seeds);
        Report("agent pause, no watchdog", withoutWatchdog);
        Report("agent pause, watchdog", withWatchdog);
        foreach (var r in withoutWatchdog)
        {
            Assert.True(TwoPrimaries(r.History!) > Duration.Zero, $"{r.Report.Fingerprint}: never two primaries");
            Assert.True(r.Checks!.SingleWriter.Holds, r.Checks.SingleWriter.Summary); // the proxy kept the writes apart
        }
        foreach (var r in withWatchdog)
        {
            Assert.Equal(1, r.Report.Failover!.WatchdogResets);
            Assert.Equal(Duration.Zero, TwoPrimaries(r.History!));
        }
    }

    /// <summary>How long two nodes were in the primary role at once.</summary>
    private static Duration TwoPrimaries(RunHistory history)
    {
        var primaries = history.Roles.Where(r => r.Role == NodeRole.Primary).ToArray();
        var total = Duration.Zero;
        foreach (var a in primaries)
        {
            foreach (var b in primaries.Where(b => b.Node.Value > a.Node.Value))
            {
                var from = Instant.Max(a.From, b.From);
                var to = Instant.Min(a.Until(history.End), b.Until(history.End));
                total += to > from ? to - from : Duration.Zero;
            }
        }
        return total;
    }

    /// <summary>
    /// The leader is cut off from everything else (DCS, standbys and clients). It cannot renew its
    /// key, so it demotes itself after retry_timeout, before the key expires and the standbys promote
    /// one of them: never two primaries. With synchronous_mode nothing acknowledged is lost.
    /// </summary>
    [Fact]
    public void AnIsolatedLeaderDemotesItselfBeforeAnotherIsPromoted()
    {
        var runs = FailoverScenarios.Run(With("failover-crash-sync", null, "{partition: [[pg1], [pg2, pg3, etcd1, etcd2, etcd3, clients]], at: 30s, for: 60s}"), Seeds);
        Report("leader isolated", runs);
        Assert.All(runs, r =>
        {
            Assert.Equal(1, r.Report.Failover!.Promotions);
            Assert.True(r.Checks!.AllHold, string.Join("; ", r.Checks.SummaryLines));
        });
    }

    /// <summary>
    /// The leader's clock runs at a quarter speed, so its loop runs every 40 s, past the 30 s ttl.
    /// The key expires, but the standbys see the leader still running as primary (its REST API
    /// answers) and do not race; the leader takes the key again at its next cycle. Taking the key
    /// is no update_leader, so, as in Patroni, nothing keeps the watchdog alive: 25 s of the
    /// leader's own clock after its last renewal, the watchdog resets the machine (unless the run
    /// ends first), and a standby or the rebooted pg1 leads. Nothing is lost, and nobody else is
    /// promoted while pg1 runs.
    /// </summary>
    [Fact]
    public void ASlowClockOnTheLeaderLosesTheKeyAndItsWatchdogResetsIt()
    {
        var runs = FailoverScenarios.Run(With("failover-crash-sync", null, "{clock_drift: {node: pg1, rate: 0.25}, at: 30s, for: 90s}"), Seeds);
        Report("leader clock x0.25", runs);
        Assert.All(runs, r =>
        {
            Assert.True(r.Checks!.AllHold, string.Join("; ", r.Checks.SummaryLines));
            Assert.InRange(r.Report.Failover!.Promotions, 0, r.Report.Failover.WatchdogResets);
        });
        Assert.Contains(runs, r => r.Report.Failover!.WatchdogResets > 0);
    }
}
