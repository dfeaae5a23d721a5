using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>Walsenders, standby replies and what the primary learns from them.</summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>Each walsender sends what it has not sent yet, up to <paramref name="available"/>.</summary>
    private void ShipWal(Instant now, long available)
    {
        foreach (var view in _replicas)
        {
            if (!view.Connected || view.Sent >= available)
            {
                continue;
            }
            var message = new WireMessage(MessageKind.WalData, view.Sent, available, 0, available - view.Sent);
            view.Sent = available;
            view.Lag.NoteSent(available, now);
            Send(now, view.Link, message);
        }
    }

    private void SendReply(Instant now, NodeRuntime standby)
    {
        // A storage node's work ends when the log record is persisted: it reports its flush
        // position as applied, so lag figures mean "not yet persisted" for it.
        var applied = standby.Spec.Role == NodeRole.Storage ? standby.Flushed : standby.Replayed;
        var message = new WireMessage(MessageKind.StandbyReply, standby.Written, standby.Flushed, applied, ReplyBytes);
        Send(now, standby.ToPrimary!, message);
    }

    private void Send(Instant now, Link link, in WireMessage message)
    {
        var arrival = link.Send(now, message);
        _scheduler.Post(arrival, new ModelEvent(EventKind.LinkDelivery, link.Index, 0));
    }

    private void Deliver(Instant now, Link link)
    {
        if (!link.TryDeliver(out var message))
        {
            return; // held by a partition until it heals
        }
        if (_nodes[link.To.Value].Down)
        {
            return; // lost with the crashed machine
        }
        if (message.Kind == MessageKind.WalData)
        {
            var node = _nodes[link.To.Value];
            node.Received = Math.Max(node.Received, message.B);
            StartWrite(now, node);
        }
        else if (message.Kind == MessageKind.StartReplication)
        {
            RestartStreaming(now, _viewOf[link.From.Value]!, message.A);
        }
        else
        {
            ReceiveReply(now, _viewOf[link.From.Value]!, message);
        }
    }

    private void ReceiveReply(Instant now, ReplicaView view, in WireMessage reply)
    {
        view.LastReplyAt = now;
        if (!view.Connected)
        {
            Reconnect(now, view);
        }
        view.ReportedWrite = Math.Max(view.ReportedWrite, reply.A);
        view.ReportedFlush = Math.Max(view.ReportedFlush, reply.B);
        view.ReportedApply = Math.Max(view.ReportedApply, reply.C);
        _trace.Record(now, ReplyKind, view.Node.Value, view.ReportedFlush, view.ReportedApply);
        var writeLag = view.Lag.Read(AckPoint.Write, view.ReportedWrite, now);
        var flushLag = view.Lag.Read(AckPoint.Flush, view.ReportedFlush, now);
        var replayLag = view.Lag.Read(AckPoint.Apply, view.ReportedApply, now);
        if (_measuring)
        {
            if (writeLag is { } w)
            {
                view.WriteLag.Record(w.Nanoseconds);
            }
            if (flushLag is { } f)
            {
                view.FlushLag.Record(f.Nanoseconds);
            }
            if (replayLag is { } r)
            {
                view.ReplayLag.Record(r.Nanoseconds);
            }
            view.LagBytes.Record(Math.Max(0, _primary.Received - view.ReportedApply));
        }
        if (_semiSyncAsync && view.ReportedWrite >= _primary.Flushed)
        {
            ResumeSemiSync(now);
        }
        ReleaseCommits(now);
    }
}
