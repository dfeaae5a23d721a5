using HaSim.Kernel;
using HaSim.Model.Routing;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// With automatic failover, writes come from clients through an HAProxy-style write endpoint: each
/// attempt goes to the node the endpoint routes to, and ends acknowledged, rejected (safe to
/// retry), or unknown (the connection broke or timed out after the request was sent).
/// </summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>A write between its first attempt and its record in the history; reused afterwards (see <see cref="_finishedWrites"/>).</summary>
    private sealed class PendingWrite(long id, int client, long size, ClientWrite write)
    {
        public long Id { get; private set; } = id;
        public int Client { get; private set; } = client;
        public long Size { get; private set; } = size;
        public ClientWrite Write { get; private set; } = write;

        public void Restart(long id, int client, long size, ClientWrite write)
        {
            Id = id;
            Client = client;
            Size = size;
            Write = write;
            Attempt = 0;
            Target = null;
            Sent = false;
            InFlight = false;
            Abandoned = false;
            AbandonedAt = default;
            Placement = null;
            Parked = false;
        }

        public int Attempt;
        public NodeId? Target;
        public bool Sent;

        /// <summary>The current attempt's request is still on its way to the node (or waiting in a paused one).</summary>
        public bool InFlight;

        /// <summary>The client gave up (unknown outcome) while the request was in flight: it may still commit when it arrives.</summary>
        public bool Abandoned;
        public Instant AbandonedAt;
        public CommitPlacement? Placement;

        /// <summary>Its attempts fail at once because the endpoint has no server UP; see <see cref="ParkUntilAServerIsUp"/>.</summary>
        public bool Parked;
    }

    private readonly IdWindow<PendingWrite> _writes = new();

    // Recorded writes, for reuse: nothing refers to a write once it is recorded (events and
    // messages name writes by id and look them up in _writes), and a run starts one per commit.
    private readonly Stack<PendingWrite> _finishedWrites = new();
    private RetryingClient _retryingClient = null!;
    private WriteEndpoint _endpoint = null!;
    private TimerHandle[] _checkTimers = [];
    private long _nextWriteId;
    private long _clientAcknowledged;
    private long _clientFailed;
    private long _clientUnknown;
    private long _routeChanges;

    private void InitClients(FailoverSpec failover)
    {
        _retryingClient = new RetryingClient(failover.Clients.Retry, new IndexedRandom(_seed, "clients.retry"));
        // The proxy starts checking once every agent has run its first HA cycle (they start within
        // one loop_wait, see ScheduleFailoverStart); until then it routes to the first server, the primary.
        var firstCheck = Instant.Start + failover.AgentPeriod + failover.HealthCheck.Inter;
        var backend = _nodes.Select(n => n.Id).OrderBy(id => id == _initialRole.Node.Id ? 0 : 1).ThenBy(id => id.Value);
        _endpoint = new WriteEndpoint(failover.HealthCheck, [.. backend], firstCheck);
        _checkTimers = new TimerHandle[_nodes.Length];
        _attempts = new SideQueue<ModelEvent>(_scheduler, new ModelEvent(EventKind.ClientAttemptsDue, 0, 0));
        _giveUps = new SideQueue<long>(_scheduler, new ModelEvent(EventKind.ClientGivesUp, 0, 0));
    }

    // Scheduled attempts (retries, and parked writes' next attempts once a server is UP), as
    // ClientAttemptsDue events: attempt number in Target, write in Value. An outage ends with
    // thousands of them spread over the next backoff, hence a queue of their own.
    private SideQueue<ModelEvent> _attempts = null!;

    private void ScheduleAttempt(Instant at, PendingWrite write) =>
        _attempts.Post(at, new ModelEvent(EventKind.ClientAttemptsDue, write.Attempt + 1, write.Id));

    private void AttemptsDue(Instant now)
    {
        while (_attempts.TryTakeDue(now, out var attempt))
        {
            StartAttempt(now, attempt: attempt.Target, id: attempt.Value);
        }
        _attempts.Rearm();
    }

    /// <summary>A client starts a write: the first attempt goes out now.</summary>
    private void BeginClientWrite(Instant now, int client)
    {
        var size = _spec.Workload.TransactionSize.Sample(_sizeRandom);
        var id = ++_nextWriteId;
        PendingWrite write;
        if (_finishedWrites.TryPop(out var reused))
        {
            reused.Restart(id, client, size, _retryingClient.Begin(id, now, reused.Write));
            write = reused;
        }
        else
        {
            write = new PendingWrite(id, client, size, _retryingClient.Begin(id, now));
        }
        _writes.Add(id, write);
        StartAttempt(now, 1, id);
    }

    private void StartAttempt(Instant now, int attempt, long id)
    {
        if (!_writes.TryGetValue(id, out var write))
        {
            return;
        }
        write.Attempt = attempt;
        write.Sent = false;
        if (_endpoint.NextConnection() is not { } target)
        {
            ParkUntilAServerIsUp(now, write);
            return;
        }
        write.Target = target;
        write.Sent = true;
        WatchTimeout(now + _failover!.Clients.RequestTimeout, id, attempt);
        // The request travels as the event itself (no message object): a write has at most one
        // request on the wire, since its attempt ends only when the request's answer arrives or the
        // write itself ends (timeout, cut session), and the next attempt starts after that.
        write.InFlight = PostControl(now, _control.Clients, target.Value, new ModelEvent(EventKind.ClientRequestArrives, target.Value, id));
    }

    /// <summary>The request reaches the node's PostgreSQL: a primary inserts the commit record and the commit waits as any other.</summary>
    private void ReceiveClientRequest(Instant now, int nodeIndex, long id)
    {
        var node = _nodes[nodeIndex];
        if (!_writes.TryGetValue(id, out var write) || !write.InFlight)
        {
            return;
        }
        write.InFlight = false;
        if (node.Down || node.Primary is not { Accepting: true } role || _db[node.Id.Value] != DatabaseState.Primary)
        {
            if (write.Abandoned)
            {
                Record(write, ClientOutcome.Unknown, write.AbandonedAt); // never committed, but its client cannot know
            }
            else if (!node.Down || node.ProcessesKilled)
            {
                AnswerClient(now, node, id, ClientAnswer.Rejected); // refused at once when only the processes died
            }
            return; // a crashed machine answers nothing: the client times out
        }
        node.Received += write.Size;
        var lsn = node.Received;
        write.Placement = new CommitPlacement(node.Id, node.Timeline, new Lsn((ulong)lsn), now);
        if (write.Abandoned)
        {
            // PostgreSQL runs a query whose client has gone (it reads it from the socket buffer after
            // a pause): the commit happens, and counts as accepted, but nobody hears of it.
            Record(write, ClientOutcome.Unknown, now);
        }
        role.Commits.Add(new Waiter(lsn, now.NanosecondsSinceStart, write.Client, write.Id), flushSeparately: !_groupCommit);
        StartWalWrite(now, node);
        if (!_waitForLocalFlush)
        {
            ReleaseCommits(now, role);
        }
    }

    /// <summary>
    /// Sends the answer to a write's current attempt back to the clients, as the event itself: its
    /// target packs the attempt with the answer (attempts are at most a million, see <see cref="RetryPolicy"/>).
    /// </summary>
    private void AnswerClient(Instant now, NodeRuntime node, long id, ClientAnswer answer)
    {
        if (!_writes.TryGetValue(id, out var write))
        {
            return;
        }
        PostControl(now, node.Id.Value, _control.Clients, new ModelEvent(EventKind.ClientAnswerArrives, write.Attempt << 2 | (int)answer, id));
    }

    private void ReceiveClientAnswer(Instant now, int attemptAndAnswer, long id)
    {
        var attempt = attemptAndAnswer >> 2;
        var answer = (ClientAnswer)(attemptAndAnswer & 3);
        if (!_writes.TryGetValue(id, out var write) || write.Attempt != attempt || !write.Sent)
        {
            return;
        }
        switch (answer)
        {
            case ClientAnswer.Committed:
                write.Write.OnAcknowledged(now);
                Finish(now, write, ClientOutcome.Acknowledged);
                break;
            case ClientAnswer.Rejected:
                AttemptFailed(now, write, AttemptFailure.Rejected);
                break;
            default:
                write.Write.OnOutcomeUnknown(now);
                Finish(now, write, ClientOutcome.Unknown);
                break;
        }
    }

    private void AttemptFailed(Instant now, PendingWrite write, AttemptFailure reason)
    {
        write.Sent = false;
        if (write.Write.OnAttemptFailed(now, reason) is { } retryAt)
        {
            ScheduleAttempt(retryAt, write);
        }
        else
        {
            Finish(now, write, ClientOutcome.Failed);
        }
    }

    // ---- Writes parked while the endpoint has no server UP ----

    // While no server is UP, every attempt fails the instant it starts (HAProxy refuses the
    // connection), so a write's retries until a server comes up are known in advance: its jitter
    // is read by (write, attempt) (RetryingClient). Instead of an event per attempt (a retry storm
    // of a few thousand writes x 30 attempts during a long outage was a third of a run's events),
    // a parked write waits in _giveUps for the attempt where it would give up, and is resumed when
    // a server comes UP: each attempt it would have made meanwhile is reported failed at its own
    // time, and the first one at or after that moment runs as an event. The outcome is the one
    // running every attempt as an event gives. The give-ups wait in a SideQueue of their own.
    private readonly List<long> _parked = [];
    private SideQueue<long> _giveUps = null!;

    /// <summary>The attempt found no server UP: it failed; park the write unless the client gives up now.</summary>
    private void ParkUntilAServerIsUp(Instant now, PendingWrite write)
    {
        write.Sent = false;
        if (write.Write.OnAttemptFailed(now, AttemptFailure.NoServerUp) is null)
        {
            Finish(now, write, ClientOutcome.Failed);
            return;
        }
        write.Parked = true;
        _parked.Add(write.Id);
        _giveUps.Post(write.Write.LastAttemptIfEveryAttemptFails(), write.Id);
    }

    /// <summary>No server came UP before these parked writes' last attempts: every remaining attempt failed, and so did the writes.</summary>
    private void GiveUpsDue(Instant now)
    {
        while (_giveUps.TryTakeDue(now, out var id))
        {
            // Only parked writes are in _giveUps: a resume empties it, and nothing else ends a parked write.
            var write = _writes[id];
            write.Parked = false;
            write.Write.FailEveryRemainingAttempt(AttemptFailure.NoServerUp);
            write.Attempt = write.Write.AttemptCount;
            Finish(now, write, ClientOutcome.Failed);
        }
        _giveUps.Rearm();
    }

    /// <summary>A server is UP: each parked write's attempts before now failed; its next one runs as usual.</summary>
    private void ResumeParkedWrites(Instant now)
    {
        foreach (var id in _parked)
        {
            if (!_writes.TryGetValue(id, out var write) || !write.Parked)
            {
                continue; // gave up meanwhile
            }
            write.Parked = false;
            write.Write.FailAttemptsStartingBefore(now, AttemptFailure.NoServerUp); // its give-up was not due
            write.Attempt = write.Write.AttemptCount;
            ScheduleAttempt(write.Write.CurrentAttemptAt, write);
        }
        _parked.Clear();
        _giveUps.Clear(); // every parked write resumed
    }

    /// <summary>
    /// Every attempt waits the same request timeout, so deadlines come in the order attempts start:
    /// a FIFO of deadlines with one timer at its head replaces a timer per attempt (which would keep
    /// tens of thousands of cancelled entries in the event queue at a few thousand writes a second).
    /// </summary>
    private void WatchTimeout(Instant deadline, long id, int attempt)
    {
        _timeouts.Enqueue((deadline, id, attempt));
        if (_timeouts.Count == 1)
        {
            _scheduler.Post(deadline, new ModelEvent(EventKind.ClientTimeout, 0, 0));
        }
    }

    /// <summary>
    /// The timer at the FIFO's head fired: attempts past their deadline time out, and the timer
    /// moves to the first attempt still waiting for an answer. Attempts that ended meanwhile are
    /// dropped without a timer of their own: nearly every attempt ends long before its deadline,
    /// and firing at each of those deadlines to do nothing was one event per write.
    /// </summary>
    private void TimeoutsDue(Instant now)
    {
        while (_timeouts.Count > 0 && _timeouts.Peek().Deadline <= now)
        {
            var (_, id, attempt) = _timeouts.Dequeue();
            AttemptTimedOut(now, attempt, id);
        }
        while (_timeouts.Count > 0 && !IsWaitingForAnswer(_timeouts.Peek().Write, _timeouts.Peek().Attempt))
        {
            _timeouts.Dequeue();
        }
        if (_timeouts.Count > 0)
        {
            _scheduler.Post(_timeouts.Peek().Deadline, new ModelEvent(EventKind.ClientTimeout, 0, 0));
        }
    }

    private readonly RingBuffer<(Instant Deadline, long Write, int Attempt)> _timeouts = new();

    /// <summary>Whether the attempt was sent and its client still waits for the answer. Once false, never true again (ids and attempt numbers only grow).</summary>
    private bool IsWaitingForAnswer(long id, int attempt) =>
        _writes.TryGetValue(id, out var write) && write.Attempt == attempt && write.Sent && !write.Abandoned;

    private void AttemptTimedOut(Instant now, int attempt, long id)
    {
        if (!IsWaitingForAnswer(id, attempt))
        {
            return;
        }
        var write = _writes[id];
        write.Write.OnOutcomeUnknown(now);
        Finish(now, write, ClientOutcome.Unknown);
    }

    /// <summary>
    /// The client learns the outcome and moves on. The write is recorded now, unless its request
    /// is still on its way: then it is recorded when the request arrives, with the placement it
    /// gets there if a primary takes it.
    /// </summary>
    private void Finish(Instant now, PendingWrite write, ClientOutcome outcome)
    {
        if (write.Abandoned)
        {
            return;
        }
        switch (outcome)
        {
            case ClientOutcome.Acknowledged:
                _clientAcknowledged++;
                break;
            case ClientOutcome.Failed:
                _clientFailed++;
                break;
            default:
                _clientUnknown++;
                break;
        }
        _trace.Record(now, ClientOutcomeKind, (int)outcome, write.Id);
        if (outcome == ClientOutcome.Unknown && write.InFlight)
        {
            write.Abandoned = true;
            write.AbandonedAt = now;
        }
        else
        {
            Record(write, outcome, now);
        }
        ClientDone(now, write.Client);
    }

    private void Record(PendingWrite write, ClientOutcome outcome, Instant outcomeAt)
    {
        _writes.Remove(write.Id);
        _history?.Commit(new ClientCommit(write.Id, write.Client, outcome, write.Write.FirstAttemptAt, outcomeAt, write.Size,
            outcome == ClientOutcome.Failed ? null : write.Placement));
        if (write.Write.Outcome != WriteOutcome.Pending)
        {
            _finishedWrites.Push(write);
        }
    }

    /// <summary>Writes still pending when the run ends: their clients do not know yet.</summary>
    private void FinishPendingWrites(Instant now)
    {
        foreach (var id in _writes.Ids())
        {
            var write = _writes[id];
            if (!write.Abandoned)
            {
                _clientUnknown++;
            }
            Record(write, ClientOutcome.Unknown, write.Abandoned ? write.AbandonedAt : now);
        }
    }

    // ---- The write endpoint's health checks (HAProxy: option httpchk GET /primary) ----

    private void ScheduleHealthChecks()
    {
        foreach (var node in _nodes)
        {
            ArmHealthCheck(node.Id);
        }
    }

    private void ArmHealthCheck(NodeId server)
    {
        var check = _endpoint.Check(server);
        _scheduler.Cancel(_checkTimers[server.Value]);
        var at = Instant.Min(check.NextCheckAt, check.CheckDeadline);
        _checkTimers[server.Value] = at == Instant.MaxValue ? TimerHandle.None : _scheduler.At(Instant.Max(at, _scheduler.Now), new ModelEvent(EventKind.HealthCheckTick, server.Value, 0));
    }

    private void HealthCheckTick(Instant now, NodeId server)
    {
        var check = _endpoint.Check(server);
        if (check.IsCheckInProgress && now >= check.CheckDeadline)
        {
            ApplyEndpointUpdate(now, _endpoint.OnTimer(now, server));
        }
        if (!check.IsCheckInProgress && now >= check.NextCheckAt)
        {
            var id = _endpoint.StartCheck(now, server);
            SendControl(now, _control.Clients, server.Value, new HealthCheckMessage(server, id));
        }
        ArmHealthCheck(server);
    }

    /// <summary>Patroni's <c>GET /primary</c>: 200 only from the leader running as primary.</summary>
    private void AnswerHealthCheck(Instant now, HealthCheckMessage check)
    {
        if (AgentOf(check.Server) is not { } agent)
        {
            return; // the machine is down: the check times out
        }
        // Patroni's /primary answers 200 only while the node holds the leader lock as it last saw it
        // (Ha.is_leader); without fencing (a test-only switch) any running primary passes.
        var passed = _db[check.Server.Value] == DatabaseState.Primary
            && (agent.Controller.State.HasLock || _failover!.Settings.UnsafeDisableFencing);
        SendControl(now, check.Server.Value, _control.Clients, new HealthAnswerMessage(check.Server, check.Check, passed));
    }

    private void ReceiveHealthAnswer(Instant now, HealthAnswerMessage answer)
    {
        var check = _endpoint.Check(answer.Server);
        if (!check.IsCheckInProgress || check.CurrentCheck != answer.Check)
        {
            return; // timed out already
        }
        _endpoint.OnConnected(now, answer.Server, answer.Check);
        ApplyEndpointUpdate(now, _endpoint.OnCheckResult(now, answer.Server, answer.Check, answer.Passed));
        ArmHealthCheck(answer.Server);
    }

    private void ApplyEndpointUpdate(Instant now, EndpointUpdate update)
    {
        if (update.Routing is { } routing)
        {
            _routeChanges++;
            _trace.Record(now, RouteKind, routing.From?.Value ?? -1, routing.To?.Value ?? -1);
        }
        if (_parked.Count > 0 && _endpoint.Target is not null)
        {
            ResumeParkedWrites(now);
        }
        if (update.Server is { ShutdownSessions: true } down)
        {
            // on-marked-down shutdown-sessions: HAProxy kills the sessions to the server; requests in flight end unknown.
            foreach (var id in _writes.Ids())
            {
                var write = _writes[id];
                if (write.Sent && !write.Abandoned && write.Target == down.Server)
                {
                        write.Write.OnOutcomeUnknown(now);
                    Finish(now, write, ClientOutcome.Unknown);
                }
            }
        }
    }
}
