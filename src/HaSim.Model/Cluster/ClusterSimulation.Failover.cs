using HaSim.Failover;
using HaSim.Kernel;
using HaSim.Model.Dcs;
using HaSim.Model.Routing;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// Automatic failover: the pieces a <see cref="FailoverSpec"/> adds to the cluster, and how their
/// events are dispatched. The agents (<see cref="NodeAgent"/>) host the production controller,
/// the DCS is an <see cref="EtcdCluster"/>, and clients reach the primary through a
/// <see cref="WriteEndpoint"/>. Everything travels over the <see cref="ControlNetwork"/>.
/// </summary>
internal sealed partial class ClusterSimulation
{
    private static readonly TraceKind PromoteKind = new("db.promote");
    private static readonly TraceKind StopKind = new("db.stop");
    private static readonly TraceKind StartKind = new("db.start");
    private static readonly TraceKind RewindKind = new("db.rewind");
    private static readonly TraceKind WatchdogResetKind = new("watchdog.reset");
    private static readonly TraceKind ClientOutcomeKind = new("client.outcome");
    private static readonly TraceKind RouteKind = new("proxy.route");
    private static readonly TraceKind DcsCommitKind = new("dcs.commit");

    // PostgreSQL's wal_retrieve_retry_interval: a standby whose upstream did not take it retries this often.
    private static readonly Duration WalRetrieveRetryInterval = Duration.FromSeconds(5);

    private FailoverSpec? _failover;
    private ControlNetwork _control = null!;
    private EtcdCluster _etcd = null!; // only when _hasDcs
    private bool _hasDcs;
    private DcsLayout _layout = null!;
    private NodeAgent?[] _agents = [];
    private DatabaseState[] _db = [];
    private Instant[] _agentPausedUntil = [];
    private Instant[] _machinePausedUntil = [];
    private int[] _incarnations = [];
    private LocalClock[] _clocks = [];
    private readonly Dictionary<long, ControlMessage> _inFlight = []; // looked up by id, never enumerated
    private long _nextMessage;
    private SimRandom _timingRandom = null!;
    private TimerHandle _dcsWake;
    private IRunHistorySink? _history;
    private IAgentLogSink? _agentLog;
    private int _watchdogGenerations;
    private int _actionSequence;
    // The timeline tree, indexed by timeline (0 unused; timeline 1 has no parent): each one's
    // parent and the LSN at which it left it, as the lines of PostgreSQL's .history files.
    private readonly List<long> _timelineParents = [0, 0];
    private readonly List<long> _timelineSwitchLsn = [0, 0];
    private readonly List<string> _settingsWarnings = [];
    private long _promotions;
    private long _watchdogResets;
    private long _rewinds;

    private void InitFailover(FailoverSpec failover, IRunHistorySink? history)
    {
        _failover = failover;
        _history = history;
        _control = new ControlNetwork(_spec, failover, _seed);
        _hasDcs = failover.Dcs.Members.Count > 0; // none for the naive script, which uses no DCS
        if (_hasDcs)
        {
            _etcd = new EtcdCluster(failover.Dcs.Members, failover.Dcs.Raft,
                (a, b) => _control.Reachable(_control.DcsBase + a, _control.DcsBase + b), Instant.Start);
        }
        _layout = new DcsLayout(failover.Scope, [.. _spec.Nodes.Select(n => n.Name)]);
        _agents = new NodeAgent?[_nodes.Length];
        _db = new DatabaseState[_nodes.Length];
        _agentPausedUntil = new Instant[_nodes.Length];
        _machinePausedUntil = new Instant[_nodes.Length];
        _incarnations = new int[_nodes.Length];
        _clocks = [.. _nodes.Select(_ => new LocalClock())];
        _timingRandom = new SimRandom(_seed, "database timings");
        _requestedSyncNames = new string[_nodes.Length];
        Array.Fill(_requestedSyncNames, "");
        _rewindSource = new int[_nodes.Length];
        foreach (var node in _nodes)
        {
            _db[node.Id.Value] = node.Primary is not null ? DatabaseState.Primary : DatabaseState.Replica;
        }
        InitClients(failover);
        _initialLeases = new LeaseId?[_nodes.Length];
        _initialWatchdog = new (Duration, Instant)?[_nodes.Length];
        if (_hasDcs)
        {
            SeedLeaderKey(failover);
        }
    }

