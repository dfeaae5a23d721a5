using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>Injected faults: partitions, link faults, disk stalls, crashes and pauses.</summary>
internal sealed partial class ClusterSimulation
{
    private void StartFault(Instant now, int index)
    {
        var fault = _spec.Faults[index];
        _trace.Record(now, FaultStartKind, index);
        switch (fault)
        {
            case PartitionFault p:
                foreach (var link in LinksBetween(p.From, p.To))
                {
                    link.Block();
                }
                if (_failover is not null)
                {
                    ChangeControlReachability(now, p, block: true);
                }
                break;
            case LinkFault l:
                foreach (var link in LinksBetween(l.From, l.To))
                {
                    link.Degrade(l.Latency, l.LossProbability);
                }
                break;
            case DiskStallFault d:
                var node = _nodes[d.Node.Value];
                node.StalledUntil = Instant.Max(node.StalledUntil, fault.HealsAt ?? Instant.MaxValue);
                HoldWalWrite(now, node, node.StalledUntil);
                break;
            case CrashFault c when ++_nodes[c.Node.Value].CrashFaults > 1:
                break; // already down: overlapping crashes keep it down until the last one heals
            case CrashFault c when _failover is not null:
                CrashMachine(now, _nodes[c.Node.Value], c.Scope);
                break;
            case CrashFault c:
                Crash(now, _nodes[c.Node.Value]);
                break;
            case PauseFault p:
                Pause(now, _nodes[p.Node.Value], p.Scope, fault.HealsAt ?? Instant.MaxValue);
                break;
            case DcsMemberCrashFault m:
                _etcd.Crash(now, m.Member);
                DropHeldDcsAttempts(m.Member);
                ArmDcsWake();
                break;
            case ClockDriftFault d:
                SetClockRate(now, _nodes[d.Node.Value], d.Rate);
                break;
        }
    }

    private void HealFault(Instant now, int index)
    {
        var fault = _spec.Faults[index];
        _trace.Record(now, FaultHealKind, index);
        switch (fault)
        {
            case PartitionFault p:
                foreach (var link in LinksBetween(p.From, p.To))
                {
                    _redeliveries.Clear();
                    link.Heal(now, _redeliveries);
                    foreach (var arrival in _redeliveries)
                    {
                        _scheduler.Post(arrival, new ModelEvent(EventKind.LinkDelivery, link.Index, 0));
                    }
                }
                if (_failover is not null)
                {
                    ChangeControlReachability(now, p, block: false);
                }
                break;
            case LinkFault l:
                foreach (var link in LinksBetween(l.From, l.To))
                {
                    link.RestoreQuality();
                }
                break;
            case CrashFault c when --_nodes[c.Node.Value].CrashFaults > 0:
                break; // another crash fault still holds the machine down
            case CrashFault c when _failover is not null:
                RestartMachine(now, _nodes[c.Node.Value]);
                break;
            case CrashFault c:
                Restart(now, _nodes[c.Node.Value]);
                break;
            case PauseFault resumed:
                // Whatever waited for the pause's end fires on its own now.
                _trace.Record(now, ResumeKind, resumed.Node.Value);
                if (_failover is not null && resumed.Scope == PauseScope.Machine)
                {
                    CheckWatchdogOnResume(now, _nodes[resumed.Node.Value]);
                }
                break;
            case DcsMemberCrashFault m:
                _etcd.Restart(now, m.Member);
                ArmDcsWake();
                break;
            case ClockDriftFault d:
                SetClockRate(now, _nodes[d.Node.Value], 1.0);
                break;
            case DiskStallFault:
                // Completions deferred to StalledUntil fire on their own.
                break;
        }
    }

    /// <summary>Stops what <paramref name="scope"/> names on the node until <paramref name="until"/>; its events wait for then.</summary>
    private void Pause(Instant now, NodeRuntime node, PauseScope scope, Instant until)
    {
        var id = node.Id.Value;
        _pausesOverAt = Instant.Max(_pausesOverAt, until);
        if (scope is PauseScope.Machine or PauseScope.Database)
        {
            node.PausedUntil = Instant.Max(node.PausedUntil, until);
            HoldWalWrite(now, node, node.PausedUntil);
            HoldReplay(now, node, node.PausedUntil);
        }
        if (_failover is not null && scope is PauseScope.Machine or PauseScope.Agent)
        {
            _agentPausedUntil[id] = Instant.Max(_agentPausedUntil[id], until);
        }
        if (_failover is not null && scope == PauseScope.Machine)
        {
            _machinePausedUntil[id] = Instant.Max(_machinePausedUntil[id], until);
        }
        _trace.Record(now, PauseKind, id, (long)scope);
    }

