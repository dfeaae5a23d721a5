using HaSim.Failover;
using HaSim.Kernel;
using HaSim.Model.Dcs;
using HaSim.Primitives;
using FailoverOperation = HaSim.Failover.DcsOperation;

namespace HaSim.Model.Cluster;

/// <summary>
/// The agents' DCS traffic: each attempt goes to the member the agent's client prefers, is
/// answered from there (reads, serializable as Patroni reads) or committed through the raft
/// leader and a quorum (writes), and comes back over the network. An attempt unanswered within
/// the request timeout fails and the client moves to the next member. A restarted member that is
/// not ready yet (<see cref="EtcdCluster.IsReady"/>) holds the attempts it receives, as requests
/// wait on a client port etcd has not started serving, and takes them up when it is ready, those
/// whose client still waits.
/// </summary>
internal sealed partial class ClusterSimulation
{
    private void SendDcsAttempt(Instant now, NodeAgent agent, DcsRequest request)
    {
        var node = agent.Node;
        var member = agent.DcsClient!.Current;
        var timeoutAt = agent.Clock.Real(agent.Clock.Local(now) + _failover!.Dcs.RequestTimeout, now);
        agent.DcsAttempts[request.Request.Value] = _scheduler.At(timeoutAt, new ModelEvent(EventKind.DcsAttemptTimeout, node.Id.Value, request.Request.Value));
        SendControl(now, node.Id.Value, _control.DcsBase + member, new DcsAttemptMessage(node.Id, agent.Incarnation, request.Request, request.Operation));
    }

    private void DcsAttemptTimedOut(Instant now, int node, long request)
    {
        if (_agents[node] is not { } agent || !agent.DcsAttempts.Remove(request))
        {
            return;
        }
        agent.DcsClient!.OnRequestFailed();
        StepAgent(now, agent, new DcsResult(new RequestId(request), new DcsUnavailable($"no answer from {_control.NameOf(_control.DcsBase + agent.DcsClient.Current)} within the request timeout")));
    }

    private void ReceiveDcsAnswer(Instant now, DcsAnswerMessage answer)
    {
        if (AgentOf(answer.Node) is not { } agent || agent.Incarnation != answer.Incarnation || !agent.DcsAttempts.Remove(answer.Request.Value, out var timeout))
        {
            return; // timed out already, or the agent restarted
        }
        _scheduler.Cancel(timeout);
        if (answer.Outcome is DcsUnavailable)
        {
            agent.DcsClient!.OnRequestFailed();
        }
        StepAgent(now, agent, new DcsResult(answer.Request, answer.Outcome));
    }

    /// <summary>An attempt reaches its member: a read is answered there; a write is routed to the raft leader and committed after a quorum round trip.</summary>
    private void ReceiveDcsAttempt(Instant now, int member, long id, DcsAttemptMessage attempt)
    {
        var endpoint = _control.DcsBase;
        if (!_etcd.Membership.IsUp(member))
        {
            return; // a dead member answers nothing
        }
        if (!_etcd.IsReady(now, member))
        {
            HoldDcsAttempt(member, id, attempt);
            return;
        }
        TakeUpHeldDcsAttempts(now, member); // they came first
        if (attempt.Operation is GetCluster)
        {
            var read = _etcd.ReadSerializable(now, member, new DcsGetPrefix(_layout.Prefix));
            DcsOutcome outcome = read is null
                ? new DcsUnavailable("member down")
                : new ClusterRead(_layout.Read(read.Kvs.Select(kv => new DcsEntry(kv.Key, kv.Value, kv.ModRevision))));
            AnswerDcs(now, member, attempt, outcome);
            return;
        }
        if (!_etcd.TryRoute(now, member, out var plan, out var refusal))
        {
            AnswerDcs(now, member, attempt, new DcsUnavailable(refusal));
            return;
        }
        // Forward to the leader, replicate to the fastest quorum, answer back through the member.
        var leaderEndpoint = endpoint + plan.Leader;
        var delay = _control.Delay(endpoint + member, leaderEndpoint) + _control.Delay(leaderEndpoint, endpoint + member);
        if (plan.AcksNeeded > 0)
        {
            var roundTrips = plan.Followers.Select(f => _control.Delay(leaderEndpoint, endpoint + f) + _control.Delay(endpoint + f, leaderEndpoint)).Order().ToArray();
            delay += roundTrips.Length >= plan.AcksNeeded ? roundTrips[plan.AcksNeeded - 1] : Duration.Zero;
        }
        _inFlight[id] = attempt;
        _pendingPlans[id] = plan;
        _scheduler.Post(now + delay, new ModelEvent(EventKind.DcsCommit, member, id));
    }

