using HaSim.Kernel;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>When commits are acknowledged, and what each acknowledgement leaves exposed.</summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>Acknowledges every waiting commit that is now as durable as the settings require.</summary>
    private void ReleaseCommits(Instant now, PrimaryRole role)
    {
        if (role.Commits.Count == 0 || !role.Accepting)
        {
            return;
        }
        var release = _waitForLocalFlush ? role.Node.Flushed : long.MaxValue;
        if (role.SyncRule is { } rule && !_semiSyncAsync)
        {
            release = Math.Min(release, rule.SyncedLsn());
        }
        var released = false;
        while (role.Commits.TryRelease(release, out var waiter))
        {
            Acknowledge(now, role, waiter);
            released = true;
        }
        if (_semiSync is not null)
        {
            if (released)
            {
                _scheduler.Cancel(_semiSyncTimer);
                _semiSyncTimer = TimerHandle.None;
            }
            ArmSemiSyncTimer(now);
        }
    }

    private void Acknowledge(Instant now, PrimaryRole role, in Waiter waiter)
    {
        var nowNs = now.NanosecondsSinceStart;
        var latency = nowNs - waiter.StartedAt;
        _trace.Record(now, CommitKind, waiter.Client, waiter.Lsn, latency);
        var measured = _measuring && waiter.StartedAt >= _warmupEnd.NanosecondsSinceStart;
        if (measured)
        {
            _commits++;
            _commitLatency.Record(latency);
        }
        foreach (var view in role.Replicas)
        {
            var node = view.Runtime;
            if (_measure && node.Flushed < waiter.Lsn) // durability delays are statistics: an unmeasured run keeps none
            {
                view.AccumulateNotDurable(nowNs);
                view.NotDurable.Enqueue((waiter.Lsn, measured ? nowNs : -1));
            }
            if (_readsFromStandbys && node.Spec.Role == NodeRole.Standby && ReplayedBy(node, now) < waiter.Lsn)
            {
                view.NotReplayed.Enqueue((waiter.Lsn, nowNs));
            }
        }
        if (_failover is not null)
        {
            AnswerClient(now, role.Node, waiter.Write, ClientAnswer.Committed);
        }
        else
        {
            ClientDone(now, waiter.Client);
        }
    }

    /// <summary>Ground truth, not the primary's delayed view: the node has now flushed up to <paramref name="flushed"/>.</summary>
    private void NoteDurable(Instant now, ReplicaView view, long flushed)
    {
        var nowNs = now.NanosecondsSinceStart;
        var queue = view.NotDurable;
        if (queue.Count == 0 || queue.Peek().Lsn > flushed)
        {
            return;
        }
        view.AccumulateNotDurable(nowNs);
        while (queue.Count > 0 && queue.Peek().Lsn <= flushed)
        {
            var (_, ackedAt) = queue.Dequeue();
            if (ackedAt >= 0)
            {
                view.DurabilityDelaySum += nowNs - ackedAt;
                view.DurabilityDelayCount++;
            }
        }
    }
}
