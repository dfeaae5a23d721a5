using HaSim.Failover;
using HaSim.Kernel;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// What the agents ask of PostgreSQL: promote, stop in each mode, start, follow another
/// upstream, change synchronous_standby_names, and pg_rewind a diverged node. Each long action
/// takes a duration drawn from the model's database timings and reports back to the controller.
/// </summary>
internal sealed partial class ClusterSimulation
{
    private void BeginAction(Instant now, NodeAgent agent, CommandId? command, DatabaseState state, Duration duration)
    {
        var node = agent.Node;
        _scheduler.Cancel(agent.ActionTimer);
        agent.Action = command;
        agent.ActionSequence = ++_actionSequence;
        SetDatabaseState(now, node, state);
        agent.ActionTimer = _scheduler.At(now + duration, new ModelEvent(EventKind.DatabaseActionDone, node.Id.Value, agent.ActionSequence));
    }

    private void SetDatabaseState(Instant now, NodeRuntime node, DatabaseState state)
    {
        _db[node.Id.Value] = state;
        RecordRole(now, node);
    }

    private void ReportAction(Instant now, NodeAgent agent, bool ok)
    {
        if (agent.Action is { } command)
        {
            agent.Action = null;
            StepAgent(now, agent, new CommandResult(command, ok));
        }
    }

    /// <summary>
    /// <c>pg_ctl promote</c>: the walreceiver stops at once (WAL still on the wire is not taken),
    /// recovery replays what was received, then the node leaves recovery on a new timeline.
    /// </summary>
    private void BeginPromote(Instant now, NodeAgent agent, CommandId command)
    {
        var node = agent.Node;
        if (_db[node.Id.Value] != DatabaseState.Replica)
        {
            StepAgent(now, agent, new CommandResult(command, _db[node.Id.Value] == DatabaseState.Primary));
            return;
        }
        SetUpstream(now, node, null);
        node.StreamEpoch++;
        var replayBacklog = Duration.FromNanosecondsRounded(Math.Max(0, node.Received - node.Replayed) * node.ReplayNanosPerByte);
        _trace.Record(now, PromoteKind, node.Id.Value, node.Received);
        BeginAction(now, agent, command, DatabaseState.Promoting, replayBacklog + _failover!.Database.Promote.Sample(_timingRandom));
    }

    private void FinishPromote(Instant now, NodeRuntime node)
    {
        var parent = node.Timeline;
        var switchLsn = node.Received;
        var timeline = new Term(_timelineParents.Count);
        _timelineParents.Add(parent.Value);
        _timelineSwitchLsn.Add(switchLsn);
        node.Timeline = timeline;
        // The promote's duration included replaying what was received: recovery is complete.
        _scheduler.Cancel(node.ReplayTimer);
        node.Replaying = false;
        node.Replayed = node.Received;
        _promotions++;
        _history?.Promotion(now, node.Id, parent, new Lsn((ulong)switchLsn), timeline);
        BecomePrimary(now, node);
    }

    /// <summary>The node runs as a primary on its current timeline, with no standby connected yet.</summary>
    private void BecomePrimary(Instant now, NodeRuntime node)
    {
        var role = CreatePrimaryRole(node, connected: false);
        role.SyncRule = _failover!.Settings.SynchronousMode == SynchronousMode.On
            ? ParseSyncRule(role, _requestedSyncNames[node.Id.Value])
            : StaticSyncRule(role.Replicas);
        node.Primary = role;
        SetUpstream(now, node, null);
        SetDatabaseState(now, node, DatabaseState.Primary);
        StartWalWrite(now, node);
    }

