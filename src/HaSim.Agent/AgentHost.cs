using System.Globalization;
using System.Threading.Channels;
using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent;

/// <summary>
/// The production host of <see cref="FailoverController"/>: the same controller the simulator
/// hosts, fed from the real world. One loop owns the controller and steps it with one input at
/// a time, in arrival order, with the time read from a <see cref="TimeProvider"/> (monotonic:
/// nanoseconds since the agent started). Every command it gives is carried out by a task that
/// posts its answer back to the loop as the next input: DCS operations against etcd
/// (<see cref="EtcdDcs"/>), peer status probes over HTTP (<see cref="PeerClient"/>), the local
/// PostgreSQL (<see cref="PostgresNode"/>), timers. A watch on the leader key turns its
/// deletion or expiry into <see cref="LeaderKeyChanged"/>, as the simulator's etcd notifies
/// its agents. The mapping of each command mirrors the simulator's host
/// (ClusterSimulation.Agents, .Database and .DcsHost in HaSim.Model).
/// </summary>
public sealed class AgentHost : IDisposable
{
    private readonly AgentConfig _config;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly long _startTimestamp;
    private readonly Channel<ControllerInput> _inbox = Channel.CreateUnbounded<ControllerInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FailoverController _controller;
    private readonly DcsLayout _layout;
    private readonly EtcdClient _etcd;
    private readonly EtcdDcs _dcs;
    private readonly PeerClient _peers = new();
    private readonly PostgresNode _postgres;
    private readonly SemaphoreSlim _databaseGate = new(1, 1);
    private readonly CancellationTokenSource?[] _timers = new CancellationTokenSource?[Enum.GetValues<TimerId>().Length];
    private readonly MemberTags _tags;

    private volatile ControllerState? _state;
    private volatile bool _startInProgress;
    private long _lastTimeline = 1;
    private string _lastMessage = "";
    private CancellationToken _stopping;

    // HASIM_AGENT_VERBOSE=1 logs every input the controller gets and every command it gives.
    private readonly bool _verbose = Environment.GetEnvironmentVariable("HASIM_AGENT_VERBOSE") == "1";

    public AgentHost(AgentConfig config, TimeProvider time, Action<string> log)
    {
        _config = config;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _log = line => log($"{time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {config.Name}: {line}");
        _controller = new FailoverController(config.Self, config.Name, config.Settings);
        _layout = new DcsLayout(config.Scope, config.MemberNames);
        _etcd = new EtcdClient(config.Etcd.Hosts);
        _dcs = new EtcdDcs(_etcd, _layout, config.Self, _controller.Settings.Ttl, config.Etcd.RequestTimeout);
        _postgres = new PostgresNode(config, _log);
        var s = config.Settings;
        _tags = new MemberTags(s.NoFailover, s.FailoverPriority, s.NoSync, s.SyncPriority);
    }

    /// <summary>The settings the controller runs with (after Patroni's adjustments).</summary>
    public FailoverSettings Settings => _controller.Settings;

    /// <summary>Monotonic time since the agent started, the controller's clock.</summary>
    public Instant Now => new(_time.GetElapsedTime(_startTimestamp).Ticks * 100);

