using HaSim.Kernel;
using HaSim.Kernel.Distributions;
using HaSim.Kernel.Statistics;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// One run of a cluster model: a primary streaming WAL to standbys (or an Aurora-style writer
/// to storage nodes), commits acknowledged as PostgreSQL's synchronous_commit and
/// synchronous_standby_names say, and a workload of writes and reads. Single-threaded; every
/// random draw comes from a stream of the run seed; the trace hash fingerprints the run.
/// </summary>
internal sealed class ClusterSimulation : IEventHandler<ModelEvent>
{
    // Size of a standby reply on the wire (PostgreSQL's standby status update is 34 bytes plus headers).
    private const long ReplyBytes = 64;

    // wal_receiver_status_interval: a standby reports its positions at least this often.
    private static readonly Duration StatusInterval = Duration.FromSeconds(10);

    private static readonly TraceKind CommitKind = new("commit");
    private static readonly TraceKind FlushKind = new("wal.flush");
    private static readonly TraceKind WriteKind = new("wal.write");
    private static readonly TraceKind ReplayKind = new("wal.replay");
    private static readonly TraceKind ReplyKind = new("standby.reply");
    private static readonly TraceKind ReadKind = new("read");
    private static readonly TraceKind SemiSyncOffKind = new("semisync.fallback");
    private static readonly TraceKind SemiSyncOnKind = new("semisync.resume");
    private static readonly TraceKind FaultStartKind = new("fault.start");
    private static readonly TraceKind FaultHealKind = new("fault.heal");
    private static readonly TraceKind DisconnectKind = new("standby.disconnect");
    private static readonly TraceKind ConnectKind = new("standby.connect");
    private static readonly TraceKind CrashKind = new("node.crash");
    private static readonly TraceKind RestartKind = new("node.restart");
    private static readonly TraceKind PauseKind = new("node.pause");
    private static readonly TraceKind ResumeKind = new("node.resume");

    // How often the primary looks for standbys silent past wal_sender_timeout.
    private static readonly Duration SenderTimeoutCheckInterval = Duration.FromSeconds(1);

    private readonly List<Instant> _redeliveries = [];

    private readonly ClusterSpec _spec;
    private readonly ulong _seed;
    private readonly Scheduler<ModelEvent> _scheduler = new();
    private readonly Trace _trace;
    private readonly ILagSampleSink? _lagSink;

    private readonly NodeRuntime[] _nodes;
    private readonly NodeRuntime _primary;
    private readonly ReplicaView[] _replicas;   // downstream nodes in node-id order
    private readonly ReplicaView?[] _viewOf;    // by node id
    private readonly Link[] _links;
    private readonly ReplicaView[] _readReplicas;

    private readonly bool _waitForLocalFlush;
    private readonly bool _shipOnInsert; // storage quorum: no local WAL, log records go straight to storage
    private readonly SyncRule? _syncRule;
    private readonly SemiSyncSpec? _semiSync;
    private readonly bool _needWriteReplies;
    private readonly bool _needApplyReplies;
    private readonly bool _groupCommit;

    // Commits waiting for acknowledgement, in LSN order (= commit order).
    private readonly RingBuffer<Waiter> _waiters = new();
    // Group commit off: commit LSNs not yet flushed, each flushed on its own.
    private readonly RingBuffer<long> _unflushedCommits = new();

    private readonly SimRandom _arrivalRandom;
    private readonly SimRandom _sizeRandom;
    private readonly SimRandom _mixRandom;
    private readonly SimRandom _thinkRandom;
    private readonly double _meanInterarrivalNs;

    private readonly Instant _warmupEnd;
    private bool _measuring;
    private long _commits;
    private long _reads;
    private readonly LogLinearHistogram _commitLatency = new();
    private readonly LogLinearHistogram _readStaleness = new();

    private bool _semiSyncAsync;
    private TimerHandle _semiSyncTimer;
    private long _semiSyncFallbacks;
    private Instant _semiSyncAsyncSince;
    private Duration _semiSyncAsyncTime;

    private record struct Waiter(long Lsn, long StartedAt, int Client)
    {
        /// <summary>Semi-sync only: when the commit's local flush completed and its wait for replicas began.</summary>
        public long FlushedAt;
    }

