using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// Each node's WAL pipeline. The WAL writer takes everything received and not yet flushed, writes
/// it to the operating system and then flushes it, one operation at a time: PostgreSQL's XLogWrite
/// writes and fsyncs under one lock on the primary, and a standby's walreceiver writes what arrived
/// and then flushes it, so WAL that arrives during an fsync waits for the next operation. The
/// startup process replays what is flushed, alongside.
/// </summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>
    /// Starts the WAL writer's next operation, if it is idle and has WAL to write. The write part
    /// ends without an event unless a standby must report it (remote_write, semi-sync); the flush
    /// part ends with one. A disk stall or pause in force holds the write until it ends.
    /// </summary>
    private void StartWalWrite(Instant now, NodeRuntime node)
    {
        if (node.WriterBusy || node.Received <= node.Flushed)
        {
            return;
        }
        var target = node.Received;
        if (node.Primary is { } role && !_groupCommit)
        {
            // Each commit pays for its own flush: write and flush only up to the oldest unflushed commit.
            if (role.Commits.NextSeparateFlush(node.Flushed) is { } commitEnd)
            {
                target = Math.Min(target, commitEnd);
            }
        }
        var writtenAt = Instant.Max(now + node.Spec.WalWrite.SampleInline(node.DiskRandom), Instant.Max(node.StalledUntil, node.PausedUntil));
        node.WriterBusy = true;
        node.WriterTarget = target;
        node.WriterWrittenAt = writtenAt;
        node.WriterFlushTime = node.Spec.WalFlush.SampleInline(node.DiskRandom);
        if (node.Primary is null && _needWriteReplies)
        {
            FinishAt(now, writtenAt, new ModelEvent(EventKind.WalWriteDone, node.Id.Value, target));
        }
        FinishAt(now, writtenAt + node.WriterFlushTime, new ModelEvent(EventKind.WalFlushDone, node.Id.Value, target));
    }

    /// <summary>The write part of the operation ended, as an event: a standby reports it to its upstream.</summary>
    private void WriteDone(Instant now, NodeRuntime node, long target)
    {
        node.Written = Math.Max(node.Written, target);
        _trace.Record(now, WriteKind, node.Id.Value, target);
        SendReply(now, node);
    }

    /// <summary>
    /// A disk stall or machine pause begins while an operation is writing: the write ends when it
    /// does (<paramref name="until"/>), and the flush, drawn already, runs after it. A flush under
    /// way when it begins is held by <see cref="Handle"/>, as every event of the node is.
    /// </summary>
    private void HoldWalWrite(Instant now, NodeRuntime node, Instant until)
    {
        if (!node.WriterBusy || node.WriterWrittenAt <= now || node.WriterWrittenAt >= until)
        {
            return;
        }
        node.WriterWrittenAt = until;
        _scheduler.Cancel(node.FlushTimer);
        node.FlushTimer = _scheduler.At(until + node.WriterFlushTime, new ModelEvent(EventKind.WalFlushDone, node.Id.Value, node.WriterTarget));
    }

    /// <summary>
    /// Completes a pipeline step at <paramref name="at"/>: at once, with no event, when that is now
    /// and the disk is not stalled; otherwise as an event whose handle the node keeps (see
    /// <see cref="Defer"/>), so that a crash can cancel it. The handle is stored where the event is
    /// scheduled, not by the caller: an instant step may start, and schedule, the next one before returning.
    /// </summary>
    private void FinishAt(Instant now, Instant at, in ModelEvent done)
    {
        if (at == now && now >= _nodes[done.Target].StalledUntil)
        {
            Handle(now, done);
        }
        else
        {
            Defer(at, done);
        }
    }

    private void FlushDone(Instant now, NodeRuntime node, long target)
    {
        AdvanceReplay(node, now); // replays that ended before now read the WAL flushed before it
        node.WriterBusy = false;
        node.Written = Math.Max(node.Written, target);
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
        StartWalWrite(now, node);
    }

    /// <summary>The walsender view that the standby's upstream primary keeps of it, if the upstream is a primary.</summary>
    private static ReplicaView? UpstreamView(NodeRuntime standby) => standby.Upstream?.Primary?.ViewOf[standby.Id.Value];

    /// <summary>
    /// The startup process replays what is flushed, one operation at a time, at the node's replay
    /// throughput. The end of a replay is an event only when commits wait for it (remote_apply);
    /// otherwise nothing happens at that instant that anyone could see, and the replay is brought
    /// up to date (<see cref="AdvanceReplay"/>) whenever its position is read or the WAL it reads
    /// is about to change: about one event per commit fewer.
    /// </summary>
    private void StartReplay(Instant now, NodeRuntime node)
    {
        // Storage nodes only persist; a primary has nothing to replay (roles change with failover).
        if (node.Spec.Role == NodeRole.Storage || node.Primary is not null || node.Replaying || node.Flushed <= node.Replayed)
        {
            return;
        }
        var target = node.Flushed;
        node.Replaying = true;
        node.ReplayTarget = target;
        node.ReplayDoneAt = now + Duration.FromNanosecondsRounded((target - node.Replayed) * node.ReplayNanosPerByte);
        if (_needApplyReplies)
        {
            FinishAt(now, node.ReplayDoneAt, new ModelEvent(EventKind.ReplayDone, node.Id.Value, target));
        }
    }

    /// <summary>
    /// Completes, in order, the replays of <paramref name="node"/> that ended by <paramref name="now"/>
    /// and starts each next one at the end of the one before. Call it before reading the node's
    /// replay position, and before its flushed position, upstream or role changes: between those
    /// moments they stood still, so each next replay starts as it would have at its own instant.
    /// </summary>
    private void AdvanceReplay(NodeRuntime node, Instant now)
    {
        while (node.Replaying && node.ReplayDoneAt <= now && !_needApplyReplies)
        {
            var endedAt = node.ReplayDoneAt;
            EndReplay(node, node.ReplayTarget);
            StartReplay(endedAt, node);
        }
    }

    /// <summary>The replay's end as an event (remote_apply): the standby reports it at once.</summary>
    private void ReplayDone(Instant now, NodeRuntime node, long target)
    {
        EndReplay(node, target);
        _trace.Record(now, ReplayKind, node.Id.Value, target);
        SendReply(now, node);
        StartReplay(now, node);
    }

    private static void EndReplay(NodeRuntime node, long target)
    {
        node.Replaying = false;
        node.Replayed = target;
        if (UpstreamView(node) is { } view)
        {
            var notReplayed = view.NotReplayed;
            while (notReplayed.Count > 0 && notReplayed.Peek().Lsn <= target)
            {
                notReplayed.Dequeue();
            }
        }
    }

    /// <summary>A pause that begins while a replay runs holds its end until the pause ends, as it holds every event of the node.</summary>
    private void HoldReplay(Instant now, NodeRuntime node, Instant until)
    {
        AdvanceReplay(node, now);
        if (!_needApplyReplies && node.Replaying && node.ReplayDoneAt < until)
        {
            node.ReplayDoneAt = until;
        }
    }

    /// <summary>The node's replay position at <paramref name="now"/>.</summary>
    private long ReplayedBy(NodeRuntime node, Instant now)
    {
        AdvanceReplay(node, now);
        return node.Replayed;
    }

    /// <summary>The node follows <paramref name="upstream"/> (null: none) from now on; replays that ended before now counted for the old one.</summary>
    private void SetUpstream(Instant now, NodeRuntime node, NodeRuntime? upstream)
    {
        AdvanceReplay(node, now);
        node.Upstream = upstream;
    }
}