    /// <summary>
    /// Shutdown: the primary role ends at once (new commits are refused; sessions waiting for a
    /// commit are terminated, their clients left not knowing), the processes stop after the
    /// mode's duration, then the agent's demote restarts the database read-only.
    /// </summary>
    private void BeginStop(Instant now, NodeAgent agent, CommandId command, DemoteMode mode, NodeId? follow)
    {
        var node = agent.Node;
        EndPrimaryRole(now, node, connectionsClosed: true);
        BreakDownstreamSessions(now, node, WalRetrieveRetryInterval); // the shutdown closes the walsenders' connections
        SetUpstream(now, node, null);
        node.StreamEpoch++;
        agent.RestartAfterStop = true;
        agent.FollowAfterStart = follow;
        agent.StartAsPrimary = false;
        var timings = _failover!.Database;
        var duration = mode is DemoteMode.Offline or DemoteMode.Graceful ? timings.FastStop.Sample(_timingRandom) : timings.ImmediateStop.Sample(_timingRandom);
        _trace.Record(now, StopKind, node.Id.Value, (long)mode);
        BeginAction(now, agent, command, DatabaseState.Stopping, duration);
    }

    private void BeginStart(Instant now, NodeAgent agent, CommandId? command, bool asPrimary, NodeId? follow)
    {
        var node = agent.Node;
        if (_db[node.Id.Value] != DatabaseState.Stopped)
        {
            if (command is { } id)
            {
                StepAgent(now, agent, new CommandResult(id, _db[node.Id.Value] is DatabaseState.Primary or DatabaseState.Replica));
            }
            return;
        }
        agent.RestartAfterStop = false;
        agent.StartAsPrimary = asPrimary;
        agent.FollowAfterStart = follow;
        _trace.Record(now, StartKind, node.Id.Value, asPrimary ? 1 : 0);
        BeginAction(now, agent, command, DatabaseState.Starting, _failover!.Database.Start.Sample(_timingRandom));
    }

    private void DatabaseActionDone(Instant now, NodeRuntime node, int sequence)
    {
        if (_agents[node.Id.Value] is not { } agent || agent.ActionSequence != sequence)
        {
            return;
        }
        agent.ActionTimer = TimerHandle.None;
        switch (_db[node.Id.Value])
        {
            case DatabaseState.Promoting:
                FinishPromote(now, node);
                ReportAction(now, agent, ok: true);
                break;
            case DatabaseState.Stopping:
                SetDatabaseState(now, node, DatabaseState.Stopped);
                var restart = agent.RestartAfterStop;
                ReportAction(now, agent, ok: true);
                if (restart && _agents[node.Id.Value] == agent && _db[node.Id.Value] == DatabaseState.Stopped)
                {
                    BeginStart(now, agent, command: null, asPrimary: false, agent.FollowAfterStart);
                }
                break;
            case DatabaseState.Starting:
                if (agent.StartAsPrimary)
                {
                    BecomePrimary(now, node);
                }
                else
                {
                    SetDatabaseState(now, node, DatabaseState.Replica);
                    SetUpstream(now, node, agent.FollowAfterStart is { } leader ? _nodes[leader.Value] : null);
                    StartReplay(now, node);
                    RequestStreaming(now, node);
                }
                ReportAction(now, agent, ok: true);
                break;
            case DatabaseState.Rewinding:
                FinishRewind(now, agent);
                break;
        }
    }

    /// <summary>Points primary_conninfo at <paramref name="leader"/> (a reload: the walreceiver reconnects).</summary>
    private void Follow(Instant now, NodeRuntime node, NodeId? leader)
    {
        var upstream = leader is { } id && id != node.Id ? _nodes[id.Value] : null;
        var agent = _agents[node.Id.Value]!;
        if (_db[node.Id.Value] is DatabaseState.Starting or DatabaseState.Stopping or DatabaseState.Rewinding or DatabaseState.Stopped)
        {
            agent.FollowAfterStart = upstream?.Id;
            return;
        }
        if (_db[node.Id.Value] != DatabaseState.Replica || node.Upstream == upstream)
        {
            return;
        }
        SetUpstream(now, node, upstream);
        RequestStreaming(now, node);
    }

    // PostgreSQL's wal_receiver_timeout: a standby that hears nothing from its upstream for this long drops the connection.
    private static readonly Duration WalReceiverTimeout = Duration.FromSeconds(60);