    // Semi-sync only: how many waiters at the head of the queue are locally flushed.
    private int _flushedWaiters;

    public ClusterSimulation(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null)
    {
        _spec = spec;
        _seed = seed;
        _lagSink = lagSink;
        _trace = new Trace(traceSink);
        _nodes = spec.Nodes.Select(n => new NodeRuntime(n, seed)).ToArray();
        _primary = _nodes[spec.Primary.Value];

        var links = new List<Link>();
        var replicas = new List<ReplicaView>();
        _viewOf = new ReplicaView?[_nodes.Length];
        foreach (var node in _nodes)
        {
            if (node == _primary)
            {
                continue;
            }
            var down = CreateLink(links.Count, _primary.Id, node.Id);
            links.Add(down);
            var up = CreateLink(links.Count, node.Id, _primary.Id);
            links.Add(up);
            node.ToPrimary = up;
            var view = new ReplicaView(node, down);
            replicas.Add(view);
            _viewOf[node.Id.Value] = view;
        }
        _links = links.ToArray();
        _replicas = replicas.ToArray();
        _readReplicas = _replicas.Where(r => r.Runtime.Spec.Role == NodeRole.Standby).ToArray();

        var replication = spec.Replication;
        _groupCommit = replication.GroupCommit;
        _semiSync = replication.SemiSync;
        if (replication.StorageQuorum is { } quorum)
        {
            _shipOnInsert = true;
            _waitForLocalFlush = false;
            _syncRule = new SyncRule(SyncMethod.Any, quorum.WriteQuorum, AckPoint.Flush,
                _replicas.Where(r => r.Runtime.Spec.Role == NodeRole.Storage).Select(r => (r, 0)));
        }
        else if (_semiSync is { } semi)
        {
            _waitForLocalFlush = true;
            _syncRule = new SyncRule(SyncMethod.Any, semi.WaitForReplicaCount, AckPoint.Write, _replicas.Select(r => (r, 0)));
        }
        else
        {
            var level = replication.SynchronousCommit;
            _waitForLocalFlush = level != SynchronousCommit.Off;
            if (level >= SynchronousCommit.RemoteWrite && replication.SynchronousStandbyNames is { } names)
            {
                var ackPoint = level switch
                {
                    SynchronousCommit.RemoteWrite => AckPoint.Write,
                    SynchronousCommit.On => AckPoint.Flush,
                    _ => AckPoint.Apply,
                };
                var candidates = new List<(ReplicaView, int)>();
                foreach (var r in _replicas)
                {
                    if (names.TryGetPriority(r.Runtime.Spec.Name, out var priority))
                    {
                        candidates.Add((r, priority));
                    }
                }
                _syncRule = new SyncRule(names.Method, names.Count, ackPoint, candidates);
            }
        }
        _needWriteReplies = _syncRule?.AckPoint == AckPoint.Write;
        _needApplyReplies = _syncRule?.AckPoint == AckPoint.Apply;

        _arrivalRandom = new SimRandom(seed, "workload.arrivals");
        _sizeRandom = new SimRandom(seed, "workload.sizes");
        _mixRandom = new SimRandom(seed, "workload.mix");
        _thinkRandom = new SimRandom(seed, "workload.think");
        _meanInterarrivalNs = spec.Workload.OpenLoopRate is { } rate ? Duration.NanosPerSecond / rate : 0;
        _warmupEnd = Instant.Start + spec.Warmup;
    }

    private Link CreateLink(int index, NodeId from, NodeId to)
    {
        var network = _spec.Network;
        var latency = DefaultLatency(from, to);
        var bandwidth = network.BandwidthBytesPerSecond;
        var loss = network.LossProbability;
        foreach (var o in network.Overrides)
        {
            if (o.From == from && o.To == to)
            {
                latency = o.Latency ?? latency;
                bandwidth = o.BandwidthBytesPerSecond ?? bandwidth;
                loss = o.LossProbability ?? loss;
            }
        }
        var streamName = $"link {_spec.Nodes[from.Value].Name}->{_spec.Nodes[to.Value].Name}";
        return new Link(index, from, to, streamName, latency, bandwidth, loss, network.RetransmissionTimeout, _seed);
    }

