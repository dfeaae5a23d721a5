using HaSim.Kernel;
using HaSim.Kernel.Statistics;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// A node's WAL pipeline, as positions in bytes: WAL received (on the primary: inserted) is
/// written to the OS, then flushed to disk, then (standbys) replayed. One WAL writer writes and
/// then flushes (see ClusterSimulation.Pipeline), and the startup process replays; each takes
/// everything that is ready when it starts an operation, which is group commit on the primary and
/// walreceiver batching on a standby.
/// </summary>
internal sealed class NodeRuntime
{
    public NodeRuntime(NodeSpec spec, ulong seed)
    {
        Spec = spec;
        DiskRandom = new SimRandom(seed, "disk " + spec.Name); // by name: adding a node never shifts another's draws
        ReplayNanosPerByte = Duration.NanosPerSecond / spec.ReplayBytesPerSecond;
    }

    public NodeSpec Spec { get; }
    public NodeId Id => Spec.Id;
    public SimRandom DiskRandom { get; }
    public double ReplayNanosPerByte { get; }

    public long Received;

    /// <summary>
    /// WAL handed to the operating system, as of the writer's last event. The write part of an
    /// operation usually ends without an event of its own: read the position through <see cref="WrittenAt"/>.
    /// </summary>
    public long Written;

    public long Flushed;
    public long Replayed;

    /// <summary>
    /// The WAL writer is busy: it writes up to <see cref="WriterTarget"/>, done at <see cref="WriterWrittenAt"/>,
    /// then flushes that for <see cref="WriterFlushTime"/>.
    /// </summary>
    public bool WriterBusy;
    public long WriterTarget;
    public Instant WriterWrittenAt;
    public Duration WriterFlushTime;

    /// <summary>The startup process replays up to <see cref="ReplayTarget"/>, done at <see cref="ReplayDoneAt"/> (see ClusterSimulation.AdvanceReplay).</summary>
    public bool Replaying;
    public long ReplayTarget;
    public Instant ReplayDoneAt;

    /// <summary>WAL handed to the operating system by <paramref name="now"/>.</summary>
    public long WrittenAt(Instant now) => WriterBusy && now >= WriterWrittenAt ? WriterTarget : Written;

    /// <summary>While this node runs as a primary: its commits, walsenders and synchronous rule.</summary>
    public PrimaryRole? Primary;

    /// <summary>On a standby: the node it streams WAL from (primary_conninfo), or null.</summary>
    public NodeRuntime? Upstream;

    /// <summary>
    /// The streaming session with <see cref="Upstream"/>: WAL and replies from an older session
    /// (before a restart or a change of upstream) are ignored, as a new connection would never see them.
    /// </summary>
    public int StreamEpoch;

    /// <summary>Whether the upstream took the current session (failover runs; a fixed primary always does).</summary>
    public bool Streaming;

    /// <summary>The timeline of this node's WAL.</summary>
    public Term Timeline = Term.Initial;

    /// <summary>Disk stall: no WAL write or flush completes before this instant.</summary>
    public Instant StalledUntil;

    /// <summary>Machine pause: nothing happens on this node before this instant.</summary>
    public Instant PausedUntil;

    /// <summary>Crashed: the node does nothing and loses what reaches it until it restarts.</summary>
    public bool Down;

    /// <summary>
    /// Down because PostgreSQL and the agent were killed on a machine that stays up
    /// (<see cref="Spec.CrashScope.Processes"/>): its kernel refuses connections at once instead of leaving them unanswered.
    /// </summary>
    public bool ProcessesKilled;

    /// <summary>Crash faults in force on this node: it restarts when the last one heals.</summary>
    public int CrashFaults;

    // The pipeline's events in flight, so that a crash can cancel them: the end of a write or a
    // replay (when it is an event), of a flush.
    public TimerHandle WriteTimer;
    public TimerHandle FlushTimer;
    public TimerHandle ReplayTimer;
}

/// <summary>
/// What the primary knows and measures about one downstream node (standby or storage node): its
/// sender and link, the positions it last reported (pg_stat_replication), and, for measurement
/// only, the acknowledged commits it does not yet hold.
/// </summary>
internal sealed class ReplicaView(NodeRuntime node, Link link, bool connected)
{
    public NodeRuntime Runtime { get; } = node;
    public NodeId Node => Runtime.Id;
    public Link Link { get; } = link;
    public bool Connected { get; set; } = connected;

    /// <summary>The streaming session this walsender serves (see <see cref="NodeRuntime.StreamEpoch"/>).</summary>
    public int Epoch;

    /// <summary>When the primary last heard from this node (for wal_sender_timeout).</summary>
    public Instant LastReplyAt;
    public long Disconnections;
    public Instant DisconnectedSince;
    public Duration DisconnectedTime;

    public long Sent;
    public long ReportedWrite;
    public long ReportedFlush;
    public long ReportedApply;

    // The lag tracker and the histograms take some 360 kB a view, and a run makes two views per
    // primary role, after every promotion too: they are made when first used, and an unmeasured
    // run (exploring) never uses them.
    private LagTracker? _lag;
    private LogLinearHistogram? _writeLag, _flushLag, _replayLag, _lagBytes;

    public LagTracker Lag => _lag ??= new();

    public long Reported(AckPoint point) => point switch
    {
        AckPoint.Write => ReportedWrite,
        AckPoint.Flush => ReportedFlush,
        _ => ReportedApply,
    };

    // Measurements.
    public LogLinearHistogram WriteLag => _writeLag ??= new();
    public LogLinearHistogram FlushLag => _flushLag ??= new();
    public LogLinearHistogram ReplayLag => _replayLag ??= new();
    public LogLinearHistogram LagBytes => _lagBytes ??= new();

    /// <summary>Acknowledged commits not yet flushed on this node (LSN, acknowledgement time), oldest first.</summary>
    public RingBuffer<(long Lsn, long AckedAt)> NotDurable { get; } = new();

    /// <summary>Acknowledged commits not yet replayed on this node, oldest first (read staleness).</summary>
    public RingBuffer<(long Lsn, long AckedAt)> NotReplayed { get; } = new();

    /// <summary>Time integral of <see cref="NotDurable"/>.Count over the measured period, in transaction-nanoseconds.</summary>
    public double NotDurableArea;
    public long NotDurableSince;
    public double DurabilityDelaySum; // nanoseconds, over measured commits
    public long DurabilityDelayCount;

    public void AccumulateNotDurable(long now)
    {
        NotDurableArea += (double)NotDurable.Count * (now - NotDurableSince);
        NotDurableSince = now;
    }
}
