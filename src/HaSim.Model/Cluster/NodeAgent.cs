using HaSim.Failover;
using HaSim.Kernel;
using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>What the node's PostgreSQL is doing, as its agent's host sees it.</summary>
internal enum DatabaseState : byte
{
    Stopped,
    Starting,
    Replica,
    Promoting,
    Primary,
    Stopping,
    Rewinding,
}

/// <summary>
/// The host of one node's agent (<see cref="IHaController"/>: Patroni's <see cref="FailoverController"/>
/// or the <see cref="NaiveFailoverScript"/>): its clock, its timers, its DCS
/// client and requests in flight, its REST queries, its watchdog, and the database action it is
/// carrying out. A crash or watchdog reset throws the whole agent away: the process restarts with
/// a fresh controller, as Patroni does after a reboot.
/// </summary>
internal sealed class NodeAgent
{
    public NodeAgent(NodeRuntime node, IHaController controller, DcsClient? dcsClient, LocalClock clock, int incarnation)
    {
        Node = node;
        Controller = controller;
        DcsClient = dcsClient;
        Clock = clock;
        Incarnation = incarnation;
    }

    public NodeRuntime Node { get; }
    public IHaController Controller { get; }

    /// <summary>The DCS client; null when the model has no DCS (the naive script).</summary>
    public DcsClient? DcsClient { get; }
    public LocalClock Clock { get; }

    /// <summary>Which start of the agent this is: events of an earlier incarnation are stale.</summary>
    public int Incarnation { get; }

    /// <summary>Inputs waiting for the controller (inputs that arise while it is being stepped wait here).</summary>
    public Queue<ControllerInput> Inbox { get; } = new();
    public bool Stepping;

    /// <summary>How many of the controller's finished cycles the agent log has been told about.</summary>
    public long LoggedCycles;

    /// <summary>
    /// Controller timers by id: their local-time deadline, the scheduled event, and the setting it
    /// belongs to. A setting's event can outlive it (a paused machine defers events as copies the
    /// handle no longer cancels), so an event acts only if its setting is still the current one.
    /// </summary>
    public Dictionary<TimerId, (Instant Local, TimerHandle Handle, long Setting)> Timers { get; } = [];

    /// <summary>Numbers the timer settings of this agent (see <see cref="Timers"/>).</summary>
    public long TimerSettings;

    /// <summary>DCS attempts in flight by request id, with their timeout events.</summary>
    public SortedDictionary<long, TimerHandle> DcsAttempts { get; } = [];

    /// <summary>REST queries in flight by request id (peer status and failsafe posts), with their timeout events.</summary>
    public SortedDictionary<long, (NodeId Peer, bool Failsafe, TimerHandle Timeout)> RestCalls { get; } = [];

    /// <summary>The etcd lease shared by this node's member key and the leader key, once granted.</summary>
    public LeaseId? Lease;

    /// <summary>The watchdog's reset deadline in real time while armed, and the arm's generation (stale expiry events are ignored).</summary>
    public Instant? WatchdogDeadline;
    public Duration WatchdogTimeout;
    public int WatchdogGeneration;
    public TimerHandle WatchdogTimer;

    /// <summary>The long database action running (promote, stop, start, rewind), for its result.</summary>
    public CommandId? Action;
    public int ActionSequence;
    public TimerHandle ActionTimer;

    /// <summary>After a stop: start again read-only following this node (Patroni's demote restarts the database).</summary>
    public bool RestartAfterStop;
    public NodeId? FollowAfterStart;
    public bool StartAsPrimary;
}
