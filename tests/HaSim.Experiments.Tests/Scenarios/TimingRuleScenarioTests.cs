using HaSim.Experiments.Loading;
using HaSim.Model.Spec;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// models/timing-rule-violated.yaml: loop_wait 10 s + 2 x retry_timeout 18 s > ttl 30 s, not
/// enforced (failover.enforce_timing_rule: false). A partition leaves pg1 with one minority DCS
/// member that serves stale reads: its get_cluster succeeds late, its update_leader fails for
/// another retry_timeout, and it keeps accepting writes after its key expired and pg2 took over.
/// With the rule enforced, as Patroni does, the same cluster and partition keep a single writer.
/// </summary>
public sealed class TimingRuleScenarioTests(ITestOutputHelper output)
{
    private const int Seeds = 10;
    private const string Model = "timing-rule-violated";

    private static ClusterSpec Fixed()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "models", Model + ".yaml");
        var text = File.ReadAllText(path);
        Assert.Contains("enforce_timing_rule: false", text, StringComparison.Ordinal);
        return ModelLoader.LoadText(text.Replace("enforce_timing_rule: false", "enforce_timing_rule: true", StringComparison.Ordinal), path);
    }

    [Fact]
    public void WithTheRuleNotEnforcedTheOldPrimaryKeepsAcceptingWritesAfterItsKeyExpired()
    {
        var spec = FailoverScenarios.Load(Model);
        Assert.False(spec.Failover!.Settings.EnforceTimingRule);
        var runs = FailoverScenarios.Run(spec, Seeds);
        output.WriteLine($"seed 1: {runs[0].Checks!.SingleWriter.Summary}");

        var first = runs[0];
        Assert.Equal(1UL, first.Report.Seed);
        Assert.Equal(["single-writer"], first.Checks!.Violations);
        Assert.Contains(first.Report.Failover!.SettingsWarnings, w => w.Contains("Not adjusting: enforce_timing_rule is false", StringComparison.Ordinal));
        var window = first.Checks.SingleWriter.Windows[0];
        Assert.Equal(["pg1", "pg2"], window.Writers.Select(w => spec.Nodes[w.Node.Value].Name).Distinct());
        Assert.True(window.Diverging);
        foreach (var r in runs)
        {
            Assert.False(r.Checks!.SingleWriter.Holds, $"seed {r.Report.Seed}: {r.Checks.SingleWriter.Summary}");
            Assert.Equal(1, r.Report.Failover!.Promotions);
        }
    }

    [Fact]
    public void WithTheRuleEnforcedTheSamePartitionKeepsASingleWriter()
    {
        var spec = Fixed();
        Assert.True(spec.Failover!.Settings.EnforceTimingRule);
        var runs = FailoverScenarios.Run(spec, Seeds);
        output.WriteLine($"seed 1: {string.Join("; ", runs[0].Checks!.SummaryLines)}");

        Assert.Contains(runs[0].Report.Failover!.SettingsWarnings,
            w => w.EndsWith("Adjusting loop_wait from 10s to 1s and retry_timeout from 18s to 14s", StringComparison.Ordinal));
        foreach (var r in runs)
        {
            Assert.True(r.Checks!.AllHold, $"seed {r.Report.Seed}: {string.Join("; ", r.Checks.SummaryLines)}");
            Assert.Equal(1, r.Report.Failover!.Promotions);
        }
    }
}