    private LatencyDistribution DefaultLatency(NodeId from, NodeId to)
    {
        var a = _spec.Zones[_spec.Nodes[from.Value].Zone.Value];
        var b = _spec.Zones[_spec.Nodes[to.Value].Zone.Value];
        return a.Id == b.Id ? _spec.Network.SameZone
            : a.Region == b.Region ? _spec.Network.CrossZone
            : _spec.Network.CrossRegion;
    }

    /// <summary>
    /// Runs the model for its warm-up and duration and returns the measurements. The run goes in
    /// slices so that <paramref name="progress"/> can report how much simulated time has passed;
    /// slicing does not change the result (the horizon of each slice is just a pause).
    /// </summary>
    public ClusterRunReport Run(Action<Instant, Instant>? progress = null)
    {
        ScheduleStart();
        var end = Instant.Start + _spec.TotalTime;
        const int Slices = 100;
        RunResult result = default;
        string? failure = null;
        long handled = 0;
        try
        {
            for (var slice = 1; slice <= Slices; slice++)
            {
                var until = slice == Slices ? end : Instant.Start + _spec.TotalTime * slice / Slices;
                result = _scheduler.Run(this, new RunLimits(until, _spec.MaxEvents - handled));
                handled += result.EventsProcessed;
                progress?.Invoke(_scheduler.Now, end);
                if (result.Reason is StopReason.EventBudgetExhausted or StopReason.StopRequested)
                {
                    break;
                }
            }
            result = result with { EventsProcessed = handled, MaxEvents = _spec.MaxEvents };
            if (result.IsFailure)
            {
                failure = result.Describe();
            }
        }
        catch (QueueBoundExceededException e)
        {
            result = new RunResult(StopReason.StopRequested, _scheduler.Now, _scheduler.EventsProcessed, _spec.MaxEvents);
            failure = $"at {_scheduler.Now}: {e.Message}";
        }
        return BuildReport(result, failure);
    }

    private void ScheduleStart()
    {
        _measuring = _spec.Warmup.IsZero;
        if (!_measuring)
        {
            _scheduler.At(_warmupEnd, new ModelEvent(EventKind.WarmupEnd, 0, 0));
        }
        if (_spec.Workload.OpenLoopRate is not null)
        {
            _scheduler.After(NextInterarrival(), new ModelEvent(EventKind.OpenLoopArrival, 0, 0));
        }
        if (_spec.Workload.ClosedLoop is { } closed)
        {
            for (var client = 0; client < closed.Clients; client++)
            {
                _scheduler.After(closed.ThinkTime.Sample(_thinkRandom), new ModelEvent(EventKind.ClientReady, client, 0));
            }
        }
        foreach (var r in _replicas)
        {
            _scheduler.After(StatusInterval, new ModelEvent(EventKind.StatusInterval, r.Node.Value, 0));
        }
        if (_lagSink is not null && _replicas.Length > 0)
        {
            _scheduler.After(_spec.SampleInterval, new ModelEvent(EventKind.Sample, 0, 0));
        }
        for (var i = 0; i < _spec.Faults.Count; i++)
        {
            var fault = _spec.Faults[i];
            _scheduler.At(Instant.Start + fault.At, new ModelEvent(EventKind.FaultStart, i, 0));
            if (fault.HealsAt is { } heal)
            {
                _scheduler.At(heal, new ModelEvent(EventKind.FaultHeal, i, 0));
            }
        }
        if (_spec.Faults.Count > 0)
        {
            foreach (var r in _replicas)
            {
                _scheduler.After(SenderTimeoutCheckInterval, new ModelEvent(EventKind.SenderTimeoutCheck, r.Node.Value, 0));
            }
        }
    }