    /// <summary>
    /// The run starts from a running cluster: the initial primary holds the leader key, on a lease
    /// of ttl granted just now, as it would after bootstrap and a first renewal.
    /// </summary>
    private void SeedLeaderKey(FailoverSpec failover)
    {
        var primary = _initialRole.Node;
        if (!_etcd.TryRoute(Instant.Start, 0, out var plan, out var refusal)
            || !_etcd.TryCommit(Instant.Start, plan, new DcsLeaseGrant(failover.Settings.Ttl), out var granted, out refusal)
            || granted is not LeaseGrantReply grant
            || !_etcd.TryCommit(Instant.Start, plan, PatroniEtcd3.CreateIfAbsent(_layout.LeaderKey, primary.Spec.Name, grant.Lease), out _, out refusal))
        {
            throw new InvalidOperationException($"the DCS cannot take the initial leader key: {refusal}");
        }
        _initialLeases[primary.Id.Value] = grant.Lease;
        _etcd.Store.DrainEvents();
        NoteLeaderKey(Instant.Start);

        // A leader that renewed its key just now kept its watchdog alive just now too: the
        // machine's watchdog runs before its agent's first cycle of the run, so a leader frozen
        // from the start is reset on resume like one frozen later.
        var settings = failover.Settings.Adjust().Settings;
        if (failover.Agent == FailoverAgent.Patroni && settings.LeaderArmsWatchdog(failover.WatchdogDevice))
        {
            var clock = _clocks[primary.Id.Value];
            _initialWatchdog[primary.Id.Value] = (settings.WatchdogTimeout, clock.Real(clock.Local(Instant.Start) + settings.WatchdogTimeout, Instant.Start));
        }
    }

    private LeaseId?[] _initialLeases = [];

    /// <summary>The initial leader's watchdog (timeout, deadline), armed before its agent starts; the agent takes it over.</summary>
    private (Duration Timeout, Instant Deadline)?[] _initialWatchdog = [];

    /// <summary>
    /// The run joins a cluster that has been up for a while: each agent's HA loop runs at its own
    /// phase, drawn uniformly over one loop_wait, so where a fault falls within the loop (which
    /// decides how old the leader key is when it strikes) varies from seed to seed as in production.
    /// </summary>
    private void ScheduleFailoverStart()
    {
        var phases = new SimRandom(_seed, "agent phases");
        var loopWait = _failover!.AgentPeriod;
        foreach (var node in _nodes)
        {
            _history?.Role(Instant.Start, node.Id, node.Primary is not null ? DatabaseActivity.Primary : DatabaseActivity.Replica, node.Timeline);
            var phase = Duration.FromNanosecondsRounded(phases.NextDouble() * loopWait.Nanoseconds);
            _scheduler.Post(Instant.Start + phase, new ModelEvent(EventKind.AgentStart, node.Id.Value, _incarnations[node.Id.Value]));
            _scheduler.PostAfter(SenderTimeoutCheckInterval, new ModelEvent(EventKind.SenderTimeoutCheck, node.Id.Value, 0));
        }
        foreach (var fault in _spec.Faults)
        {
            _history?.Fault(FaultText.What(fault, _spec), Instant.Start + fault.At, fault.HealsAt);
        }
        ScheduleHealthChecks();
        ArmDcsWake();
    }

    /// <summary>Handles the failover events; false for an event kind that is not one of them.</summary>
    private bool HandleFailoverEvent(Instant now, in ModelEvent ev)
    {
        switch (ev.Kind)
        {
            case EventKind.AgentStart:
                if (ev.Value == _incarnations[ev.Target] && !_nodes[ev.Target].Down)
                {
                    StartAgent(now, _nodes[ev.Target]);
                }
                return true;
            case EventKind.MachineBoot:
                // Back from a watchdog reset, unless a crash fault has taken the machine down since.
                if (ev.Value == _incarnations[ev.Target] && _nodes[ev.Target].Down)
                {
                    RestartMachine(now, _nodes[ev.Target]);
                }
                return true;
            case EventKind.AgentTimer:
                AgentTimerFired(now, ev.Target, ev.Value);
                return true;
            case EventKind.ControlDelivery:
                DeliverControl(now, ev.Target, ev.Value);
                return true;
            case EventKind.DcsCommit:
                CommitDcsAttempt(now, ev.Target, ev.Value);
                return true;
            case EventKind.DcsWake:
                _dcsWake = TimerHandle.None;
                NotifyDcsEvents(now, _etcd.Advance(now));
                ArmDcsWake();
                return true;
            case EventKind.DcsAttemptTimeout:
                DcsAttemptTimedOut(now, ev.Target, ev.Value);
                return true;
            case EventKind.RestTimeout:
                RestCallTimedOut(now, ev.Target, ev.Value);
                return true;
            case EventKind.WatchdogExpiry:
                WatchdogExpired(now, _nodes[ev.Target], (int)ev.Value);
                return true;
            case EventKind.DatabaseActionDone:
                DatabaseActionDone(now, _nodes[ev.Target], (int)ev.Value);
                return true;
            case EventKind.WalReceiverRetry:
                RetryStreaming(now, _nodes[ev.Target], (int)ev.Value);
                return true;
            case EventKind.ClientAttemptsDue:
                AttemptsDue(now);
                return true;
            case EventKind.ClientTimeout:
                TimeoutsDue(now);
                return true;
            case EventKind.ClientRequestArrives:
                ReceiveClientRequest(now, nodeIndex: ev.Target, id: ev.Value);
                return true;
            case EventKind.ClientAnswerArrives:
                ReceiveClientAnswer(now, attemptAndAnswer: ev.Target, id: ev.Value);
                return true;
            case EventKind.ClientGivesUp:
                GiveUpsDue(now);
                return true;
            case EventKind.DatabaseQuery:
                if (_agents[ev.Target] is { } querier && querier.Incarnation == ev.Value)
                {
                    AnswerDatabaseQuery(now, querier);
                }
                return true;
            case EventKind.HealthCheckTick:
                HealthCheckTick(now, new NodeId(ev.Target));
                return true;
            default:
                return false;
        }
    }

