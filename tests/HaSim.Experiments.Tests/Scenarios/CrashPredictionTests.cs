using HaSim.Experiments.Runs;
using HaSim.Failover;
using HaSim.Primitives;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// <c>hasim predict</c>'s model: the end-to-end test's settings (ttl 20 s, loop_wait 2 s,
/// retry_timeout 3 s, synchronous_mode on, three nodes and one etcd on loopback).
/// </summary>
public sealed class CrashPredictionTests(ITestOutputHelper output)
{
    private const int Seeds = 40;
    private static readonly string[] Members = ["pg1", "pg2", "pg3"];
    private static readonly FailoverSettings Settings = new()
    {
        Ttl = Duration.FromSeconds(20),
        LoopWait = Duration.FromSeconds(2),
        RetryTimeout = Duration.FromSeconds(3),
        SynchronousMode = SynchronousMode.On,
    };

    // The leader key outlives the kill by ttl minus its age, the age uniform over the loop
    // (each agent runs at its own phase), then pg_ctl promote (150 ms); round trips on loopback.
    private static readonly Duration Promote = Duration.FromMilliseconds(150);
    private static readonly Duration Slack = Duration.FromMilliseconds(100);

    [Fact]
    public void Killing_the_processes_fails_over_in_the_ttl_minus_the_key_age_plus_promote()
    {
        var result = CrashPrediction.Run(CrashPrediction.ModelText(Settings, Members, etcdMembers: 1), Seeds);
        var rto = result.ControllerSeconds;
        output.WriteLine($"processes killed: min {rto[0]:F3}s, p50 {CrashPredictionResult.Quantile(rto, 0.5):F3}s, max {rto[^1]:F3}s");

        Assert.Equal(0, result.Failed);
        // A refused status probe costs nothing: no 2 s wait for the dead peer.
        Assert.All(rto, s => Assert.InRange(s, (Settings.Ttl - Settings.LoopWait + Promote).TotalSeconds, (Settings.Ttl + Promote + Slack).TotalSeconds));
        Assert.True(rto[^1] - rto[0] > 1.0, "the key's age at the kill should spread the RTO over most of loop_wait");
        // Every acknowledged write survives in synchronous_mode.
        Assert.All(result.ControllerRto, r => Assert.NotNull(r));
    }

    [Fact]
    public void A_machine_crash_adds_the_status_probe_timeout()
    {
        var result = CrashPrediction.Run(CrashPrediction.ModelText(Settings, Members, etcdMembers: 1, processesOnly: false), Seeds);
        var rto = result.ControllerSeconds;
        output.WriteLine($"machine crashed: min {rto[0]:F3}s, p50 {CrashPredictionResult.Quantile(rto, 0.5):F3}s, max {rto[^1]:F3}s");

        Assert.Equal(0, result.Failed);
        var probe = FailoverSettings.PeerQueryTimeout;
        Assert.All(rto, s => Assert.InRange(s, (Settings.Ttl - Settings.LoopWait + probe + Promote).TotalSeconds, (Settings.Ttl + probe + Promote + Slack).TotalSeconds));
    }

    [Fact]
    public void Quantiles_are_nearest_rank_and_rank_counts_values_at_or_below()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(2, CrashPredictionResult.Quantile(sorted, 0.5));
        Assert.Equal(4, CrashPredictionResult.Quantile(sorted, 0.95));
        Assert.Equal(0.75, CrashPredictionResult.Rank(sorted, 3.5));
    }
}