    private readonly Dictionary<long, RoutePlan> _pendingPlans = []; // looked up by id, never enumerated

    // Per DCS member, the attempts it holds while it is not ready, in arrival order.
    private List<(long Id, DcsAttemptMessage Attempt)>[] _heldDcsAttempts = [];

    /// <summary>A member that is not ready holds the attempt; attempts whose client gave up are let go first, which bounds the list by the attempts pending.</summary>
    private void HoldDcsAttempt(int member, long id, DcsAttemptMessage attempt)
    {
        if (_heldDcsAttempts.Length == 0)
        {
            _heldDcsAttempts = [.. _etcd.Membership.Members.Select(_ => new List<(long, DcsAttemptMessage)>())];
        }
        var held = _heldDcsAttempts[member];
        held.RemoveAll(h => !ClientWaitsFor(h.Attempt));
        held.Add((id, attempt));
    }

    private bool ClientWaitsFor(DcsAttemptMessage attempt) =>
        AgentOf(attempt.Node) is { } agent && agent.Incarnation == attempt.Incarnation && agent.DcsAttempts.ContainsKey(attempt.Request.Value);

    /// <summary>A member that has become ready takes up the attempts it held, in arrival order, those whose client still waits.</summary>
    private void TakeUpHeldDcsAttempts(Instant now, int member)
    {
        if (_heldDcsAttempts.Length == 0 || _heldDcsAttempts[member].Count == 0)
        {
            return;
        }
        var held = _heldDcsAttempts[member].ToArray();
        _heldDcsAttempts[member].Clear();
        foreach (var (id, attempt) in held)
        {
            if (ClientWaitsFor(attempt))
            {
                ReceiveDcsAttempt(now, member, id, attempt);
            }
        }
    }

    /// <summary>A member that crashes loses the attempts it held: their clients time out.</summary>
    private void DropHeldDcsAttempts(int member)
    {
        if (_heldDcsAttempts.Length > 0)
        {
            _heldDcsAttempts[member].Clear();
        }
    }

    private void CommitDcsAttempt(Instant now, int member, long id)
    {
        if (!_inFlight.Remove(id, out var message) || !_pendingPlans.Remove(id, out var plan) || message is not DcsAttemptMessage attempt)
        {
            return;
        }
        var outcome = Commit(now, plan, attempt);
        _trace.Record(now, DcsCommitKind, attempt.Node.Value, outcome is WriteResult { Ok: true } ? 1 : 0);
        AnswerDcs(now, member, attempt, outcome);
        NotifyDcsEvents(now, []);
        ArmDcsWake();
    }