    /// <summary>
    /// The standbys streaming from <paramref name="upstream"/> lose their session: at once when it
    /// shuts down (it closes the connections), after wal_receiver_timeout when its machine dies.
    /// Their walreceivers then reconnect, to the same upstream unless their agent points them elsewhere.
    /// </summary>
    private void BreakDownstreamSessions(Instant now, NodeRuntime upstream, Duration noticedAfter)
    {
        foreach (var standby in _nodes)
        {
            if (standby.Upstream == upstream && standby.Streaming)
            {
                standby.Streaming = false;
                _scheduler.Post(now + noticedAfter, new ModelEvent(EventKind.WalReceiverRetry, standby.Id.Value, standby.StreamEpoch));
            }
        }
    }

    /// <summary>The walreceiver retries a connection its upstream did not take (wal_retrieve_retry_interval).</summary>
    private void RetryStreaming(Instant now, NodeRuntime node, int epoch)
    {
        if (node.StreamEpoch == epoch && !node.Streaming && !node.Down && _db[node.Id.Value] == DatabaseState.Replica && node.Upstream is not null)
        {
            RequestStreaming(now, node);
        }
    }

    private string[] _requestedSyncNames = [];

    private void SetSynchronousStandbyNames(Instant now, NodeRuntime node, string text)
    {
        _requestedSyncNames[node.Id.Value] = text;
        if (node.Primary is { } role)
        {
            role.SyncRule = ParseSyncRule(role, text);
            ReleaseCommits(now, role);
        }
    }

    /// <summary>The rule a synchronous_standby_names text sets on <paramref name="role"/>; Patroni's strict-mode placeholder names no one, so commits wait.</summary>
    private SyncRule? ParseSyncRule(PrimaryRole role, string text)
    {
        if (string.IsNullOrWhiteSpace(text) || !SyncStandbyNames.TryParse(text, out var names, out _) || names is null)
        {
            return null;
        }
        return NamedSyncRule(names, LevelAckPoint(_spec.Replication.SynchronousCommit) ?? AckPoint.Flush, role.Replicas);
    }

    private static AckPoint? LevelAckPoint(SynchronousCommit level) => level switch
    {
        SynchronousCommit.RemoteWrite => AckPoint.Write,
        SynchronousCommit.On => AckPoint.Flush,
        SynchronousCommit.RemoteApply => AckPoint.Apply,
        _ => null,
    };

    /// <summary>
    /// The primary role ends: waiting commits are never acknowledged. With
    /// <paramref name="connectionsClosed"/> (a shutdown) their clients see the connection drop at
    /// once; after a crash they only time out.
    /// </summary>
    private void EndPrimaryRole(Instant now, NodeRuntime node, bool connectionsClosed)
    {
        if (node.Primary is not { } role)
        {
            return;
        }
        role.Accepting = false;
        node.Primary = null;
        while (role.Commits.TryRelease(long.MaxValue, out var waiter))
        {
            if (connectionsClosed)
            {
                AnswerClient(now, node, waiter.Write, ClientAnswer.ConnectionLost);
            }
        }
    }

    /// <summary>
    /// The machine dies (a crash fault or a watchdog reset): the agent and the database are gone,
    /// with the WAL that was not flushed, and everything the agent had in flight.
    /// </summary>
    private void CrashMachine(Instant now, NodeRuntime node, CrashScope scope = CrashScope.Machine)
    {
        var machineStaysUp = scope == CrashScope.Processes;
        _initialWatchdog[node.Id.Value] = null; // its keeper is gone before it ever started
        EndPrimaryRole(now, node, connectionsClosed: false);
        if (_agents[node.Id.Value] is { } agent)
        {
            foreach (var (_, handle, _) in agent.Timers.Values)
            {
                _scheduler.Cancel(handle);
            }
            foreach (var handle in agent.DcsAttempts.Values)
            {
                _scheduler.Cancel(handle);
            }
            foreach (var call in agent.RestCalls.Values)
            {
                _scheduler.Cancel(call.Timeout);
            }
            _scheduler.Cancel(agent.WatchdogTimer);
            _scheduler.Cancel(agent.ActionTimer);
        }
        _agents[node.Id.Value] = null;
        _incarnations[node.Id.Value]++;
        Crash(now, node, machineStaysUp);
        node.ProcessesKilled = machineStaysUp;
        // A dead machine closes nothing: the standbys time out; a live kernel closes a killed walsender's connection at once.
        BreakDownstreamSessions(now, node, machineStaysUp ? WalRetrieveRetryInterval : WalReceiverTimeout);
        SetUpstream(now, node, null);
        node.StreamEpoch++;
        SetDatabaseState(now, node, DatabaseState.Stopped);
    }