    public void Handle(Instant now, in ModelEvent ev)
    {
        if (PausedNode(ev) is { } paused && now < paused.PausedUntil)
        {
            _scheduler.At(paused.PausedUntil, ev); // handled, in order, when the machine resumes
            return;
        }
        switch (ev.Kind)
        {
            case EventKind.OpenLoopArrival:
                StartTransaction(now, client: -1, now);
                _scheduler.After(NextInterarrival(), ev);
                break;
            case EventKind.ClientReady:
                StartTransaction(now, ev.Target, now);
                break;
            case EventKind.DeferredTransaction:
                StartTransaction(now, ev.Target, new Instant(ev.Value));
                break;
            case EventKind.LinkDelivery:
                Deliver(now, _links[ev.Target]);
                break;
            case EventKind.WalWriteDone when now < _nodes[ev.Target].StalledUntil:
            case EventKind.WalFlushDone when now < _nodes[ev.Target].StalledUntil:
                _scheduler.At(_nodes[ev.Target].StalledUntil, ev); // the disk answers once the stall ends
                break;
            case EventKind.WalWriteDone:
                WriteDone(now, _nodes[ev.Target], ev.Value);
                break;
            case EventKind.WalFlushDone:
                FlushDone(now, _nodes[ev.Target], ev.Value);
                break;
            case EventKind.ReplayDone:
                ReplayDone(now, _nodes[ev.Target], ev.Value);
                break;
            case EventKind.StatusInterval:
                if (!_nodes[ev.Target].Down)
                {
                    SendReply(now, _nodes[ev.Target]);
                }
                _scheduler.After(StatusInterval, ev);
                break;
            case EventKind.SemiSyncTimeout:
                SemiSyncTimedOut(now, ev.Value);
                break;
            case EventKind.Sample:
                WriteLagSamples(now);
                _scheduler.After(_spec.SampleInterval, ev);
                break;
            case EventKind.WarmupEnd:
                StartMeasuring(now);
                break;
            case EventKind.FaultStart:
                StartFault(now, ev.Target);
                break;
            case EventKind.FaultHeal:
                HealFault(now, ev.Target);
                break;
            case EventKind.SenderTimeoutCheck:
                CheckSenderTimeout(now, _viewOf[ev.Target]!);
                _scheduler.After(SenderTimeoutCheckInterval, ev);
                break;
            default:
                throw new InvalidOperationException($"unknown event kind {ev.Kind}");
        }
    }

    private Duration NextInterarrival() =>
        Duration.FromNanosecondsRounded(-_meanInterarrivalNs * Math.Log(_arrivalRandom.NextOpenUnit()));

    // ---------------------------------------------------------------- workload

    private void StartTransaction(Instant now, int client, Instant arrivedAt)
    {
        if (now < _primary.PausedUntil)
        {
            // The request waits in the paused primary's socket; its latency counts from arrival.
            _scheduler.At(_primary.PausedUntil, new ModelEvent(EventKind.DeferredTransaction, client, arrivedAt.NanosecondsSinceStart));
            return;
        }
        var workload = _spec.Workload;
        if (workload.ReadFraction > 0 && _mixRandom.NextDouble() < workload.ReadFraction)
        {
            Read(now, client);
            return;
        }
        var size = workload.TransactionSize.Sample(_sizeRandom);
        var primary = _primary;
        primary.Received += size;
        var lsn = primary.Received;
        if (!_groupCommit)
        {
            _unflushedCommits.Enqueue(lsn);
        }
        _waiters.Enqueue(new Waiter(lsn, arrivedAt.NanosecondsSinceStart, client));
        if (_shipOnInsert)
        {
            ShipWal(now, primary.Received);
            ReleaseCommits(now);
        }
        else
        {
            StartWrite(now, primary);
            if (!_waitForLocalFlush)
            {
                ReleaseCommits(now); // synchronous_commit = off: acknowledged before any flush
            }
        }
    }

    private void Read(Instant now, int client)
    {
        long staleness = 0;
        var target = -1;
        if (_spec.Workload.ReadRouting == ReadRouting.Replicas && _readReplicas.Length > 0)
        {
            var replica = _readReplicas[_mixRandom.NextInt(_readReplicas.Length)];
            target = replica.Node.Value;
            if (replica.NotReplayed.Count > 0)
            {
                staleness = now.NanosecondsSinceStart - replica.NotReplayed.Peek().AckedAt;
            }
        }
        if (_measuring)
        {
            _reads++;
            _readStaleness.Record(staleness);
        }
        _trace.Record(now, ReadKind, target, staleness);
        ClientDone(now, client);
    }

    private void ClientDone(Instant now, int client)
    {
        if (client >= 0)
        {
            _scheduler.After(_spec.Workload.ClosedLoop!.ThinkTime.Sample(_thinkRandom), new ModelEvent(EventKind.ClientReady, client, 0));
        }
    }

    // ---------------------------------------------------------------- WAL pipeline