    /// <summary>Runs until <paramref name="ct"/> is cancelled: the REST API, the leader-key watch and the HA loop.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _stopping = ct;
        foreach (var warning in _controller.SettingsWarnings)
        {
            _log("settings: " + warning);
        }
        var s = _controller.Settings;
        _log($"starting: scope {_config.Scope}, ttl={s.Ttl} loop_wait={s.LoopWait} retry_timeout={s.RetryTimeout} synchronous_mode={s.SynchronousMode.ToString().ToLowerInvariant()}, etcd {string.Join(",", _config.Etcd.Hosts)}, REST API {_config.RestApiListen}");
        using var server = new StatusHttpServer(_config.RestApiListen, StatusAsync, _log);
        server.Start();
        var serving = server.RunAsync(ct);
        var watching = WatchLeaderKeyAsync(ct);
        // No watchdog device is driven by this host (see AgentConfigReader).
        Post(new Start(WatchdogAvailable: false));
        try
        {
            await foreach (var input in _inbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                Step(input);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        foreach (var timer in _timers)
        {
            timer?.Cancel();
        }
        await Task.WhenAll(Quietly(serving), Quietly(watching)).ConfigureAwait(false);
        _log("stopped (PostgreSQL is left as it is; the leader key, if held, expires after ttl)");
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Post(ControllerInput input) => _inbox.Writer.TryWrite(input);

    private void Step(ControllerInput input)
    {
        var now = Now;
        if (_verbose)
        {
            _log($"T+{now.SinceStart} <- {input}");
        }
        _controller.Step(now, input);
        while (_controller.TryTakeCommand(out var command))
        {
            if (_verbose)
            {
                _log($"T+{now.SinceStart} -> {command}");
            }
            Execute(command);
        }
        var state = _controller.State;
        _state = state;
        if (state.LastMessage != _lastMessage)
        {
            _lastMessage = state.LastMessage;
            _log(state.LastMessage);
        }
    }

    private void Execute(ControllerCommand command)
    {
        var ct = _stopping;
        switch (command)
        {
            case DcsRequest request:
                Spawn(async () => Post(new DcsResult(request.Request, await _dcs.ExecuteAsync(request.Operation, ct).ConfigureAwait(false))),
                    e => Post(new DcsResult(request.Request, new DcsUnavailable(e.Message))));
                break;
            case QueryPeer query:
                Spawn(async () => Post(new PeerStatus(query.Request, query.Peer, await _peers.QueryAsync(_config.Member(query.Peer), query.Timeout, ct).ConfigureAwait(false))),
                    _ => Post(new PeerStatus(query.Request, query.Peer, null)));
                break;
            case PostFailsafe post:
                Spawn(async () => Post(new FailsafeReply(post.Request, post.Peer, await _peers.PostFailsafeAsync(_config.Member(post.Peer), post.Timeout, ct).ConfigureAwait(false))),
                    _ => Post(new FailsafeReply(post.Request, post.Peer, false)));
                break;
            case QueryDatabase:
                Spawn(async () => Post(await DatabaseStatusAsync(ct).ConfigureAwait(false)),
                    _ => Post(DatabaseStatus.Stopped(new Term(Interlocked.Read(ref _lastTimeline)))));
                break;
            case Promote promote:
                _log("promote (pg_ctl promote)");
                DatabaseAction(async () => Post(new CommandResult(promote.Command, await PromoteAsync(ct).ConfigureAwait(false))),
                    () => Post(new CommandResult(promote.Command, false)));
                break;
            case Demote demote:
                _log($"demote ({demote.Mode}), then follow {NameOf(demote.Follow)}");
                DatabaseAction(async () =>
                {
                    var immediate = demote.Mode is DemoteMode.Immediate or DemoteMode.ImmediateNoLock;
                    _startInProgress = true;
                    try
                    {
                        var stopped = await _postgres.StopAsync(immediate, ct).ConfigureAwait(false);
                        Post(new CommandResult(demote.Command, stopped));
                        if (stopped)
                        {
                            // As the simulator's host: once stopped, it starts again read-only, following the new leader if known.
                            await StartAsReplicaAsync(demote.Follow, ct).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        _startInProgress = false;
                    }
                }, () => Post(new CommandResult(demote.Command, false)));
                break;
            case StartDatabase start:
                _log(start.AsPrimary ? "start as primary" : $"start as a standby following {NameOf(start.Follow)}");
                DatabaseAction(async () =>
                {
                    _startInProgress = true;
                    try
                    {
                        var ok = start.AsPrimary
                            ? await _postgres.StartAsync(asPrimary: true, follow: null, ct).ConfigureAwait(false)
                            : await StartAsReplicaAsync(start.Follow, ct).ConfigureAwait(false);
                        Post(new CommandResult(start.Command, ok));
                    }
                    finally
                    {
                        _startInProgress = false;
                    }
                }, () => Post(new CommandResult(start.Command, false)));
                break;
            case FollowLeader follow:
                _log($"follow {NameOf(follow.Leader)} (primary_conninfo)");
                DatabaseAction(() => FollowAsync(follow.Leader, ct), () => { });
                break;
            case SetSynchronousStandbyNames names:
                _log($"synchronous_standby_names = '{names.Text}'");
                DatabaseAction(() => _postgres.SetSynchronousStandbyNamesAsync(names.Text, ct), () => { });
                break;
            case WatchdogArm or WatchdogKeepalive or WatchdogDisarm:
                break; // never asked: Start said there is no watchdog device
            case SetTimer timer:
                SetTimer(timer.Timer, timer.At);
                break;
            case CancelTimer cancel:
                if (Interlocked.Exchange(ref _timers[(int)cancel.Timer], null) is { } cancelled)
                {
                    cancelled.Cancel();
                    cancelled.Dispose();
                }
                break;
            default:
                throw new InvalidOperationException($"unknown controller command {command}");
        }
    }

    /// <summary>Runs an I/O task; an unexpected failure is logged and answered by <paramref name="onFailure"/>, so the controller never waits forever.</summary>
    private void Spawn(Func<Task> work, Action<Exception> onFailure) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _log("error: " + e.Message);
                onFailure(e);
            }
        });

    /// <summary>Database actions run one at a time, in the order the controller gave them.</summary>
    private void DatabaseAction(Func<Task> work, Action onFailure) =>
        Spawn(async () =>
        {
            await _databaseGate.WaitAsync(_stopping).ConfigureAwait(false);
            try
            {
                await work().ConfigureAwait(false);
            }
            finally
            {
                _databaseGate.Release();
            }
        }, _ => onFailure());