    /// <summary>A partition also cuts the control traffic between the endpoints it separates; the DCS members re-elect if it splits them.</summary>
    private void ChangeControlReachability(Instant now, PartitionFault p, bool block)
    {
        var to = _control.Side(p.To, p.ToDcsMembers, p.ToClients).ToArray();
        foreach (var a in _control.Side(p.From, p.FromDcsMembers, p.FromClients))
        {
            foreach (var b in to)
            {
                if (block)
                {
                    _control.Block(a, b);
                }
                else
                {
                    _control.Unblock(a, b);
                }
            }
        }
        if (_hasDcs)
        {
            _etcd.OnNetworkChanged(now);
            NotifyDcsEvents(now, []);
            ArmDcsWake();
        }
    }

    /// <summary>
    /// Until when what an event belongs to is paused (<see cref="Instant.Start"/>: it is not): the
    /// node, for its disk, replay, replication and PostgreSQL work (the primary for its timers in a
    /// run without failover); the agent, for its timers and DCS and REST calls; the machine, for
    /// its watchdog; the receiver, for a control message.
    /// </summary>
    private Instant BlockedUntil(in ModelEvent ev) => ev.Kind switch
    {
        EventKind.WalWriteDone or EventKind.WalFlushDone or EventKind.ReplayDone or EventKind.StatusInterval => _nodes[ev.Target].PausedUntil,
        EventKind.LinkDelivery => _nodes[_links[ev.Target].To.Value].PausedUntil,
        EventKind.SenderTimeoutCheck or EventKind.SemiSyncTimeout => _failover is null ? _initialRole.Node.PausedUntil : Instant.Start,
        EventKind.AgentStart or EventKind.MachineBoot or EventKind.AgentTimer or EventKind.DcsAttemptTimeout or EventKind.RestTimeout => _agentPausedUntil[ev.Target],
        EventKind.WatchdogExpiry => _machinePausedUntil[ev.Target],
        EventKind.DatabaseActionDone or EventKind.WalReceiverRetry or EventKind.DatabaseQuery => _nodes[ev.Target].PausedUntil,
        EventKind.ClientRequestArrives => _nodes[ev.Target].PausedUntil, // PostgreSQL serves it
        EventKind.ControlDelivery => ControlReceiverPausedUntil(ev.Value),
        _ => Instant.Start,
    };

    /// <summary>
    /// The machine dies: steps in flight are lost, and so is WAL written but not flushed (it was
    /// only in the operating system's cache), and replication traffic it sent that has not arrived.
    /// </summary>
    private void Crash(Instant now, NodeRuntime node, bool machineStaysUp = false)
    {
        AdvanceReplay(node, now); // what it replayed before the crash stays replayed
        node.Down = true;
        if (machineStaysUp)
        {
            // Only the processes die: what they wrote is in the page cache, and what they sent is in
            // the kernel's socket buffers, which still delivers it.
            node.Flushed = Math.Max(node.Flushed, node.WrittenAt(now));
        }
        else
        {
            // What its walsender or walreceiver had sent but not yet delivered is lost with it: RPO
            // counts the WAL that is not on the standby at the moment of failure (numbers.md 3.3).
            foreach (var other in _nodes)
            {
                if (other != node)
                {
                    LinkBetween(node, other).Sever();
                }
            }
        }
        _scheduler.Cancel(node.WriteTimer);
        _scheduler.Cancel(node.FlushTimer);
        _scheduler.Cancel(node.ReplayTimer);
        node.WriterBusy = node.Replaying = false;
        node.Received = node.Written = node.Flushed;
        _trace.Record(now, CrashKind, node.Id.Value, node.Flushed);
    }