    private void StartWrite(Instant now, NodeRuntime node)
    {
        if (node.Writing || node.Received <= node.Written)
        {
            return;
        }
        node.Writing = true;
        var target = node.Received;
        node.WriteTimer = FinishAfter(now, node.Spec.WalWrite.Sample(node.DiskRandom), new ModelEvent(EventKind.WalWriteDone, node.Id.Value, target));
    }

    private void WriteDone(Instant now, NodeRuntime node, long target)
    {
        node.Writing = false;
        node.Written = target;
        _trace.Record(now, WriteKind, node.Id.Value, target);
        if (node != _primary && _needWriteReplies)
        {
            SendReply(now, node);
        }
        StartFlush(now, node);
        StartWrite(now, node);
    }

    /// <summary>
    /// Completes a pipeline step after <paramref name="delay"/>: at once, with no event, when it
    /// takes no time. Returns the pending event's handle, so that a crash can cancel the step.
    /// </summary>
    private TimerHandle FinishAfter(Instant now, Duration delay, in ModelEvent done)
    {
        if (delay.IsZero && now >= _nodes[done.Target].StalledUntil)
        {
            Handle(now, done);
            return TimerHandle.None;
        }
        return _scheduler.After(delay, done);
    }

    private void StartFlush(Instant now, NodeRuntime node)
    {
        if (node.Flushing || node.Written <= node.Flushed)
        {
            return;
        }
        var target = node.Written;
        if (node == _primary && !_groupCommit)
        {
            // Each commit pays for its own flush: flush only up to the oldest unflushed commit.
            while (_unflushedCommits.Count > 0 && _unflushedCommits.Peek() <= node.Flushed)
            {
                _unflushedCommits.Dequeue();
            }
            if (_unflushedCommits.Count > 0)
            {
                target = Math.Min(target, _unflushedCommits.Peek());
            }
        }
        node.Flushing = true;
        node.FlushTimer = FinishAfter(now, node.Spec.WalFlush.Sample(node.DiskRandom), new ModelEvent(EventKind.WalFlushDone, node.Id.Value, target));
    }

    private void FlushDone(Instant now, NodeRuntime node, long target)
    {
        node.Flushing = false;
        node.Flushed = target;
        _trace.Record(now, FlushKind, node.Id.Value, target);
        if (node == _primary)
        {
            ShipWal(now, target);
            if (_semiSync is not null)
            {
                NoteSemiSyncWaitStart(now, target);
            }
            ReleaseCommits(now);
        }
        else
        {
            var view = _viewOf[node.Id.Value]!;
            NoteDurable(now, view, target);
            SendReply(now, node);
            StartReplay(now, node);
        }
        StartFlush(now, node);
    }

    private void StartReplay(Instant now, NodeRuntime node)
    {
        if (node.Spec.Role != NodeRole.Standby || node.Replaying || node.Flushed <= node.Replayed)
        {
            return;
        }
        node.Replaying = true;
        var target = node.Flushed;
        var delay = Duration.FromNanosecondsRounded((target - node.Replayed) * node.ReplayNanosPerByte);
        node.ReplayTimer = FinishAfter(now, delay, new ModelEvent(EventKind.ReplayDone, node.Id.Value, target));
    }

    private void ReplayDone(Instant now, NodeRuntime node, long target)
    {
        node.Replaying = false;
        node.Replayed = target;
        _trace.Record(now, ReplayKind, node.Id.Value, target);
        var notReplayed = _viewOf[node.Id.Value]!.NotReplayed;
        while (notReplayed.Count > 0 && notReplayed.Peek().Lsn <= target)
        {
            notReplayed.Dequeue();
        }
        if (_needApplyReplies)
        {
            SendReply(now, node);
        }
        StartReplay(now, node);
    }

    // ---------------------------------------------------------------- replication

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
        _scheduler.At(arrival, new ModelEvent(EventKind.LinkDelivery, link.Index, 0));
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

    // ---------------------------------------------------------------- commits