    private void SetTimer(TimerId timer, Instant at)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        if (Interlocked.Exchange(ref _timers[(int)timer], cts) is { } old)
        {
            old.Cancel();
            old.Dispose();
        }
        var token = cts.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                // The controller ignores a timer that fires before its time: wait until the clock has reached it.
                while (Now < at)
                {
                    var left = at - Now;
                    await Task.Delay(TimeSpan.FromTicks(Math.Max(1, left.Nanoseconds / 100) + 1), _time, token).ConfigureAwait(false);
                }
                if (!token.IsCancellationRequested)
                {
                    Post(new TimerFired(timer));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The local database as the controller reads it (the simulator's DatabaseStatusOf).</summary>
    private async Task<DatabaseStatus> DatabaseStatusAsync(CancellationToken ct)
    {
        var (state, status, _) = await _postgres.QueryAsync(ct).ConfigureAwait(false);
        var timeline = new Term(Interlocked.Read(ref _lastTimeline));
        if (state != PostgresState.Running || status is null)
        {
            return state == PostgresState.Starting || _startInProgress ? DatabaseStatus.Starting(timeline) : DatabaseStatus.Stopped(timeline);
        }
        if (status.Timeline > 0)
        {
            Interlocked.Exchange(ref _lastTimeline, status.Timeline);
            timeline = new Term(status.Timeline);
        }
        if (!status.InRecovery)
        {
            var standbys = new List<StandbyReplication>();
            foreach (var row in status.Standbys)
            {
                var index = IndexOf(row.ApplicationName);
                if (index >= 0)
                {
                    standbys.Add(new StandbyReplication(new NodeId(index), row.Flush, row.SyncState == "sync"));
                }
            }
            return DatabaseStatus.Primary(status.Write, timeline, standbys);
        }
        var upstream = _postgres.Upstream(status.PrimaryConninfo);
        NodeId? following = upstream is null ? null : new NodeId(IndexOf(upstream.Name));
        return new DatabaseStatus(DatabaseRole.Replica, Lsn.Zero, Lsn.Max(status.Receive, status.Replay), status.Replay, timeline, following);
    }

    private async Task<bool> PromoteAsync(CancellationToken ct)
    {
        var (state, status, _) = await _postgres.QueryAsync(ct).ConfigureAwait(false);
        if (state == PostgresState.Running && status is { InRecovery: false })
        {
            return true; // already a primary
        }
        return await _postgres.PromoteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the stopped database read-only, streaming from <paramref name="leader"/>. A former
    /// primary (its data directory has no standby.signal) is first rewound from the leader, so that
    /// its WAL is a prefix of the new timeline; the simulator's host does the same when a
    /// standby's history has diverged.
    /// </summary>
    private async Task<bool> StartAsReplicaAsync(NodeId? leader, CancellationToken ct)
    {
        var follow = leader is { } id && id != _config.Self ? _config.Member(id) : null;
        if (follow is not null && _config.Postgres.UsePgRewind && !_postgres.HasStandbySignal && !_postgres.IsPostmasterAlive())
        {
            _log($"running pg_rewind from {follow.Name}");
            if (!await _postgres.RewindAsync(follow, ct).ConfigureAwait(false))
            {
                _log("pg_rewind failed; starting anyway");
            }
        }
        return await _postgres.StartAsync(asPrimary: false, follow, ct).ConfigureAwait(false);
    }

    private async Task FollowAsync(NodeId? leader, CancellationToken ct)
    {
        var follow = leader is { } id && id != _config.Self ? _config.Member(id) : null;
        if (_postgres.IsPostmasterAlive())
        {
            await _postgres.FollowAsync(follow, ct).ConfigureAwait(false);
            return;
        }
        // Stopped: the next start reads it from postgresql.auto.conf.
        await _postgres.SetAutoConfAsync(new Dictionary<string, string?> { ["primary_conninfo"] = follow is null ? "" : _postgres.PrimaryConninfo(follow) }, ct).ConfigureAwait(false);
    }

    /// <summary>Turns deletions and expiries of the leader key into <see cref="LeaderKeyChanged"/> (Patroni's etcd3 watch).</summary>
    private async Task WatchLeaderKeyAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _etcd.WatchAsync(_layout.LeaderKey, ct).ConfigureAwait(false))
                {
                    if (e.IsDelete)
                    {
                        Post(new LeaderKeyChanged());
                    }
                }
            }
            catch (EtcdUnavailableException)
            {
                _etcd.MoveToNextMember();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>What the REST API reports: PostgreSQL asked live, the controller's state as of its last input.</summary>
    private async Task<NodeStatus> StatusAsync(CancellationToken ct)
    {
        var (state, status, _) = await _postgres.QueryAsync(ct).ConfigureAwait(false);
        var controller = _state;
        return new NodeStatus(
            _config.Name,
            state,
            status is { InRecovery: false },
            status?.Timeline ?? Interlocked.Read(ref _lastTimeline),
            status?.Write ?? Lsn.Zero,
            status?.Receive ?? Lsn.Zero,
            status?.Replay ?? Lsn.Zero,
            controller?.HasLock ?? false,
            controller?.LastMessage ?? "starting",
            controller?.Cycles ?? 0,
            _tags,
            controller?.WatchdogFailed ?? false);
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _config.Members.Count; i++)
        {
            if (_config.Members[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    private string NameOf(NodeId? id) => id is { } n ? _config.Member(n).Name : "nobody";

    public void Dispose()
    {
        _etcd.Dispose();
        _peers.Dispose();
        _databaseGate.Dispose();
    }
}
