using HaSim.Checkers;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Kernel;
using HaSim.Model.Routing;
using HaSim.Primitives;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// Retrying clients through a long outage of the write endpoint: two of three etcd members are
/// down for 200 s, the leader demotes itself, the proxy marks every server DOWN, and each write's
/// attempts fail at once until the DCS heals and a new primary passes the checks. The simulator
/// runs such a write's failing attempts without an event each (parked writes, see
/// ClusterSimulation.Clients); these tests hold it to the retry policy worked out by hand,
/// attempt by attempt, from the write's id and submission time.
/// </summary>
public sealed class ClientRetryScenarioTests(ITestOutputHelper output)
{
    private const ulong Seed = 1;

    // HAProxy needs `fall` failed checks (a few seconds) to mark the demoted leader DOWN; until
    // then writes reach it and are rejected after a round trip, which a chain of attempts failing
    // at once does not describe. Writes submitted this long after the outage began see only a
    // backend with no server UP.
    private static readonly Duration MarkedDownWithin = Duration.FromSeconds(15);

    private static readonly Lazy<(ModelRunResult Run, RetryPolicy Policy)> Outage = new(() =>
    {
        var spec = FailoverScenarios.Load("failover-crash-sync");
        spec = spec with { Duration = Duration.FromSeconds(330), Faults = [] };
        spec = spec with
        {
            Faults = [.. new[] { "{dcs_crash: etcd2, at: 30s, for: 200s}", "{dcs_crash: etcd3, at: 30s, for: 200s}" }
                .SelectMany(f => ModelLoader.LoadFault(spec, f, "test fault"))],
        };
        return (ModelRun.Execute(spec, Seed), spec.Failover!.Clients.Retry);
    });

    private static TimeWindow OutageWindow(ModelRunResult run) =>
        Assert.Single(run.Checks!.NoWritablePrimary.Windows, w => w.Length > Duration.FromSeconds(100));

    private static RetryingClient Client(RetryPolicy policy) => new(policy, new IndexedRandom(Seed, "clients.retry"));

    /// <summary>
    /// A write that found no server UP from its first attempt fails exactly when its retry chain
    /// runs out: the last attempt the policy allows (30 attempts, none starting 120 s after the
    /// first), every one failing the instant it starts.
    /// </summary>
    [Fact]
    public void AWriteThatNeverFindsAServerGivesUpAtItsLastAttempt()
    {
        var (run, policy) = Outage.Value;
        var window = OutageWindow(run);
        var failed = run.History!.Commits
            .Where(c => c.Outcome == CommitOutcome.Failed && c.SubmittedAt >= window.From + MarkedDownWithin)
            .ToArray();
        output.WriteLine($"outage {window.From}..{window.To}; {failed.Length} failed writes submitted with no server UP");

        Assert.True(failed.Length > 1_000, $"{failed.Length} failed writes");
        foreach (var commit in failed)
        {
            var write = Client(policy).Begin(commit.Id, commit.SubmittedAt);
            var at = commit.SubmittedAt;
            while (write.OnAttemptFailed(at, AttemptFailure.NoServerUp) is { } retryAt)
            {
                at = retryAt;
            }
            Assert.Equal(at, commit.OutcomeAt);
            // The proxy routes again `rise` checks after the promotion ends the window, not later than this.
            Assert.True(commit.OutcomeAt < window.To + Duration.FromSeconds(10), $"write {commit.Id} gave up at {commit.OutcomeAt}, long after the outage");
        }
    }

    /// <summary>
    /// A write still retrying when a primary is back commits on the first attempt of its chain that
    /// starts once the proxy routes again: its acknowledgement follows one of its chain's attempt
    /// times by a commit's latency (a cross-zone round trip, well under a second), and no write of
    /// the outage is acknowledged before the outage ends.
    /// </summary>
    [Fact]
    public void AWriteStillRetryingWhenAPrimaryIsBackCommitsOnItsNextScheduledAttempt()
    {
        var (run, policy) = Outage.Value;
        var window = OutageWindow(run);
        var resumed = run.History!.Commits
            .Where(c => c.Outcome == CommitOutcome.Acknowledged && c.SubmittedAt >= window.From + MarkedDownWithin && c.SubmittedAt < window.To)
            .ToArray();
        output.WriteLine($"{resumed.Length} writes submitted during the outage were acknowledged after it");

        Assert.True(resumed.Length > 1_000, $"{resumed.Length} resumed writes");
        foreach (var commit in resumed)
        {
            Assert.True(commit.OutcomeAt >= window.To, $"write {commit.Id} acknowledged at {commit.OutcomeAt}, during the outage");
            var write = Client(policy).Begin(commit.Id, commit.SubmittedAt);
            var attemptStart = commit.SubmittedAt;
            while (attemptStart < window.To && write.OnAttemptFailed(attemptStart, AttemptFailure.NoServerUp) is { } retryAt)
            {
                attemptStart = retryAt;
            }
            // The successful attempt is the first one at or after the proxy routed again, which is at
            // or after the window's end: some attempt of the chain, from here on, started just before the ack.
            var lastStartBeforeAck = attemptStart;
            while (write.Outcome == WriteOutcome.Pending && write.OnAttemptFailed(attemptStart, AttemptFailure.NoServerUp) is { } next && next <= commit.OutcomeAt)
            {
                lastStartBeforeAck = attemptStart = next;
            }
            var latency = commit.OutcomeAt - lastStartBeforeAck;
            Assert.True(latency >= Duration.Zero && latency < Duration.FromSeconds(1), $"write {commit.Id}: acknowledged {latency} after its chain's attempt at {lastStartBeforeAck}");
        }
    }
}