    /// <summary>Acknowledges every waiting commit that is now as durable as the settings require.</summary>
    private void ReleaseCommits(Instant now)
    {
        if (_waiters.Count == 0)
        {
            return;
        }
        var release = _waitForLocalFlush ? _primary.Flushed : long.MaxValue;
        if (_syncRule is not null && !_semiSyncAsync)
        {
            release = Math.Min(release, _syncRule.SyncedLsn());
        }
        var released = false;
        while (_waiters.Count > 0 && _waiters.Peek().Lsn <= release)
        {
            Acknowledge(now, _waiters.Dequeue());
            released = true;
        }
        if (_semiSync is not null)
        {
            if (released)
            {
                _flushedWaiters = Math.Min(_flushedWaiters, _waiters.Count);
                _scheduler.Cancel(_semiSyncTimer);
                _semiSyncTimer = TimerHandle.None;
            }
            ArmSemiSyncTimer(now);
        }
    }

    private void Acknowledge(Instant now, in Waiter waiter)
    {
        var nowNs = now.NanosecondsSinceStart;
        var latency = nowNs - waiter.StartedAt;
        _trace.Record(now, CommitKind, waiter.Client, waiter.Lsn, latency);
        var measured = _measuring && waiter.StartedAt >= _warmupEnd.NanosecondsSinceStart;
        if (measured)
        {
            _commits++;
            _commitLatency.Record(latency);
        }
        foreach (var view in _replicas)
        {
            var node = view.Runtime;
            if (node.Flushed < waiter.Lsn)
            {
                view.AccumulateNotDurable(nowNs);
                view.NotDurable.Enqueue((waiter.Lsn, measured ? nowNs : -1));
            }
            if (node.Spec.Role == NodeRole.Standby && node.Replayed < waiter.Lsn)
            {
                view.NotReplayed.Enqueue((waiter.Lsn, nowNs));
            }
        }
        ClientDone(now, waiter.Client);
    }

    /// <summary>Ground truth, not the primary's delayed view: the node has now flushed up to <paramref name="flushed"/>.</summary>
    private void NoteDurable(Instant now, ReplicaView view, long flushed)
    {
        var nowNs = now.NanosecondsSinceStart;
        var queue = view.NotDurable;
        if (queue.Count == 0 || queue.Peek().Lsn > flushed)
        {
            return;
        }
        view.AccumulateNotDurable(nowNs);
        while (queue.Count > 0 && queue.Peek().Lsn <= flushed)
        {
            var (_, ackedAt) = queue.Dequeue();
            if (ackedAt >= 0)
            {
                view.DurabilityDelaySum += nowNs - ackedAt;
                view.DurabilityDelayCount++;
            }
        }
    }

    // ---------------------------------------------------------------- semi-sync

    /// <summary>Commits up to <paramref name="flushed"/> now wait for replicas; their timeout runs from here.</summary>
    private void NoteSemiSyncWaitStart(Instant now, long flushed)
    {
        while (_flushedWaiters < _waiters.Count && _waiters[_flushedWaiters].Lsn <= flushed)
        {
            _waiters[_flushedWaiters].FlushedAt = now.NanosecondsSinceStart;
            _flushedWaiters++;
        }
    }

    /// <summary>Times the oldest commit waiting for replicas: rpl_semi_sync_master_timeout after its local flush.</summary>
    private void ArmSemiSyncTimer(Instant now)
    {
        if (_semiSyncAsync || _flushedWaiters == 0 || _scheduler.IsPending(_semiSyncTimer))
        {
            return;
        }
        ref var oldest = ref _waiters.Peek();
        var deadline = Instant.Max(now, new Instant(oldest.FlushedAt) + _semiSync!.Timeout);
        _semiSyncTimer = _scheduler.At(deadline, new ModelEvent(EventKind.SemiSyncTimeout, 0, oldest.Lsn));
    }

    private void SemiSyncTimedOut(Instant now, long lsn)
    {
        _semiSyncTimer = TimerHandle.None;
        if (_waiters.Count == 0 || _waiters.Peek().Lsn != lsn)
        {
            ArmSemiSyncTimer(now);
            return;
        }
        // rpl_semi_sync_master_timeout: stop waiting for replicas until one catches up.
        _semiSyncAsync = true;
        _semiSyncFallbacks++;
        _semiSyncAsyncSince = now;
        _trace.Record(now, SemiSyncOffKind, -1, lsn);
        ReleaseCommits(now);
    }