    private Instant ControlReceiverPausedUntil(long messageId)
    {
        if (!_inFlight.TryGetValue(messageId, out var message))
        {
            return Instant.Start;
        }
        return message switch
        {
            DcsAnswerMessage a => _agentPausedUntil[a.Node.Value],
            LeaderWatchMessage w => _agentPausedUntil[w.Node.Value],
            PeerQueryMessage q => _agentPausedUntil[q.To.Value],                 // Patroni's REST API serves it
            PeerAnswerMessage a => _agentPausedUntil[a.To.Value],
            FailsafePostMessage p => _agentPausedUntil[p.To.Value],
            FailsafeAnswerMessage a => _agentPausedUntil[a.To.Value],
            HealthCheckMessage h => _agentPausedUntil[h.Server.Value],
            _ => Instant.Start,
        };
    }

    /// <summary>Sends <paramref name="message"/> from one control endpoint to another; dropped (false) when a partition separates them.</summary>
    private bool SendControl(Instant now, int from, int to, ControlMessage message)
    {
        if (!_control.Reachable(from, to))
        {
            return false;
        }
        var id = ++_nextMessage;
        _inFlight[id] = message;
        _scheduler.Post(now + _control.Delay(from, to), new ModelEvent(EventKind.ControlDelivery, to, id));
        return true;
    }

    /// <summary>Sends a message that fits in its delivery event (a client's request or answer); dropped (false) when a partition separates the endpoints.</summary>
    private bool PostControl(Instant now, int from, int to, in ModelEvent delivery)
    {
        if (!_control.Reachable(from, to))
        {
            return false;
        }
        _scheduler.Post(now + _control.Delay(from, to), delivery);
        return true;
    }

    private void DeliverControl(Instant now, int endpoint, long id)
    {
        if (!_inFlight.Remove(id, out var message))
        {
            return;
        }
        switch (message)
        {
            case DcsAttemptMessage attempt:
                ReceiveDcsAttempt(now, endpoint - _control.DcsBase, id, attempt);
                break;
            case DcsAnswerMessage answer:
                ReceiveDcsAnswer(now, answer);
                break;
            case LeaderWatchMessage watch:
                if (AgentOf(watch.Node) is { } watcher)
                {
                    StepAgent(now, watcher, new LeaderKeyChanged());
                }
                break;
            case PeerQueryMessage query:
                AnswerPeerQuery(now, query);
                break;
            case PeerAnswerMessage answer:
                ReceiveRestAnswer(now, answer.To, answer.Incarnation, answer.Request.Value, new PeerStatus(answer.Request, answer.Peer, answer.Report));
                break;
            case FailsafePostMessage post:
                if (AgentOf(post.To) is not null || _nodes[post.To.Value].ProcessesKilled)
                {
                    // A killed agent's machine refuses the connection: not accepted.
                    SendControl(now, post.To.Value, post.From.Value, new FailsafeAnswerMessage(post.From, post.Incarnation, post.To, post.Request, AgentOf(post.To) is not null));
                }
                break;
            case FailsafeAnswerMessage answer:
                ReceiveRestAnswer(now, answer.To, answer.Incarnation, answer.Request.Value, new FailsafeReply(answer.Request, answer.Peer, answer.Accepted));
                break;
            case HealthCheckMessage check:
                AnswerHealthCheck(now, check);
                break;
            case HealthAnswerMessage answer:
                ReceiveHealthAnswer(now, answer);
                break;
        }
    }

    /// <summary>The running agent of <paramref name="node"/>, or null while its machine is down.</summary>
    private NodeAgent? AgentOf(NodeId node) => _agents[node.Value];

    private void RecordRole(Instant now, NodeRuntime node)
    {
        var state = _db[node.Id.Value];
        var role = state == DatabaseState.Primary ? DatabaseActivity.Primary
            : state is DatabaseState.Replica or DatabaseState.Promoting ? DatabaseActivity.Replica
            : DatabaseActivity.Down;
        _history?.Role(now, node.Id, role, node.Timeline);
    }

    /// <summary>Each node's WAL at the end: the insert position of a running node, the flushed position of a crashed one.</summary>
    private void RecordWalEnds()
    {
        if (_history is null)
        {
            return;
        }
        foreach (var node in _nodes)
        {
            var end = node.Down ? node.Flushed : node.Primary is not null ? node.Received : node.WrittenAt(_scheduler.Now);
            _history.WalEnd(node.Id, node.Timeline, new Lsn((ulong)end));
        }
    }
}
