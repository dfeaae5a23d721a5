using HaSim.Failover;
using HaSim.Kernel;
using HaSim.Model.Dcs;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>The agent hosts: controller inputs from simulated events, commands carried out as simulated actions (the same for either agent).</summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>The agent process starts (at the start of the run, or after its machine came back) with a fresh controller.</summary>
    private void StartAgent(Instant now, NodeRuntime node)
    {
        var failover = _failover!;
        var tags = failover.Tags[node.Id.Value];
        IHaController controller;
        if (failover.Agent == FailoverAgent.NaiveScript)
        {
            var script = failover.NaiveScript with { NoFailover = tags.NoFailover, FailoverPriority = tags.FailoverPriority };
            controller = new NaiveFailoverScript(node.Id, node.Spec.Name, script, [.. _nodes.Where(n => n != node).Select(n => n.Id)]);
        }
        else
        {
            var settings = failover.Settings with
            {
                NoFailover = tags.NoFailover,
                FailoverPriority = tags.FailoverPriority,
                NoSync = tags.NoSync,
                SyncPriority = tags.SyncPriority,
            };
            controller = new FailoverController(node.Id, node.Spec.Name, settings);
        }
        if (_incarnations[node.Id.Value] == 0)
        {
            foreach (var warning in controller.SettingsWarnings)
            {
                var line = $"{node.Spec.Name}: {warning}";
                if (!_settingsWarnings.Contains(line))
                {
                    _settingsWarnings.Add(line);
                }
            }
        }
        var dcsClient = _hasDcs ? DcsClient.PreferringZone(failover.Dcs.Members, node.Spec.Zone) : null;
        var agent = new NodeAgent(node, controller, dcsClient, _clocks[node.Id.Value], _incarnations[node.Id.Value]);
        if (_incarnations[node.Id.Value] == 0)
        {
            agent.Lease = _initialLeases[node.Id.Value];
        }
        _agents[node.Id.Value] = agent;
        if (_initialWatchdog[node.Id.Value] is { } armed)
        {
            _initialWatchdog[node.Id.Value] = null;
            agent.WatchdogTimeout = armed.Timeout;
            SetWatchdogDeadline(now, agent, armed.Deadline);
        }
        StepAgent(now, agent, new Start(failover.WatchdogDevice));
    }

    /// <summary>Feeds one input to the controller, then carries out every command it gives, in order.</summary>
    private void StepAgent(Instant now, NodeAgent agent, ControllerInput input)
    {
        agent.Inbox.Enqueue(input);
        if (agent.Stepping)
        {
            return; // the outer call feeds it once the commands of the current input are out
        }
        agent.Stepping = true;
        while (agent.Inbox.TryDequeue(out var next))
        {
            if (_agents[agent.Node.Id.Value] != agent)
            {
                break; // a command reset the machine
            }
            agent.Controller.Step(agent.Clock.Local(now), next);
            if (_agentLog is not null && agent.Controller.FinishedCycles != agent.LoggedCycles)
            {
                agent.LoggedCycles = agent.Controller.FinishedCycles;
                _agentLog.Write(new AgentLogEntry(now, agent.Node.Id, AgentLogKind.Cycle, agent.Controller.LastMessage));
            }
            while (agent.Controller.TryTakeCommand(out var command))
            {
                Execute(now, agent, command);
                if (_agents[agent.Node.Id.Value] != agent)
                {
                    break;
                }
            }
        }
        agent.Stepping = false;
    }

    private void Execute(Instant now, NodeAgent agent, ControllerCommand command)
    {
        var node = agent.Node;
        if (_agentLog is not null)
        {
            LogCommand(now, node, command);
        }
        switch (command)
        {
            case DcsRequest request:
                SendDcsAttempt(now, agent, request);
                break;
            case QueryPeer query:
                SendRestCall(now, agent, query.Request, query.Peer, query.Timeout, failsafe: false);
                break;
            case PostFailsafe post:
                SendRestCall(now, agent, post.Request, post.Peer, post.Timeout, failsafe: true);
                break;
            case QueryDatabase:
                AnswerDatabaseQuery(now, agent);
                break;
            case Promote promote:
                BeginPromote(now, agent, promote.Command);
                break;
            case Demote demote:
                BeginStop(now, agent, demote.Command, demote.Mode, demote.Follow);
                break;
            case StartDatabase start:
                BeginStart(now, agent, start.Command, start.AsPrimary, start.Follow);
                break;
            case FollowLeader follow:
                Follow(now, node, follow.Leader);
                break;
            case SetSynchronousStandbyNames names:
                SetSynchronousStandbyNames(now, node, names.Text);
                break;
            case WatchdogArm arm:
                agent.WatchdogTimeout = arm.Timeout;
                KeepWatchdogAlive(now, agent);
                break;
            case WatchdogKeepalive:
                if (agent.WatchdogDeadline is not null)
                {
                    KeepWatchdogAlive(now, agent);
                }
                break;
            case WatchdogDisarm:
                agent.WatchdogDeadline = null;
                _scheduler.Cancel(agent.WatchdogTimer);
                break;
            case SetTimer timer:
                SetAgentTimer(now, agent, timer.Timer, timer.At);
                break;
            case CancelTimer cancel:
                if (agent.Timers.Remove(cancel.Timer, out var pending))
                {
                    _scheduler.Cancel(pending.Handle);
                }
                break;
            default:
                throw new InvalidOperationException($"unknown controller command {command}");
        }
    }

    /// <summary>Tells the agent log about a command that changes the database or the watchdog (not DCS, REST or timer traffic).</summary>
    private void LogCommand(Instant now, NodeRuntime node, ControllerCommand command)
    {
        string Name(NodeId? id) => id is { } n ? _spec.Nodes[n.Value].Name : "nobody";
        (AgentLogKind Kind, string Detail)? entry = command switch
        {
            Promote => (AgentLogKind.Promote, ""),
            Demote d => (AgentLogKind.Demote, $"{DemoteModeName(d.Mode)}, then follow {Name(d.Follow)}"),
            StartDatabase s => (AgentLogKind.Start, s.AsPrimary ? "as primary" : $"read-only, following {Name(s.Follow)}"),
            FollowLeader f => (AgentLogKind.Follow, Name(f.Leader)),
            WatchdogArm a => (AgentLogKind.WatchdogArm, a.Timeout.ToString()),
            WatchdogDisarm => (AgentLogKind.WatchdogDisarm, ""),
            SetSynchronousStandbyNames names => (AgentLogKind.SynchronousStandbyNames, names.Text),
            _ => null,
        };
        if (entry is { } e)
        {
            _agentLog!.Write(new AgentLogEntry(now, node.Id, e.Kind, e.Detail));
        }
    }

    private static string DemoteModeName(DemoteMode mode) => mode switch
    {
        DemoteMode.Offline => "offline",
        DemoteMode.Graceful => "graceful",
        DemoteMode.Immediate => "immediate",
        DemoteMode.ImmediateNoLock => "immediate-nolock",
        _ => mode.ToString(),
    };

    private void SetAgentTimer(Instant now, NodeAgent agent, TimerId timer, Instant local)
    {
        if (agent.Timers.Remove(timer, out var old))
        {
            _scheduler.Cancel(old.Handle);
        }
        var setting = ++agent.TimerSettings;
        var handle = _scheduler.At(agent.Clock.Real(local, now),
            new ModelEvent(EventKind.AgentTimer, agent.Node.Id.Value, (setting << 32) | ((long)agent.Incarnation << 8) | (long)timer));
        agent.Timers[timer] = (local, handle, setting);
    }

    private void AgentTimerFired(Instant now, int node, long value)
    {
        var timer = (TimerId)(value & 0xFF);
        if (_agents[node] is not { } agent || agent.Incarnation != (int)((value >> 8) & 0xFFFFFF))
        {
            return;
        }
        // Only the current setting's event: a stale copy (deferred through a pause, then replaced)
        // must neither wake the controller nor forget the current setting, which a later clock
        // rate change must still be able to move (explore, seed 299 of split-brain entry 3).
        if (!agent.Timers.TryGetValue(timer, out var current) || current.Setting != value >> 32)
        {
            return;
        }
        agent.Timers.Remove(timer);
        StepAgent(now, agent, new TimerFired(timer));
    }

    /// <summary>A clock drift changes how local deadlines map to real time: reschedule the agent's timers.</summary>
    private void SetClockRate(Instant now, NodeRuntime node, double rate)
    {
        // Timers keep the local instant they are due at; only its real instant moves. The
        // watchdog too: a rate change is no keepalive (it may come while the machine is frozen).
        var clock = _clocks[node.Id.Value];
        var agent = _agents[node.Id.Value];
        var watchdogDue = agent is null ? _initialWatchdog[node.Id.Value]?.Deadline : agent.WatchdogDeadline;
        var watchdogLocal = watchdogDue is { } due ? clock.Local(due) : (Instant?)null;
        clock.SetRate(now, rate);
        if (agent is null)
        {
            if (_initialWatchdog[node.Id.Value] is { } armed && watchdogLocal is { } local)
            {
                _initialWatchdog[node.Id.Value] = armed with { Deadline = clock.Real(local, now) };
            }
            return; // the agent has not started, or the machine is down; its clock keeps the rate
        }
        foreach (var (timer, (local, _, _)) in agent.Timers.OrderBy(t => t.Key).ToArray())
        {
            SetAgentTimer(now, agent, timer, local);
        }
        if (watchdogLocal is { } watchdogAt)
        {
            SetWatchdogDeadline(now, agent, clock.Real(watchdogAt, now));
        }
    }

    // ---- The watchdog: a kernel timer that resets the machine unless kept alive ----

    private void KeepWatchdogAlive(Instant now, NodeAgent agent) =>
        SetWatchdogDeadline(now, agent, agent.Clock.Real(agent.Clock.Local(now) + agent.WatchdogTimeout, now));

    /// <summary>The one place the watchdog's kernel timer is (re)scheduled: a keepalive, a clock rate change, or the initial leader's armed watchdog.</summary>
    private void SetWatchdogDeadline(Instant now, NodeAgent agent, Instant deadline)
    {
        _scheduler.Cancel(agent.WatchdogTimer);
        agent.WatchdogDeadline = deadline;
        agent.WatchdogGeneration = ++_watchdogGenerations;
        agent.WatchdogTimer = _scheduler.At(Instant.Max(deadline, now), new ModelEvent(EventKind.WatchdogExpiry, agent.Node.Id.Value, agent.WatchdogGeneration));
    }

    private void WatchdogExpired(Instant now, NodeRuntime node, int generation)
    {
        if (_agents[node.Id.Value] is { } agent && agent.WatchdogGeneration == generation && agent.WatchdogDeadline is { } deadline && deadline <= now)
        {
            ResetByWatchdog(now, node);
        }
    }

    /// <summary>
    /// The machine resumes from a pause: the kernel's watchdog timer, overdue, fires before any
    /// process runs again, so a leader paused past its watchdog timeout is reset before its
    /// database can accept the writes that queued up during the pause.
    /// </summary>
    private void CheckWatchdogOnResume(Instant now, NodeRuntime node)
    {
        var deadline = _agents[node.Id.Value] is { } agent ? agent.WatchdogDeadline : _initialWatchdog[node.Id.Value]?.Deadline;
        if (deadline <= now)
        {
            ResetByWatchdog(now, node);
        }
    }

    private void ResetByWatchdog(Instant now, NodeRuntime node)
    {
        _watchdogResets++;
        _trace.Record(now, WatchdogResetKind, node.Id.Value);
        CrashMachine(now, node);
        // The machine reboots, then the agent starts.
        _scheduler.Post(now + RebootTime, new ModelEvent(EventKind.MachineBoot, node.Id.Value, _incarnations[node.Id.Value]));
    }

    /// <summary>How long a machine reset by its watchdog takes to boot before the agent starts again.</summary>
    private static readonly Duration RebootTime = Duration.FromSeconds(30);

    // ---- REST calls between agents (GET /patroni, POST /failsafe) ----

    private void SendRestCall(Instant now, NodeAgent agent, RequestId request, NodeId peer, Duration timeout, bool failsafe)
    {
        var handle = _scheduler.At(agent.Clock.Real(agent.Clock.Local(now) + timeout, now),
            new ModelEvent(EventKind.RestTimeout, agent.Node.Id.Value, request.Value));
        agent.RestCalls[request.Value] = (peer, failsafe, handle);
        ControlMessage message = failsafe
            ? new FailsafePostMessage(agent.Node.Id, agent.Incarnation, peer, request)
            : new PeerQueryMessage(agent.Node.Id, agent.Incarnation, peer, request);
        SendControl(now, agent.Node.Id.Value, peer.Value, message);
    }

    private void AnswerPeerQuery(Instant now, PeerQueryMessage query)
    {
        if (AgentOf(query.To) is not { } peer)
        {
            if (_nodes[query.To.Value].ProcessesKilled)
            {
                // The machine is up but the agent is dead: its kernel refuses the connection at once.
                SendControl(now, query.To.Value, query.From.Value, new PeerAnswerMessage(query.From, query.Incarnation, query.To, query.Request, null));
            }
            return; // no one listens: the caller times out
        }
        var node = peer.Node;
        var state = _db[node.Id.Value];
        var tags = _failover!.Tags[node.Id.Value];
        var report = new PeerReport(state == DatabaseState.Primary, new Lsn((ulong)LastOperation(node)), node.Timeline,
            tags.NoFailover, WatchdogFailed: false, tags.FailoverPriority);
        SendControl(now, query.To.Value, query.From.Value, new PeerAnswerMessage(query.From, query.Incarnation, query.To, query.Request, report));
    }

    private void ReceiveRestAnswer(Instant now, NodeId to, int incarnation, long request, ControllerInput input)
    {
        if (AgentOf(to) is not { } agent || agent.Incarnation != incarnation || !agent.RestCalls.Remove(request, out var call))
        {
            return; // timed out already, or the caller restarted
        }
        _scheduler.Cancel(call.Timeout);
        StepAgent(now, agent, input);
    }

    private void RestCallTimedOut(Instant now, int node, long request)
    {
        if (_agents[node] is not { } agent || !agent.RestCalls.Remove(request, out var call))
        {
            return;
        }
        var id = new RequestId(request);
        StepAgent(now, agent, call.Failsafe ? new FailsafeReply(id, call.Peer, false) : new PeerStatus(id, call.Peer, null));
    }

    // ---- The local database, as the agent reads it ----

    /// <summary>
    /// Patroni's <c>last_operation</c>: on a primary <c>pg_current_wal_lsn()</c>, the WAL written
    /// out (not merely inserted: a primary whose disk stalls stops advancing it), on a replica the
    /// received (flushed) position.
    /// </summary>
    private long LastOperation(NodeRuntime node) => _db[node.Id.Value] == DatabaseState.Primary ? node.WrittenAt(_scheduler.Now) : node.Flushed;

    private void AnswerDatabaseQuery(Instant now, NodeAgent agent)
    {
        var node = agent.Node;
        if (now < node.PausedUntil)
        {
            // The query hangs until the database runs again.
            _scheduler.Post(node.PausedUntil, new ModelEvent(EventKind.DatabaseQuery, node.Id.Value, agent.Incarnation));
            return;
        }
        StepAgent(now, agent, DatabaseStatusOf(node));
    }

    private DatabaseStatus DatabaseStatusOf(NodeRuntime node)
    {
        switch (_db[node.Id.Value])
        {
            case DatabaseState.Primary:
                var role = node.Primary!;
                var standbys = new List<StandbyReplication>();
                foreach (var view in role.Replicas)
                {
                    if (view.Connected && view.Runtime.Upstream == node)
                    {
                        standbys.Add(new StandbyReplication(view.Node, new Lsn((ulong)view.ReportedFlush), role.SyncRule?.IsSync(view) == true));
                    }
                }
                return DatabaseStatus.Primary(new Lsn((ulong)LastOperation(node)), node.Timeline, standbys);
            case DatabaseState.Replica:
            case DatabaseState.Promoting:
                return DatabaseStatus.Replica(new Lsn((ulong)node.Flushed), node.Timeline, node.Upstream?.Id);
            case DatabaseState.Starting:
            case DatabaseState.Rewinding:
                return DatabaseStatus.Starting(node.Timeline);
            default:
                return DatabaseStatus.Stopped(node.Timeline);
        }
    }
}
