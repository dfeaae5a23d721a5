using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>Each node's WAL pipeline: write, flush and replay, one operation per stage at a time.</summary>
internal sealed partial class ClusterSimulation
{
    private void StartWrite(Instant now, NodeRuntime node)
    {
        if (node.Writing || node.Received <= node.Written)
        {
            return;
        }
        node.Writing = true;
        var target = node.Received;
        FinishAfter(now, node.Spec.WalWrite.Sample(node.DiskRandom), new ModelEvent(EventKind.WalWriteDone, node.Id.Value, target));
    }

    private void WriteDone(Instant now, NodeRuntime node, long target)
    {
        node.Writing = false;
        node.Written = target;
        _trace.Record(now, WriteKind, node.Id.Value, target);
        if (node.Primary is null && _needWriteReplies)
        {
            SendReply(now, node);
        }
        StartFlush(now, node);
        StartWrite(now, node);
    }

    /// <summary>
    /// Completes a pipeline step after <paramref name="delay"/>: at once, with no event, when it
    /// takes no time; otherwise as an event whose handle the node keeps (see <see cref="Defer"/>),
    /// so that a crash can cancel it. The handle is stored where the event is scheduled, not by
    /// the caller: an instant step may start, and schedule, the next one before returning.
    /// </summary>
    private void FinishAfter(Instant now, Duration delay, in ModelEvent done)
    {
        if (delay.IsZero && now >= _nodes[done.Target].StalledUntil)
        {
            Handle(now, done);
        }
        else
        {
            Defer(now + delay, done);
        }
    }

    private void StartFlush(Instant now, NodeRuntime node)
    {
        if (node.Flushing || node.Written <= node.Flushed)
        {
            return;
        }
        var target = node.Written;
        if (node.Primary is { } role && !_groupCommit)
        {
            // Each commit pays for its own flush: flush only up to the oldest unflushed commit.
            if (role.Commits.NextSeparateFlush(node.Flushed) is { } commitEnd)
            {
                target = Math.Min(target, commitEnd);
            }
        }
        node.Flushing = true;
        FinishAfter(now, node.Spec.WalFlush.Sample(node.DiskRandom), new ModelEvent(EventKind.WalFlushDone, node.Id.Value, target));
    }

    private void FlushDone(Instant now, NodeRuntime node, long target)
    {
        node.Flushing = false;
        node.Flushed = target;
        _trace.Record(now, FlushKind, node.Id.Value, target);
        if (node.Primary is { } role)
        {
            ShipWal(now, role, target);
            if (_semiSync is not null)
            {
                role.Commits.MarkFlushed(target, now.NanosecondsSinceStart); // their replica timeout runs from here
            }
            ReleaseCommits(now, role);
        }
        else
        {
            if (UpstreamView(node) is { } view)
            {
                NoteDurable(now, view, target);
            }
            SendReply(now, node);
            StartReplay(now, node);
        }
        StartFlush(now, node);
    }

    /// <summary>The walsender view that the standby's upstream primary keeps of it, if the upstream is a primary.</summary>
    private static ReplicaView? UpstreamView(NodeRuntime standby) => standby.Upstream?.Primary?.ViewOf[standby.Id.Value];

    private void StartReplay(Instant now, NodeRuntime node)
    {
        // Storage nodes only persist; a primary has nothing to replay (roles change with failover).
        if (node.Spec.Role == NodeRole.Storage || node.Primary is not null || node.Replaying || node.Flushed <= node.Replayed)
        {
            return;
        }
        node.Replaying = true;
        var target = node.Flushed;
        var delay = Duration.FromNanosecondsRounded((target - node.Replayed) * node.ReplayNanosPerByte);
        FinishAfter(now, delay, new ModelEvent(EventKind.ReplayDone, node.Id.Value, target));
    }

    private void ReplayDone(Instant now, NodeRuntime node, long target)
    {
        node.Replaying = false;
        node.Replayed = target;
        _trace.Record(now, ReplayKind, node.Id.Value, target);
        if (UpstreamView(node) is { } view)
        {
            var notReplayed = view.NotReplayed;
            while (notReplayed.Count > 0 && notReplayed.Peek().Lsn <= target)
            {
                notReplayed.Dequeue();
            }
        }
        if (_needApplyReplies)
        {
            SendReply(now, node);
        }
        StartReplay(now, node);
    }
}
