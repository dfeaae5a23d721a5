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

    // Whether any pause fault is scheduled: without one, events skip the pause check.
    private readonly bool _anyPause;

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

    private readonly CommitQueue _commitQueue = new();

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


    public ClusterSimulation(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null)
    {
        _spec = spec;
        _seed = seed;
        _lagSink = lagSink;
        _trace = new Trace(traceSink);
        _anyPause = spec.Faults.Any(f => f is PauseFault);
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
        foreach (var r in _replicas)
        {
            _scheduler.PostAfter(StatusInterval, new ModelEvent(EventKind.StatusInterval, r.Node.Value, 0));
        }
        if (_lagSink is not null && _replicas.Length > 0)
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
        if (_spec.Faults.Count > 0)
        {
            foreach (var r in _replicas)
            {
                _scheduler.PostAfter(SenderTimeoutCheckInterval, new ModelEvent(EventKind.SenderTimeoutCheck, r.Node.Value, 0));
            }
        }
    }

    public void Handle(Instant now, in ModelEvent ev)
    {
        if (_anyPause && PausedNode(ev) is { } paused && now < paused.PausedUntil)
        {
            Defer(paused.PausedUntil, ev); // handled, in order, when the machine resumes
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
            case EventKind.SenderTimeoutCheck:
                CheckSenderTimeout(now, _viewOf[ev.Target]!);
                _scheduler.PostAfter(SenderTimeoutCheckInterval, ev);
                break;
            default:
                throw new InvalidOperationException($"unknown event kind {ev.Kind}");
        }
    }

    /// <summary>
    /// Handles <paramref name="ev"/> later, at <paramref name="until"/>. A deferred pipeline step
    /// stays cancellable: its node keeps the new handle, so a crash still cancels it.
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
                _scheduler.Post(until, ev);
                break;
        }
    }

    private Duration NextInterarrival() =>
        Duration.FromNanosecondsRounded(-_meanInterarrivalNs * Math.Log(_arrivalRandom.NextOpenUnit()));
}