    /// <summary>The crashed machine is back: the agent starts with the database stopped, and decides what to do with it.</summary>
    private void RestartMachine(Instant now, NodeRuntime node)
    {
        if (!node.Down)
        {
            return; // already back (a watchdog reset's reboot came first)
        }
        node.Down = false;
        node.ProcessesKilled = false;
        _trace.Record(now, RestartKind, node.Id.Value, node.Flushed);
        StartAgent(now, node);
    }

    // ---- Timelines: who may stream from whom, and pg_rewind ----

    /// <summary>
    /// How far a node on <paramref name="timeline"/> may have WAL and still be a prefix of the
    /// history of <paramref name="target"/>: the point where <paramref name="target"/>'s lineage
    /// left <paramref name="timeline"/>, or "anywhere" when they are the same. Null when
    /// <paramref name="timeline"/> is not in <paramref name="target"/>'s lineage at all.
    /// </summary>
    private long? PrefixLimit(long timeline, long target)
    {
        var limit = long.MaxValue;
        var current = target;
        while (current != 0)
        {
            if (current == timeline)
            {
                return limit;
            }
            limit = SwitchLsnOf(current); // the parent's WAL ends, in this lineage, where current began
            current = _timelineParents[(int)current];
        }
        return null;
    }

    /// <summary>Where <paramref name="timeline"/> began: the LSN at which it left its parent.</summary>
    private long SwitchLsnOf(long timeline) => _timelineSwitchLsn[(int)timeline];

    /// <summary>Where the histories of two timelines part: the end of their last common timeline in the newer's lineage.</summary>
    private long ForkPoint(long timeline, long target)
    {
        var current = timeline;
        while (current != 0)
        {
            if (PrefixLimit(current, target) is { } limit)
            {
                // current is common; the node's own lineage may have left it earlier than target's did
                var ownLimit = PrefixLimit(current, timeline) ?? long.MaxValue;
                return Math.Min(limit, ownLimit);
            }
            current = _timelineParents[(int)current];
        }
        return 0;
    }

    /// <summary>
    /// pg_rewind: the node's WAL past the fork with <paramref name="source"/>'s history is thrown
    /// away, it takes the source's timeline, and starts again as its standby.
    /// </summary>
    private void BeginRewind(Instant now, NodeRuntime node, NodeRuntime source)
    {
        if (_agents[node.Id.Value] is not { } agent || _db[node.Id.Value] != DatabaseState.Replica)
        {
            return;
        }
        _rewinds++;
        _trace.Record(now, RewindKind, node.Id.Value, source.Id.Value);
        SetUpstream(now, node, null);
        node.StreamEpoch++;
        agent.FollowAfterStart = source.Id;
        _rewindSource[node.Id.Value] = source.Id.Value;
        var timings = _failover!.Database;
        BeginAction(now, agent, command: null, DatabaseState.Rewinding,
            timings.ImmediateStop.Sample(_timingRandom) + timings.Rewind.Sample(_timingRandom) + timings.Start.Sample(_timingRandom));
    }

    private int[] _rewindSource = [];

    private void FinishRewind(Instant now, NodeAgent agent)
    {
        var node = agent.Node;
        var source = _nodes[_rewindSource[node.Id.Value]];
        var fork = ForkPoint(node.Timeline.Value, source.Timeline.Value);
        AdvanceReplay(node, now);
        _scheduler.Cancel(node.WriteTimer);
        _scheduler.Cancel(node.FlushTimer);
        _scheduler.Cancel(node.ReplayTimer);
        node.WriterBusy = node.Replaying = false;
        node.Received = node.Written = node.Flushed = Math.Min(node.Flushed, fork);
        node.Replayed = Math.Min(node.Replayed, node.Flushed);
        node.Timeline = source.Timeline;
        SetDatabaseState(now, node, DatabaseState.Replica);
        SetUpstream(now, node, agent.FollowAfterStart is { } leader ? _nodes[leader.Value] : source);
        RequestStreaming(now, node);
    }
}
