using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// Settings of <see cref="NaiveFailoverScript"/> (a model's <c>failover.agent: naive-script</c>).
/// </summary>
public sealed record NaiveScriptSettings
{
    /// <summary>How often the script pings every other node (<c>heartbeat_interval</c>); each ping waits at most this long.</summary>
    public Duration HeartbeatInterval { get; init; } = Duration.FromSeconds(1);

    /// <summary>How long a standby goes without hearing from its primary before it promotes (<c>heartbeat_timeout</c>).</summary>
    public Duration HeartbeatTimeout { get; init; } = Duration.FromSeconds(10);

    /// <summary>Never promote (the node's <c>nofailover</c> tag).</summary>
    public bool NoFailover { get; init; }

    /// <summary>Rank among the standbys, higher first, then node order (the node's <c>failover_priority</c> tag); 0 never promotes.</summary>
    public int FailoverPriority { get; init; } = 1;

    /// <summary>Every problem with these settings, one readable line each; empty when they are valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (HeartbeatInterval <= Duration.Zero)
        {
            errors.Add($"heartbeat_interval must be positive (got {HeartbeatInterval})");
        }
        if (HeartbeatTimeout < HeartbeatInterval)
        {
            errors.Add($"heartbeat_timeout ({HeartbeatTimeout}) must be at least heartbeat_interval ({HeartbeatInterval}): silence is only noticed at a heartbeat");
        }
        return errors;
    }

    internal bool NeverPromote => NoFailover || FailoverPriority <= 0;
}

/// <summary>
/// The classic hand-rolled failover script, as a sans-IO state machine with the same inputs and
/// commands as <see cref="FailoverController"/>: a deliberate, opt-in departure from Patroni that
/// shows what a DCS lease and fencing are for. No DCS, no quorum, no fencing:
/// <list type="bullet">
/// <item>Every <see cref="NaiveScriptSettings.HeartbeatInterval"/> the script reads its database and
/// pings every other node's agent (<see cref="QueryPeer"/>, waiting at most one interval).</item>
/// <item>A standby that hears its primary answer as primary is content. One that hears another node
/// answer as primary follows it (the newest timeline first, then node order).</item>
/// <item>A standby that has heard no primary for <see cref="NaiveScriptSettings.HeartbeatTimeout"/>
/// promotes its own database, unless a standby that outranks it (higher failover_priority, then
/// lower node id) answered its last ping: that one is expected to promote.</item>
/// <item>A primary's script never demotes it, whatever it hears. A stopped database is started as a
/// standby of whichever node answers as primary (of nobody if none does).</item>
/// </list>
/// So a primary cut off from its standbys, but not from its clients, keeps accepting writes while a
/// standby promotes: two primaries, until someone intervenes.
/// </summary>
public sealed class NaiveFailoverScript : IHaController
{
    private readonly NodeId _self;
    private readonly string _name;
    private readonly NaiveScriptSettings _settings;
    private readonly NodeId[] _peers;
    private readonly Queue<ControllerCommand> _commands = new();

    private bool _started;
    private Instant _now;
    private long _lastRequest;
    private long _lastCommand;
    private Instant? _timerDue;

    // The heartbeat in progress: it is judged once the database status and every ping's answer (or timeout) are in.
    private bool _inTick;
    private long _ticks;
    private Instant _tickStart;
    private Instant _nextTick;
    private bool _awaitingDatabase;
    private readonly List<RequestId> _waiting = [];
    private readonly List<(NodeId Peer, PeerReport? Report)> _answers = [];

    private DatabaseStatus? _db;
    private NodeId? _primary;
    private Instant _lastHeard;
    private (CommandId Id, string Name)? _action;
    private string _message = "not started";