    /// <summary>Carries out a controller's DCS operation as the etcd v3 transactions Patroni sends.</summary>
    private DcsOutcome Commit(Instant now, RoutePlan plan, DcsAttemptMessage attempt)
    {
        var agent = _agents[attempt.Node.Value] is { } a && a.Incarnation == attempt.Incarnation ? a : null;
        var name = _layout.NameOf(attempt.Node);
        var ttl = _failover!.Settings.Ttl;
        bool Apply(HaSim.Model.Dcs.DcsOperation op, out DcsReply? reply) => _etcd.TryCommit(now, plan, op, out reply, out _);

        LeaseId? EnsureLease()
        {
            if (agent is null)
            {
                return null;
            }
            if (agent.Lease is { } lease && Apply(new DcsLeaseKeepAlive(lease), out var kept) && kept is LeaseKeepAliveReply { Found: true })
            {
                return lease;
            }
            if (Apply(new DcsLeaseGrant(ttl), out var granted) && granted is LeaseGrantReply g)
            {
                agent.Lease = g.Lease;
                return g.Lease;
            }
            return null;
        }

        switch (attempt.Operation)
        {
            case AcquireLeader:
            {
                if (EnsureLease() is not { } lease)
                {
                    return new DcsUnavailable("lease grant failed");
                }
                return Apply(PatroniEtcd3.CreateIfAbsent(_layout.LeaderKey, name, lease), out var reply)
                    ? new WriteResult(reply is TxnReply { Succeeded: true })
                    : new DcsUnavailable("leader changed");
            }
            case UpdateLeader update:
            {
                if (EnsureLease() is not { } lease)
                {
                    return new DcsUnavailable("lease keepalive failed");
                }
                if (!Apply(PatroniEtcd3.UpdateLeader(_layout.LeaderKey, name, lease), out var reply))
                {
                    return new DcsUnavailable("leader changed");
                }
                var ok = reply is TxnReply txn && PatroniEtcd3.UpdateLeaderSucceeded(txn);
                if (ok)
                {
                    Apply(new DcsPut(_layout.StatusKey, _layout.StatusValue(update.Optime)), out _);
                    if (update.Failsafe is { } failsafe)
                    {
                        Apply(new DcsPut(_layout.FailsafeKey, _layout.FailsafeValue(failsafe)), out _);
                    }
                }
                return new WriteResult(ok);
            }
            case DeleteLeader:
                return Apply(PatroniEtcd3.DeleteIfValue(_layout.LeaderKey, name), out var deleted)
                    ? new WriteResult(deleted is TxnReply { Succeeded: true })
                    : new DcsUnavailable("leader changed");
            case WriteSync sync:
            {
                var value = _layout.SyncValue(sync.Leader, sync.SyncStandbys);
                var txn = sync.ExpectedVersion is { } version
                    ? PatroniEtcd3.CompareAndSwap(_layout.SyncKey, value, version)
                    : PatroniEtcd3.CreateIfAbsent(_layout.SyncKey, value, null);
                return Apply(txn, out var reply) ? new WriteResult(reply is TxnReply { Succeeded: true }) : new DcsUnavailable("leader changed");
            }
            case SetHistory history:
                return Apply(new DcsPut(_layout.HistoryKey, _layout.HistoryValue(history.Timeline)), out _)
                    ? new WriteResult(true)
                    : new DcsUnavailable("leader changed");
            case TouchMember touch:
            {
                var lease = EnsureLease();
                return Apply(new DcsPut(_layout.MemberKey(attempt.Node), _layout.MemberValue(touch.Member), lease), out _)
                    ? new WriteResult(true)
                    : new DcsUnavailable("leader changed");
            }
            default:
                throw new InvalidOperationException($"unknown DCS operation {attempt.Operation}");
        }
    }

    private void AnswerDcs(Instant now, int member, DcsAttemptMessage attempt, DcsOutcome outcome) =>
        SendControl(now, _control.DcsBase + member, attempt.Node.Value, new DcsAnswerMessage(attempt.Node, attempt.Incarnation, attempt.Request, outcome));

    /// <summary>Leader-key deletions and expiries reach the agents that watch it (Patroni's etcd3 watch), from the raft leader.</summary>
    private void NotifyDcsEvents(Instant now, IReadOnlyList<DcsEvent> expired)
    {
        if (!_hasDcs)
        {
            return;
        }
        var events = _etcd.Store.DrainEvents();
        NoteLeaderKey(now);
        var leaderGone = expired.Concat(events).Any(e => e.Kv.Key == _layout.LeaderKey && e.Kind != DcsEventKind.Put);
        if (!leaderGone || _etcd.Membership.LeaderAt(now) is not { } leader)
        {
            return;
        }
        foreach (var node in _nodes)
        {
            if (_agents[node.Id.Value] is not null)
            {
                SendControl(now, _control.DcsBase + leader, node.Id.Value, new LeaderWatchMessage(node.Id));
            }
        }
    }

    private readonly List<LeaderKeyChange> _leaderKeyChanges = [];

    /// <summary>Keeps the leader key's history (for the timeline): who holds it now, if that changed.</summary>
    private void NoteLeaderKey(Instant now)
    {
        var holder = _etcd.Store.Snapshot.Get(_layout.LeaderKey)?.Value;
        if (_leaderKeyChanges.Count == 0 || _leaderKeyChanges[^1].Holder != holder)
        {
            _leaderKeyChanges.Add(new LeaderKeyChange(now, holder));
        }
    }

    /// <summary>
    /// Wakes the DCS when an election ends, a lease expires or a restarted member becomes ready; called
    /// after every change of the DCS, it first hands the members that are ready now the attempts they held.
    /// </summary>
    private void ArmDcsWake()
    {
        if (!_hasDcs)
        {
            return;
        }
        for (var m = 0; m < _heldDcsAttempts.Length; m++)
        {
            if (_heldDcsAttempts[m].Count > 0 && _etcd.IsReady(_scheduler.Now, m))
            {
                TakeUpHeldDcsAttempts(_scheduler.Now, m);
            }
        }
        _scheduler.Cancel(_dcsWake);
        _dcsWake = _etcd.NextWakeUp is { } at ? _scheduler.At(Instant.Max(at, _scheduler.Now), new ModelEvent(EventKind.DcsWake, 0, 0)) : TimerHandle.None;
    }
}
