using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// The primary's whole VM pauses for 45 s, longer than ttl (30 s): models/failover-vm-pause.yaml
/// (no watchdog) and failover-vm-pause-watchdog.yaml (Patroni's default watchdog, safety_margin 5 s).
/// </summary>
public sealed class VmPauseScenarioTests(ITestOutputHelper output)
{
    private const int Seeds = 100;

    /// <summary>
    /// While pg1 is frozen its key expires and pg2 is promoted. When pg1 resumes it is still a
    /// primary until its agent's next cycle finds the key gone; the writes that queued in its
    /// sockets during the pause commit on the old timeline meanwhile: two nodes accepting writes.
    /// </summary>
    [Fact]
    public void WithoutWatchdogTwoPrimariesAcceptWrites()
    {
        var runs = FailoverScenarios.Run(FailoverScenarios.Load("failover-vm-pause"), Seeds);
        output.WriteLine($"split-brain windows in {runs.Count(r => !r.Checks!.SingleWriter.Holds)} of {Seeds} seeds; commits on the losing side: mean {runs.Average(r => r.Checks!.SingleWriter.Windows.Sum(w => w.LosingCommits.Count)):F0}; first: {runs[0].Checks!.SingleWriter.Summary}");
        foreach (var r in runs)
        {
            var seed = r.Report.Fingerprint;
            Assert.False(r.Checks!.SingleWriter.Holds, $"{seed}: no split brain: {r.Checks.SingleWriter.Summary}");
            Assert.Equal(0, r.Report.Failover!.WatchdogResets);
            // pg1 found the key gone, demoted itself and rejoined: one primary, a standby's, at the end.
            Assert.True(r.Report.Failover.FinalPrimaries is [var last] && last != "pg1", $"{seed}: primaries at the end: {string.Join(", ", r.Report.Failover.FinalPrimaries)}");
        }
    }

    /// <summary>
    /// The watchdog was kept alive at the last key renewal with a timeout of ttl - safety_margin,
    /// before the key's expiry; the pause outlasts it, so on resume the overdue kernel timer resets
    /// the machine before PostgreSQL runs again: no write reaches the old timeline. It reboots and
    /// rejoins as a standby.
    /// </summary>
    [Fact]
    public void WithTheWatchdogNoSplitBrain()
    {
        var runs = FailoverScenarios.Run(FailoverScenarios.Load("failover-vm-pause-watchdog"), Seeds);
        output.WriteLine($"watchdog resets: {runs.Sum(r => r.Report.Failover!.WatchdogResets)} over {Seeds} seeds; split-brain windows: {runs.Sum(r => r.Checks!.SingleWriter.Windows.Count)}");
        foreach (var r in runs)
        {
            Assert.True(r.Checks!.AllHold, $"{r.Report.Fingerprint}: {string.Join("; ", r.Checks.SummaryLines)}");
            Assert.Equal(1, r.Report.Failover!.WatchdogResets);
            // The reset machine reboots (30 s) and pg1 rejoins as a standby of the new primary.
            var pg1 = r.History!.Roles.Where(role => role.Node.Value == 0).MaxBy(role => role.From)!;
            Assert.Equal(HaSim.Checkers.NodeRole.Replica, pg1.Role);
        }
    }
}