    /// <param name="peers">The other database nodes, pinged in this order.</param>
    public NaiveFailoverScript(NodeId self, string name, NaiveScriptSettings settings, IReadOnlyList<NodeId> peers)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(peers);
        if (settings.Errors() is [var error, ..])
        {
            throw new ArgumentException(error, nameof(settings));
        }
        if (peers.Contains(self) || peers.Distinct().Count() != peers.Count)
        {
            throw new ArgumentException("peers must be distinct and must not include the node itself", nameof(peers));
        }
        _self = self;
        _name = name;
        _settings = settings;
        _peers = [.. peers];
    }

    public NaiveScriptSettings Settings => _settings;

    /// <summary>None: the script takes its settings as given.</summary>
    public IReadOnlyList<string> SettingsWarnings { get; } = [];

    /// <summary>
    /// The script holds no lock: <see cref="ControllerState.HasLock"/> says whether it believes its node
    /// is the primary (its database last answered as one), which is what its <c>/primary</c> reports.
    /// </summary>
    public ControllerState State => new(
        _self, _db?.Role == DatabaseRole.Primary, _db?.Role ?? DatabaseRole.Stopped, _db?.LastOperation ?? Lsn.Zero, null, _message,
        _inTick, _ticks, _nextTick, _action?.Name, WatchdogArmed: false, WatchdogFailed: false, SynchronousStandbyNames: null);

    /// <summary>How many ticks have ended, each with its <see cref="LastMessage"/>.</summary>
    public long FinishedCycles { get; private set; }

    public string LastMessage => _message;

    public bool TryTakeCommand(out ControllerCommand command) => _commands.TryDequeue(out command!);

    public void Step(Instant now, ControllerInput input)
    {
        _now = StepGuard.Admit(_now, now, _started, input);
        switch (input)
        {
            case Start:
                _started = true;
                _lastHeard = now; // a fresh script gives its primary a full heartbeat_timeout
                _nextTick = now;
                BeginTick();
                break;
            case TimerFired { Timer: TimerId.Loop }:
                if (_timerDue is { } due && due <= _now)
                {
                    _timerDue = null;
                    if (!_inTick)
                    {
                        BeginTick();
                    }
                }
                break;
            case PeerStatus status:
                if (_inTick && _waiting.Remove(status.Request))
                {
                    _answers.Add((status.Peer, status.Report));
                    FinishTickWhenReady();
                }
                break;
            case DatabaseStatus db:
                _db = db;
                if (_awaitingDatabase)
                {
                    _awaitingDatabase = false;
                    FinishTickWhenReady();
                }
                break;
            case CommandResult done:
                if (_action is { } action && action.Id == done.Command)
                {
                    _action = null;
                    if (action.Name == "promote" && done.Ok)
                    {
                        _primary = _self;
                    }
                }
                break;
            case TimerFired or LeaderKeyChanged or DcsResult or FailsafeReply:
                break; // no DCS, no failsafe, no other timers: nothing asked for these
            default:
                throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input));
        }
    }

    private void BeginTick()
    {
        _inTick = true;
        _ticks++;
        _tickStart = _now;
        _answers.Clear();
        _waiting.Clear();
        _awaitingDatabase = true;
        Emit(new QueryDatabase());
        foreach (var peer in _peers)
        {
            var request = new RequestId(++_lastRequest);
            _waiting.Add(request);
            Emit(new QueryPeer(request, peer, _settings.HeartbeatInterval));
        }
    }

    private void FinishTickWhenReady()
    {
        if (!_inTick || _awaitingDatabase || _waiting.Count > 0)
        {
            return;
        }
        _inTick = false;
        Decide();
        FinishedCycles++;
        _nextTick = _tickStart + _settings.HeartbeatInterval;
        if (_nextTick <= _now)
        {
            _nextTick = _now;
            BeginTick();
            return;
        }
        _timerDue = _nextTick;
        Emit(new SetTimer(TimerId.Loop, _nextTick));
    }

    private void Decide()
    {
        var db = _db!;
        if (_action is { } action)
        {
            _message = $"{action.Name} in progress";
            return;
        }
        var primaries = _answers.Where(a => a.Report is { IsPrimary: true }).ToList();
        switch (db.Role)
        {
            case DatabaseRole.Primary:
                _primary = _self;
                _message = primaries.Count == 0
                    ? $"I ({_name}) am the primary"
                    : $"I ({_name}) am the primary, and so says {string.Join(", ", primaries.Select(p => p.Peer))}: the script never demotes";
                return;
            case DatabaseRole.Starting:
                _message = "waiting for PostgreSQL to start";
                return;
            case DatabaseRole.Stopped:
                StartAsStandby(Newest(primaries));
                return;
        }

        // A standby.
        _primary ??= db.Following;
        if (_primary is { } current && primaries.Any(p => p.Peer == current))
        {
            _lastHeard = _now;
            FollowIfNeeded(db, current);
            _message = $"following {current}";
            return;
        }
        if (Newest(primaries) is { } other)
        {
            _primary = other;
            _lastHeard = _now;
            FollowIfNeeded(db, other);
            _message = $"following {other}, the primary that answers";
            return;
        }
        var quiet = _now - _lastHeard;
        // Whole seconds, as a script would log them (the exact silence is in the trace).
        var silence = Duration.FromSeconds(quiet.Nanoseconds / Duration.NanosPerSecond);
        if (quiet < _settings.HeartbeatTimeout)
        {
            _message = $"no primary heard for {silence}";
            return;
        }
        if (_settings.NeverPromote)
        {
            _message = $"no primary heard for {silence}, but not allowed to promote";
            return;
        }
        if (Outranking() is { } better)
        {
            _message = $"no primary heard for {silence}; {better} ranks first and should promote";
            return;
        }
        var promote = new CommandId(++_lastCommand);
        _action = (promote, "promote");
        Emit(new Promote(promote));
        _message = $"promoting: no primary heard for {silence} (heartbeat_timeout {_settings.HeartbeatTimeout})";
    }

    /// <summary>Starts the stopped database read-only, following <paramref name="leader"/> (nobody when null).</summary>
    private void StartAsStandby(NodeId? leader)
    {
        if (leader is not null)
        {
            _primary = leader;
            _lastHeard = _now;
        }
        var id = new CommandId(++_lastCommand);
        _action = (id, "start");
        Emit(new StartDatabase(id, AsPrimary: false, leader));
        _message = leader is { } l ? $"starting as a standby of {l}" : "starting as a standby of nobody: no node answers as primary";
    }

    /// <summary>The primary to follow among those that answered: the newest timeline, then the lowest node id.</summary>
    private static NodeId? Newest(List<(NodeId Peer, PeerReport? Report)> primaries) =>
        primaries.Count == 0
            ? null
            : primaries.OrderByDescending(p => p.Report!.Timeline.Value).ThenBy(p => p.Peer.Value).First().Peer;

    /// <summary>A standby that answered and ranks before this one: higher failover_priority, then lower node id.</summary>
    private NodeId? Outranking()
    {
        foreach (var (peer, report) in _answers.OrderBy(a => a.Peer.Value))
        {
            if (report is not { IsPrimary: false, NoFailover: false } || report.FailoverPriority <= 0)
            {
                continue;
            }
            if (report.FailoverPriority > _settings.FailoverPriority
                || (report.FailoverPriority == _settings.FailoverPriority && peer.Value < _self.Value))
            {
                return peer;
            }
        }
        return null;
    }

    private void FollowIfNeeded(DatabaseStatus db, NodeId leader)
    {
        if (db.Following != leader)
        {
            Emit(new FollowLeader(leader));
        }
    }

    private void Emit(ControllerCommand command) => _commands.Enqueue(command);
}