    private void ResumeSemiSync(Instant now)
    {
        _semiSyncAsync = false;
        _semiSyncAsyncTime += now - Instant.Max(_semiSyncAsyncSince, _warmupEnd);
        _trace.Record(now, SemiSyncOnKind, -1, _primary.Flushed);
        ArmSemiSyncTimer(now);
    }

    // ---------------------------------------------------------------- faults

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
                break;
            case CrashFault c:
                Crash(now, _nodes[c.Node.Value]);
                break;
            case PauseFault p:
                var paused = _nodes[p.Node.Value];
                paused.PausedUntil = Instant.Max(paused.PausedUntil, fault.HealsAt ?? Instant.MaxValue);
                _trace.Record(now, PauseKind, paused.Id.Value);
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
                        _scheduler.At(arrival, new ModelEvent(EventKind.LinkDelivery, link.Index, 0));
                    }
                }
                break;
            case LinkFault l:
                foreach (var link in LinksBetween(l.From, l.To))
                {
                    link.RestoreQuality();
                }
                break;
            case CrashFault c:
                Restart(now, _nodes[c.Node.Value]);
                break;
            case PauseFault resumed:
                // Whatever waited for PausedUntil fires on its own now.
                _trace.Record(now, ResumeKind, resumed.Node.Value);
                break;
            case DiskStallFault:
                // Completions deferred to StalledUntil fire on their own.
                break;
        }
    }

    /// <summary>The node an event happens on, if it is a node's own work (the primary for its timers and arrivals).</summary>
    private NodeRuntime? PausedNode(in ModelEvent ev) => ev.Kind switch
    {
        EventKind.WalWriteDone or EventKind.WalFlushDone or EventKind.ReplayDone or EventKind.StatusInterval => _nodes[ev.Target],
        EventKind.LinkDelivery => _nodes[_links[ev.Target].To.Value],
        EventKind.SenderTimeoutCheck or EventKind.SemiSyncTimeout => _primary,
        _ => null,
    };

    /// <summary>
    /// The machine dies: steps in flight are lost, and so is WAL written but not flushed (it was
    /// only in the operating system's cache).
    /// </summary>
    private void Crash(Instant now, NodeRuntime node)
    {
        node.Down = true;
        _scheduler.Cancel(node.WriteTimer);
        _scheduler.Cancel(node.FlushTimer);
        _scheduler.Cancel(node.ReplayTimer);
        node.Writing = node.Flushing = node.Replaying = false;
        node.Received = node.Written = node.Flushed;
        _trace.Record(now, CrashKind, node.Id.Value, node.Flushed);
    }

    /// <summary>Back up: recovery replays what was flushed, and the standby asks the primary to stream from its flushed position.</summary>
    private void Restart(Instant now, NodeRuntime node)
    {
        node.Down = false;
        _trace.Record(now, RestartKind, node.Id.Value, node.Flushed);
        StartReplay(now, node);
        Send(now, node.ToPrimary!, new WireMessage(MessageKind.StartReplication, node.Flushed, 0, 0, ReplyBytes));
    }

    /// <summary>START_REPLICATION from a restarted standby: its walsender resends from where the standby stands.</summary>
    private void RestartStreaming(Instant now, ReplicaView view, long from)
    {
        view.LastReplyAt = now;
        view.Sent = from;
        if (!view.Connected)
        {
            Reconnect(now, view);
        }
        else
        {
            ShipWal(now, _shipOnInsert ? _primary.Received : _primary.Flushed);
        }
    }

    /// <summary>The links that carry traffic from a node in <paramref name="from"/> to a node in <paramref name="to"/>, in index order.</summary>
    private IEnumerable<Link> LinksBetween(IReadOnlyList<NodeId> from, IReadOnlyList<NodeId> to) =>
        _links.Where(link => from.Contains(link.From) && to.Contains(link.To));

    /// <summary>wal_sender_timeout: a standby silent for that long no longer counts as connected (PostgreSQL ends its walsender).</summary>
    private void CheckSenderTimeout(Instant now, ReplicaView view)
    {
        if (!view.Connected || now - view.LastReplyAt <= _spec.Replication.WalSenderTimeout)
        {
            return;
        }
        view.Connected = false;
        view.Disconnections++;
        view.DisconnectedSince = now;
        _trace.Record(now, DisconnectKind, view.Node.Value);
        ReleaseCommits(now); // FIRST k may now pick the next standby in the list
    }

    private void Reconnect(Instant now, ReplicaView view)
    {
        view.Connected = true;
        view.DisconnectedTime += now - view.DisconnectedSince;
        _trace.Record(now, ConnectKind, view.Node.Value);
        ShipWal(now, _shipOnInsert ? _primary.Received : _primary.Flushed);
    }

    // ---------------------------------------------------------------- measurement

    private void StartMeasuring(Instant now)
    {
        _measuring = true;
        foreach (var view in _replicas)
        {
            view.NotDurableArea = 0;
            view.NotDurableSince = now.NanosecondsSinceStart;
        }
    }

    private void WriteLagSamples(Instant now)
    {
        foreach (var view in _replicas)
        {
            var lag = view.Lag.LastLag;
            _lagSink!.Write(new LagSample(now, view.Node, _primary.Received, view.Sent, view.ReportedWrite, view.ReportedFlush,
                view.ReportedApply, lag[0], lag[1], lag[2]));
        }
    }

    private ClusterRunReport BuildReport(RunResult result, string? failure)
    {
        var end = result.Now.NanosecondsSinceStart;
        var measuredNs = Math.Max(0, end - _warmupEnd.NanosecondsSinceStart);
        if (_semiSyncAsync)
        {
            _semiSyncAsyncTime += result.Now - Instant.Max(_semiSyncAsyncSince, _warmupEnd);
        }
        var standbys = _replicas.Select(view =>
        {
            view.AccumulateNotDurable(end);
            var spec = view.Runtime.Spec;
            return new StandbyReport
            {
                Name = spec.Name,
                Role = spec.Role,
                Zone = _spec.Zones[spec.Zone.Value].Name,
                SyncState = SyncStateOf(view),
                SentLsn = new Lsn((ulong)view.Sent),
                WriteLsn = new Lsn((ulong)view.ReportedWrite),
                FlushLsn = new Lsn((ulong)view.ReportedFlush),
                ReplayLsn = new Lsn((ulong)view.ReportedApply),
                WriteLag = view.WriteLag,
                FlushLag = view.FlushLag,
                ReplayLag = view.ReplayLag,
                LagBytes = view.LagBytes,
                MeanNotDurableCommits = measuredNs > 0 ? view.NotDurableArea / measuredNs : 0,
                MeanDurabilityDelaySeconds = view.DurabilityDelayCount > 0
                    ? view.DurabilityDelaySum / view.DurabilityDelayCount / Duration.NanosPerSecond
                    : 0,
                Disconnections = view.Disconnections,
                DisconnectedTime = view.Connected ? view.DisconnectedTime : view.DisconnectedTime + (result.Now - view.DisconnectedSince),
            };
        }).ToArray();
        return new ClusterRunReport
        {
            ModelName = _spec.Name,
            Seed = _seed,
            TraceHash = _trace.Hash,
            Run = result,
            Failure = failure,
            Measured = new Duration(measuredNs),
            Commits = _commits,
            Reads = _reads,
            CommitLatency = _commitLatency,
            ReadStaleness = _readStaleness,
            Standbys = standbys,
            SemiSyncFallbacks = _semiSyncFallbacks,
            SemiSyncAsyncTime = _semiSyncAsyncTime,
        };
    }

    // pg_stat_replication's sync_state, extended to the storage quorum and semi-sync.
    private string SyncStateOf(ReplicaView view)
    {
        if (_syncRule is null)
        {
            return "async";
        }
        if (_spec.Replication.StorageQuorum is not null)
        {
            return view.Runtime.Spec.Role == NodeRole.Storage ? "quorum" : "async";
        }
        if (_semiSync is not null)
        {
            return "semisync";
        }
        var names = _spec.Replication.SynchronousStandbyNames!;
        if (!names.TryGetPriority(view.Runtime.Spec.Name, out var priority))
        {
            return "async";
        }
        if (names.Method == SyncMethod.Any)
        {
            return "quorum";
        }
        // FIRST k: the k highest-priority standbys are "sync", the other listed ones "potential".
        var better = _replicas.Count(r => names.TryGetPriority(r.Runtime.Spec.Name, out var p)
            && (p < priority || (p == priority && r.Node.Value < view.Node.Value)));
        return better < names.Count ? "sync" : "potential";
    }
}
