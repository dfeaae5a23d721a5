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
internal sealed partial class ClusterSimulation : IEventHandler<ModelEvent>
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

    // The latest end of any pause begun so far (Pause): before it something may be paused and each
    // event is checked against its owner's pause; from then on nothing is, and events skip the check.
    private Instant _pausesOverAt = Instant.Start;

    private readonly ClusterSpec _spec;
    private readonly ulong _seed;
    private readonly Scheduler<ModelEvent> _scheduler = new();
    private readonly Trace _trace;
    private readonly ILagSampleSink? _lagSink;

    private readonly NodeRuntime[] _nodes;
    private readonly Link[] _links;             // every ordered pair of nodes, by index
    private readonly Link?[] _linkBetween;      // [from * nodes + to]

    // The spec's primary at the start; with a fixed primary, the only one. Steady-state
    // measurements (lags, durability delay, read staleness) are taken against it.
    private readonly PrimaryRole _initialRole;
    private readonly ReplicaView[] _readReplicas;

    // Reads go to standbys and measure how stale they are: only then does anything look at the
    // commits a standby has not replayed yet (ReplicaView.NotReplayed), so only then are they kept.
    private readonly bool _readsFromStandbys;

    private readonly bool _waitForLocalFlush;
    private readonly bool _shipOnInsert; // storage quorum: no local WAL, log records go straight to storage
    private readonly SemiSyncSpec? _semiSync;
    private readonly bool _needWriteReplies;
    private readonly bool _needApplyReplies;
    private readonly bool _groupCommit;


    private readonly SimRandom _arrivalRandom;
    private readonly SimRandom _sizeRandom;
    private readonly SimRandom _mixRandom;
    private readonly SimRandom _thinkRandom;
    private readonly double _meanInterarrivalNs;

    private readonly Instant _warmupEnd;

    // False when only what happens matters, not how fast (exploration judges the history): the run
    // then keeps no statistics (latency and lag histograms, lag tracking, durability delays) and its
    // report has none. Nothing it skips feeds back into the run: events, draws and the trace hash
    // are the same.
    private readonly bool _measure;
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


    public ClusterSimulation(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null, IRunHistorySink? history = null,
        IAgentLogSink? agentLog = null, bool measure = true)
    {
        _spec = spec;
        _measure = measure;
        _seed = seed;
        _lagSink = lagSink;
        _trace = new Trace(traceSink);
        _nodes = spec.Nodes.Select(n => new NodeRuntime(n, seed)).ToArray();
        var links = new List<Link>();
        _linkBetween = new Link?[_nodes.Length * _nodes.Length];
        foreach (var from in _nodes)
        {
            foreach (var to in _nodes)
            {
                if (from != to)
                {
                    var link = CreateLink(links.Count, from.Id, to.Id);
                    links.Add(link);
                    _linkBetween[from.Id.Value * _nodes.Length + to.Id.Value] = link;
                }
            }
        }
        _links = links.ToArray();

        var replication = spec.Replication;
        _groupCommit = replication.GroupCommit;
        _semiSync = replication.SemiSync;
        _shipOnInsert = replication.StorageQuorum is not null;
        _waitForLocalFlush = _semiSync is not null || (!_shipOnInsert && replication.SynchronousCommit != SynchronousCommit.Off);
        var ackPoint = AckPointOf(replication)
            ?? (spec.Failover?.Settings.SynchronousMode == Failover.SynchronousMode.On ? LevelAckPoint(replication.SynchronousCommit) : null);
        _needWriteReplies = ackPoint == AckPoint.Write;
        _needApplyReplies = ackPoint == AckPoint.Apply;

        var primary = _nodes[spec.Primary.Value];
        foreach (var node in _nodes)
        {
            node.Upstream = node == primary ? null : primary;
            node.Streaming = node != primary; // the run starts with every standby connected
        }
        _initialRole = CreatePrimaryRole(primary, connected: true);
        _initialRole.SyncRule = StaticSyncRule(_initialRole.Replicas);
        primary.Primary = _initialRole;
        _readReplicas = _initialRole.Replicas.Where(r => r.Runtime.Spec.Role == NodeRole.Standby).ToArray();
        _readsFromStandbys = spec.Workload.ReadFraction > 0 && spec.Workload.ReadRouting == ReadRouting.Replicas && _readReplicas.Length > 0;
        if (spec.Failover is { } failover)
        {
            InitFailover(failover, history);
            _agentLog = agentLog;
        }

        _arrivalRandom = new SimRandom(seed, "workload.arrivals");
        _sizeRandom = new SimRandom(seed, "workload.sizes");
        _mixRandom = new SimRandom(seed, "workload.mix");
        _thinkRandom = new SimRandom(seed, "workload.think");
        _meanInterarrivalNs = spec.Workload.OpenLoopRate is { } rate ? Duration.NanosPerSecond / rate : 0;
        _warmupEnd = Instant.Start + spec.Warmup;
    }

    /// <summary>
    /// A primary role for <paramref name="node"/> with a walsender view of every other node;
    /// <paramref name="connected"/> says whether they stream from it already (at the start of
    /// the run) or must connect first (after a promotion).
    /// </summary>
    private PrimaryRole CreatePrimaryRole(NodeRuntime node, bool connected)
    {
        // A walsender serves only the session a START_REPLICATION opened: until one does, a new
        // primary's views match no session, so a standby's stray replies cannot revive them.
        var views = _nodes.Where(n => n != node)
            .Select(n => new ReplicaView(n, LinkBetween(node, n), connected) { Epoch = connected ? n.StreamEpoch : NoSession })
            .ToArray();
        return new PrimaryRole(node, views, _nodes.Length);
    }

    private const int NoSession = -1;

    private Link LinkBetween(NodeRuntime from, NodeRuntime to) => _linkBetween[from.Id.Value * _nodes.Length + to.Id.Value]!;

    /// <summary>The standby position a commit waits for, or null when no rule makes it wait for standbys.</summary>
    private static AckPoint? AckPointOf(ReplicationSpec replication) =>
        replication.StorageQuorum is not null ? AckPoint.Flush
        : replication.SemiSync is not null ? AckPoint.Write
        : replication.SynchronousStandbyNames is null ? null
        : LevelAckPoint(replication.SynchronousCommit);

    /// <summary>The commit rule the model's replication settings give a primary with walsenders <paramref name="replicas"/>.</summary>
    private SyncRule? StaticSyncRule(ReplicaView[] replicas)
    {
        var replication = _spec.Replication;
        if (replication.StorageQuorum is { } quorum)
        {
            return new SyncRule(SyncMethod.Any, quorum.WriteQuorum, AckPoint.Flush,
                replicas.Where(r => r.Runtime.Spec.Role == NodeRole.Storage).Select(r => (r, 0)));
        }
        if (_semiSync is { } semi)
        {
            return new SyncRule(SyncMethod.Any, semi.WaitForReplicaCount, AckPoint.Write, replicas.Select(r => (r, 0)));
        }
        return AckPointOf(replication) is { } ackPoint && replication.SynchronousStandbyNames is { } names
            ? NamedSyncRule(names, ackPoint, replicas)
            : null;
    }

    /// <summary>The rule synchronous_standby_names <paramref name="names"/> sets over the walsenders <paramref name="replicas"/>.</summary>
    private static SyncRule NamedSyncRule(SyncStandbyNames names, AckPoint ackPoint, ReplicaView[] replicas)
    {
        var candidates = new List<(ReplicaView, int)>();
        foreach (var r in replicas)
        {
            if (names.TryGetPriority(r.Runtime.Spec.Name, out var priority))
            {
                candidates.Add((r, priority));
            }
        }
        return new SyncRule(names.Method, names.Count, ackPoint, candidates);
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
                result = _scheduler.Run(new Dispatcher(this), new RunLimits(until, _spec.MaxEvents - handled));
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
        _measuring = _measure && _spec.Warmup.IsZero;
        if (!_spec.Warmup.IsZero)
        {
            _scheduler.Post(_warmupEnd, new ModelEvent(EventKind.WarmupEnd, 0, 0));
        }
        if (_spec.Workload.OpenLoopRate is not null)
        {
            _scheduler.PostAfter(NextInterarrival(), new ModelEvent(EventKind.OpenLoopArrival, 0, 0));
        }
        if (_spec.Workload.ClosedLoop is { } closed)
        {
            for (var client = 0; client < closed.Clients; client++)
            {
                _scheduler.PostAfter(closed.ThinkTime.Sample(_thinkRandom), new ModelEvent(EventKind.ClientReady, client, 0));
            }
        }
        foreach (var r in _initialRole.Replicas)
        {
            _scheduler.PostAfter(StatusInterval, new ModelEvent(EventKind.StatusInterval, r.Node.Value, 0));
        }
        if (_failover is not null)
        {
            // Any node may become a standby: the primary's status timer runs too, and sends nothing while it has no upstream.
            _scheduler.PostAfter(StatusInterval, new ModelEvent(EventKind.StatusInterval, _initialRole.Node.Id.Value, 0));
            ScheduleFailoverStart();
        }
        if (_lagSink is not null && _initialRole.Replicas.Length > 0)
        {
            _scheduler.PostAfter(_spec.SampleInterval, new ModelEvent(EventKind.Sample, 0, 0));
        }
        for (var i = 0; i < _spec.Faults.Count; i++)
        {
            var fault = _spec.Faults[i];
            _scheduler.Post(Instant.Start + fault.At, new ModelEvent(EventKind.FaultStart, i, 0));
            if (fault.HealsAt is { } heal)
            {
                _scheduler.Post(heal, new ModelEvent(EventKind.FaultHeal, i, 0));
            }
        }
        if (_spec.Faults.Count > 0 && _failover is null)
        {
            foreach (var r in _initialRole.Replicas)
            {
                _scheduler.PostAfter(SenderTimeoutCheckInterval, new ModelEvent(EventKind.SenderTimeoutCheck, r.Node.Value, 0));
            }
        }
    }

    /// <summary>Hands the scheduler's events to <see cref="Handle"/> by a direct call (a struct handler gets a loop of its own).</summary>
    private readonly struct Dispatcher(ClusterSimulation simulation) : IEventHandler<ModelEvent>
    {
        public void Handle(Instant now, in ModelEvent ev) => simulation.Handle(now, ev);
    }

    public void Handle(Instant now, in ModelEvent ev)
    {
        if (now < _pausesOverAt && BlockedUntil(ev) is var blockedUntil && now < blockedUntil)
        {
            Defer(blockedUntil, ev); // handled, in order, when the machine, database or agent it belongs to resumes
            return;
        }
        switch (ev.Kind)
        {
            case EventKind.OpenLoopArrival:
                StartTransaction(now, client: -1, now);
                _scheduler.PostAfter(NextInterarrival(), ev);
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
                Defer(_nodes[ev.Target].StalledUntil, ev); // the disk answers once the stall ends
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
                _scheduler.PostAfter(StatusInterval, ev);
                break;
            case EventKind.SemiSyncTimeout:
                SemiSyncTimedOut(now, ev.Value);
                break;
            case EventKind.Sample:
                WriteLagSamples(now);
                _scheduler.PostAfter(_spec.SampleInterval, ev);
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
            case EventKind.HeldEventsDue:
                HeldEventsDue(now, ev.Value);
                break;
            case EventKind.SenderTimeoutCheck:
                CheckSenderTimeouts(now, _nodes[ev.Target]);
                _scheduler.PostAfter(SenderTimeoutCheckInterval, ev);
                break;
            default:
                if (!HandleFailoverEvent(now, ev))
                {
                    throw new InvalidOperationException($"unknown event kind {ev.Kind}");
                }
                break;
        }
    }

    /// <summary>
    /// Handles <paramref name="ev"/> later, at <paramref name="until"/>. A deferred pipeline step
    /// stays cancellable: its node keeps the new handle, so a crash still cancels it. Any other
    /// event is held (see <see cref="Hold"/>).
    /// </summary>
    private void Defer(Instant until, in ModelEvent ev)
    {
        switch (ev.Kind)
        {
            case EventKind.WalWriteDone:
                _nodes[ev.Target].WriteTimer = _scheduler.At(until, ev);
                break;
            case EventKind.WalFlushDone:
                _nodes[ev.Target].FlushTimer = _scheduler.At(until, ev);
                break;
            case EventKind.ReplayDone:
                _nodes[ev.Target].ReplayTimer = _scheduler.At(until, ev);
                break;
            default:
                Hold(until, ev);
                break;
        }
    }

    // Events held until a pause ends, by that instant (in nanoseconds), each list in the order its
    // events were held; one HeldEventsDue event per instant hands them back. A long pause of a busy
    // node holds thousands of arrivals, and in the event queue they would make every other event's
    // scheduling slower for as long as the pause lasts. Looked up by instant, never enumerated.
    private readonly Dictionary<long, RingBuffer<ModelEvent>> _held = [];
    private readonly Stack<RingBuffer<ModelEvent>> _spareHeldLists = new();

    /// <summary>
    /// Handles <paramref name="ev"/> at <paramref name="until"/>, after the events held for that
    /// instant before it: the order a queue of deferred events would give, bar events scheduled
    /// for that very nanosecond meanwhile.
    /// </summary>
    private void Hold(Instant until, in ModelEvent ev)
    {
        var at = until.NanosecondsSinceStart;
        if (!_held.TryGetValue(at, out var list))
        {
            list = _spareHeldLists.TryPop(out var spare) ? spare : new RingBuffer<ModelEvent>();
            _held.Add(at, list);
            _scheduler.Post(until, new ModelEvent(EventKind.HeldEventsDue, 0, at));
        }
        list.Enqueue(ev);
    }

    private void HeldEventsDue(Instant now, long at)
    {
        _held.Remove(at, out var list);
        while (list!.Count > 0)
        {
            Handle(now, list.Dequeue()); // held again, under another instant, if a later pause began meanwhile
        }
        _spareHeldLists.Push(list);
    }

    private Duration NextInterarrival() =>
        Duration.FromNanosecondsRounded(-_meanInterarrivalNs * Math.Log(_arrivalRandom.NextOpenUnit()));
}
