using HaSim.Checkers;
using HaSim.Kernel;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;
using NodeRole = HaSim.Checkers.NodeRole;

namespace HaSim.Experiments.Runs;

/// <summary>One run of a model with what it measured and, with automatic failover, the checkers' verdicts on its history.</summary>
/// <remarks>
/// With a failover section, <see cref="Verdicts"/> holds the invariants' verdicts; a measured run also
/// has <see cref="Checks"/>, the verdicts with the RTO meters, and an unmeasured one (exploring,
/// shrinking) has no <see cref="Checks"/>.
/// </remarks>
public sealed record ModelRunResult(ClusterRunReport Report, RunHistory? History, InvariantVerdicts? Verdicts, CheckReport? Checks);

/// <summary>Runs a model once; with a <c>failover</c> section, also records its history and runs every checker over it (and, on request, what the agents decided).</summary>
public static class ModelRun
{
    /// <summary>
    /// Runs <paramref name="spec"/> with <paramref name="seed"/>; <paramref name="measure"/> false skips the
    /// statistics (see <see cref="ClusterRunner.Run"/>) and the RTO meters, as exploring does.
    /// </summary>
    public static ModelRunResult Execute(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null,
        Action<Instant, Instant>? progress = null, IAgentLogSink? agentLog = null, bool measure = true)
    {
        if (spec.Failover is not { } failover)
        {
            return new ModelRunResult(ClusterRunner.Run(spec, seed, lagSink, traceSink, progress, measure: measure), null, null, null);
        }
        var recorder = new HistoryRecorder();
        var report = ClusterRunner.Run(spec, seed, lagSink, traceSink, progress, recorder, agentLog, measure);
        var history = recorder.Builder.Build(report.Run.Now);
        recorder.Builder.ReleaseCommits(); // the recorder is done: the history holds the commits
        if (!measure)
        {
            return new ModelRunResult(report, history, HistoryChecks.Verdicts(history, OptionsFor(failover)), null); // no RTO meters
        }
        var checks = HistoryChecks.Run(history, OptionsFor(failover));
        return new ModelRunResult(report, history, checks.Verdicts, checks);
    }

    /// <summary>
    /// The liveness bound the failover settings imply: the leader key outlives a dead leader by up
    /// to ttl; a replica notices within a loop (loop_wait), may spend retry_timeout on a slow DCS
    /// call, then promotes; a demoted former leader stops and restarts; the proxy needs rise
    /// checks to route to the new one. Each step's worst case is added, plus their durations drawn
    /// at their 99.9th percentile.
    /// </summary>
    public static CheckOptions OptionsFor(FailoverSpec failover)
    {
        var settings = failover.Settings;
        var database = failover.Database;
        var check = failover.HealthCheck;
        // The naive script notices a dead primary after heartbeat_timeout, at a heartbeat, and its
        // pings wait one interval: that replaces Patroni's ttl, loop wait and DCS retries.
        var detection = failover.Agent == FailoverAgent.NaiveScript
            ? failover.NaiveScript.HeartbeatTimeout + failover.NaiveScript.HeartbeatInterval * 2
            : settings.Ttl + settings.LoopWait + settings.RetryTimeout * 2;
        var bound = detection
            + P999(database.Promote) + P999(database.FastStop) + P999(database.Start)
            + check.EffectiveFastInter * check.Rise + check.ConnectBudget;
        return new CheckOptions(bound, OutageThreshold.Default);
    }

    private static Duration P999(Kernel.Distributions.LatencyDistribution distribution) =>
        Duration.FromNanosecondsRounded(distribution.Quantile(0.999));
}

/// <summary>Feeds a run's history (<see cref="IRunHistorySink"/>) into the checkers' <see cref="RunHistoryBuilder"/>.</summary>
internal sealed class HistoryRecorder : IRunHistorySink
{
    public RunHistoryBuilder Builder { get; } = new();

    public void Commit(in ClientCommit commit)
    {
        WalPlacement? placement = commit.Placement is { } p ? new WalPlacement(p.Node, p.Timeline, p.EndLsn, p.AcceptedAt) : null;
        Builder.RecordCommit(commit.Outcome switch
        {
            ClientOutcome.Acknowledged => CommitRecord.Acknowledged(commit.Id, commit.Client, placement!.Value, commit.SizeBytes, commit.SubmittedAt, commit.OutcomeAt),
            ClientOutcome.Failed => CommitRecord.Failed(commit.Id, commit.Client, commit.SizeBytes, commit.SubmittedAt, commit.OutcomeAt),
            _ => CommitRecord.Unknown(commit.Id, commit.Client, placement, commit.SizeBytes, commit.SubmittedAt, commit.OutcomeAt),
        });
    }

    public void Role(Instant at, NodeId node, DatabaseActivity role, Term timeline) =>
        Builder.RecordRole(at, node, role switch
        {
            DatabaseActivity.Primary => NodeRole.Primary,
            DatabaseActivity.Replica => NodeRole.Replica,
            _ => NodeRole.Down,
        }, timeline);

    public void Promotion(Instant at, NodeId node, Term parent, Lsn switchLsn, Term newTimeline) =>
        Builder.RecordPromotion(at, node, parent, switchLsn, newTimeline);

    public void Fault(string description, Instant start, Instant? end) => Builder.RecordFault(description, start, end);

    public void WalEnd(NodeId node, Term timeline, Lsn walEnd) => Builder.RecordWalEnd(node, timeline, walEnd);
}