    /// <summary>Back up: recovery replays what was flushed, and the standby asks the primary to stream from its flushed position.</summary>
    private void Restart(Instant now, NodeRuntime node)
    {
        node.Down = false;
        _trace.Record(now, RestartKind, node.Id.Value, node.Flushed);
        StartReplay(now, node);
        RequestStreaming(now, node);
    }

    /// <summary>The standby (re)connects to its upstream with START_REPLICATION from its flushed position, as a new session.</summary>
    private void RequestStreaming(Instant now, NodeRuntime standby)
    {
        if (standby.Upstream is not { } upstream)
        {
            return;
        }
        standby.StreamEpoch++;
        standby.Streaming = false;
        Send(now, LinkBetween(standby, upstream),
            new WireMessage(MessageKind.StartReplication, standby.Flushed, standby.Timeline.Value, 0, ReplyBytes, standby.StreamEpoch));
        if (_failover is not null)
        {
            _scheduler.PostAfter(WalRetrieveRetryInterval, new ModelEvent(EventKind.WalReceiverRetry, standby.Id.Value, standby.StreamEpoch));
        }
    }

    /// <summary>START_REPLICATION: the walsender resends from where the standby stands, in the standby's new session.</summary>
    private void StartStreaming(Instant now, NodeRuntime primary, NodeRuntime standby, in WireMessage request)
    {
        if (primary.Primary is not { } role || role.ViewOf[standby.Id.Value] is not { } view)
        {
            return; // not a primary (any more): the standby's walreceiver retries (wal_retrieve_retry_interval)
        }
        if (_failover is not null)
        {
            // The standby's WAL must be a prefix of this primary's history; if not, it has diverged.
            var limit = PrefixLimit(request.B, role.Timeline.Value);
            if (limit is null || request.A > limit)
            {
                Send(now, LinkBetween(primary, standby), new WireMessage(MessageKind.StreamRefused, 0, 0, 0, ReplyBytes, request.Epoch));
                return;
            }
            Send(now, LinkBetween(primary, standby), new WireMessage(MessageKind.StreamStarted, role.Timeline.Value, 0, 0, ReplyBytes, request.Epoch));
        }
        view.Epoch = request.Epoch;
        view.LastReplyAt = now;
        view.Sent = request.A;
        if (!view.Connected)
        {
            Reconnect(now, role, view);
        }
        else
        {
            ShipWal(now, role, _shipOnInsert ? primary.Received : primary.Flushed);
        }
    }

    /// <summary>The links that carry traffic from a node in <paramref name="from"/> to a node in <paramref name="to"/>, in index order.</summary>
    private IEnumerable<Link> LinksBetween(IReadOnlyList<NodeId> from, IReadOnlyList<NodeId> to) =>
        _links.Where(link => from.Contains(link.From) && to.Contains(link.To));

    /// <summary>wal_sender_timeout, checked by every primary for <paramref name="standby"/>.</summary>
    private void CheckSenderTimeouts(Instant now, NodeRuntime standby)
    {
        foreach (var node in _nodes)
        {
            if (node.Primary is { } role && role.ViewOf[standby.Id.Value] is { } view && now >= node.PausedUntil)
            {
                CheckSenderTimeout(now, role, view);
            }
        }
    }

    /// <summary>wal_sender_timeout: a standby silent for that long no longer counts as connected (PostgreSQL ends its walsender).</summary>
    private void CheckSenderTimeout(Instant now, PrimaryRole role, ReplicaView view)
    {
        if (!view.Connected || now - view.LastReplyAt <= _spec.Replication.WalSenderTimeout)
        {
            return;
        }
        view.Connected = false;
        view.Disconnections++;
        view.DisconnectedSince = now;
        _trace.Record(now, DisconnectKind, view.Node.Value);
        ReleaseCommits(now, role); // FIRST k may now pick the next standby in the list
    }

    private void Reconnect(Instant now, PrimaryRole role, ReplicaView view)
    {
        view.Connected = true;
        view.DisconnectedTime += now - view.DisconnectedSince;
        _trace.Record(now, ConnectKind, view.Node.Value);
        ShipWal(now, role, _shipOnInsert ? role.Node.Received : role.Node.Flushed);
    }
}
