using HaSim.Primitives;
using NodeRole = HaSim.Checkers.NodeRole;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// models/naive-script-partition.yaml (failover.agent: naive-script, no DCS) against
/// models/naive-script-partition-patroni.yaml (the same cluster under Patroni with a DCS): at 60 s
/// a partition cuts the primary pg1 off from both standbys for 60 s, but not from the clients.
/// </summary>
public sealed class NaiveScriptScenarioTests(ITestOutputHelper output)
{
    private const int Seeds = 10;
    private static readonly Instant PartitionStart = Instant.Start + Duration.FromSeconds(60);

    /// <summary>
    /// pg2 hears nothing from pg1 for heartbeat_timeout (10 s) and promotes; pg1's script never
    /// demotes it, it still passes /primary, and HAProxy's roundrobin sends writes to both: two
    /// primaries accept writes to the end of the run, long after the partition healed.
    /// </summary>
    [Fact]
    public void TheNaiveScriptPromotesAStandbyWhileTheCutOffPrimaryKeepsAcceptingWrites()
    {
        var spec = FailoverScenarios.Load("naive-script-partition");
        var runs = FailoverScenarios.Run(spec, Seeds);
        output.WriteLine($"seed 1: {runs[0].Checks!.SingleWriter.Summary}");

        var first = runs[0];
        Assert.Equal(1UL, first.Report.Seed);
        Assert.Equal(["single-writer", "liveness"], first.Checks!.Violations);
        foreach (var r in runs)
        {
            var seed = r.Report.Seed;
            Assert.False(r.Checks!.SingleWriter.Holds, $"seed {seed}: {r.Checks.SingleWriter.Summary}");
            var window = r.Checks.SingleWriter.Windows[0];
            Assert.Equal(["pg1", "pg2"], window.Writers.Select(w => spec.Nodes[w.Node.Value].Name).Distinct());
            // Promoted after heartbeat_timeout of silence (10 s), at a heartbeat, plus the promote itself.
            var promotion = Assert.Single(r.History!.Switches);
            Assert.Equal(1, promotion.Node.Value);
            Assert.InRange((promotion.At - PartitionStart).TotalSeconds, 10, 13);
            // pg1 was never demoted: it is primary from start to end, beside pg2.
            Assert.All(r.History.Roles.Where(role => role.Node.Value == 0), role => Assert.Equal(NodeRole.Primary, role.Role));
            Assert.Equal(["pg1", "pg2"], r.Report.Failover!.FinalPrimaries);
            Assert.Null(r.Report.Failover.FinalLeaderKey);
        }
    }

    /// <summary>
    /// Under Patroni pg1 cannot renew its leader key across the partition, demotes itself when its
    /// DCS calls give up (D1), before the key expires, and only then is a standby promoted.
    /// </summary>
    [Fact]
    public void PatroniWithADcsKeepsASingleWriterUnderTheSamePartition()
    {
        var spec = FailoverScenarios.Load("naive-script-partition-patroni");
        var runs = FailoverScenarios.Run(spec, Seeds);
        output.WriteLine($"seed 1: {string.Join("; ", runs[0].Checks!.SummaryLines)}");
        foreach (var r in runs)
        {
            Assert.True(r.Checks!.AllHold, $"seed {r.Report.Seed}: {string.Join("; ", r.Checks.SummaryLines)}");
            var promotion = Assert.Single(r.History!.Switches);
            // pg1 stopped being primary before anyone else became one.
            var pg1Demoted = r.History.Roles.Where(role => role.Node.Value == 0 && role.Role == NodeRole.Primary).Max(role => role.To!.Value);
            Assert.True(pg1Demoted < promotion.At, $"seed {r.Report.Seed}: pg1 primary until {pg1Demoted}, promotion at {promotion.At}");
            Assert.Single(r.Report.Failover!.FinalPrimaries);
        }
    }
}
