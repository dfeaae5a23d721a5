using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>Walsenders, standby replies and what the primary learns from them.</summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>Each walsender of <paramref name="role"/> sends what it has not sent yet, up to <paramref name="available"/>.</summary>
    private void ShipWal(Instant now, PrimaryRole role, long available)
    {
        foreach (var view in role.Replicas)
        {
            if (!view.Connected || view.Sent >= available)
            {
                continue;
            }
            var message = new WireMessage(MessageKind.WalData, view.Sent, available, 0, available - view.Sent, view.Epoch);
            view.Sent = available;
            if (_measure)
            {
                view.Lag.NoteSent(available, now);
            }
            Send(now, view.Link, message);
        }
    }

    private void SendReply(Instant now, NodeRuntime standby)
    {
        if (standby.Upstream is not { } upstream)
        {
            return;
        }
        // A storage node's work ends when the log record is persisted: it reports its flush
        // position as applied, so lag figures mean "not yet persisted" for it.
        var applied = standby.Spec.Role == NodeRole.Storage ? standby.Flushed : ReplayedBy(standby, now);
        var message = new WireMessage(MessageKind.StandbyReply, standby.WrittenAt(now), standby.Flushed, applied, ReplyBytes, standby.StreamEpoch);
        Send(now, LinkBetween(standby, upstream), message);
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
        var receiver = _nodes[link.To.Value];
        if (message.Kind == MessageKind.WalData)
        {
            if (receiver.Upstream?.Id != link.From || receiver.StreamEpoch != message.Epoch)
            {
                return; // sent on a connection the standby has since closed
            }
            receiver.Received = Math.Max(receiver.Received, message.B);
            StartWalWrite(now, receiver);
        }
        else if (message.Kind == MessageKind.StartReplication)
        {
            StartStreaming(now, receiver, _nodes[link.From.Value], message);
        }
        else if (message.Kind is MessageKind.StreamStarted or MessageKind.StreamRefused)
        {
            if (receiver.Upstream?.Id != link.From || receiver.StreamEpoch != message.Epoch)
            {
                return;
            }
            if (message.Kind == MessageKind.StreamStarted)
            {
                receiver.Streaming = true;
                if (receiver.Timeline.Value != message.A)
                {
                    receiver.Timeline = new Term(message.A); // the walreceiver follows the upstream's timeline switch
                    RecordRole(now, receiver);
                }
            }
            else
            {
                BeginRewind(now, receiver, _nodes[link.From.Value]);
            }
        }
        else if (receiver.Primary?.ViewOf[link.From.Value] is { } view && view.Epoch == message.Epoch)
        {
            ReceiveReply(now, receiver.Primary, view, message);
        }
    }

    private void ReceiveReply(Instant now, PrimaryRole role, ReplicaView view, in WireMessage reply)
    {
        view.LastReplyAt = now;
        if (!view.Connected)
        {
            Reconnect(now, role, view);
        }
        view.ReportedWrite = Math.Max(view.ReportedWrite, reply.A);
        view.ReportedFlush = Math.Max(view.ReportedFlush, reply.B);
        view.ReportedApply = Math.Max(view.ReportedApply, reply.C);
        _trace.Record(now, ReplyKind, view.Node.Value, view.ReportedFlush, view.ReportedApply);
        if (_measure)
        {
            MeasureLag(role, view, now);
        }
        if (_semiSyncAsync && view.ReportedWrite >= role.Node.Flushed)
        {
            ResumeSemiSync(now);
        }
        ReleaseCommits(now, role);
    }

    /// <summary>What the reply tells of the standby's lag: the latest lags (for the lag series) and, once measuring, the histograms.</summary>
    private void MeasureLag(PrimaryRole role, ReplicaView view, Instant now)
    {
        var writeLag = view.Lag.Read(AckPoint.Write, view.ReportedWrite, now);
        var flushLag = view.Lag.Read(AckPoint.Flush, view.ReportedFlush, now);
        var replayLag = view.Lag.Read(AckPoint.Apply, view.ReportedApply, now);
        if (!_measuring)
        {
            return;
        }
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
        view.LagBytes.Record(Math.Max(0, role.Node.Received - view.ReportedApply));
    }
}
