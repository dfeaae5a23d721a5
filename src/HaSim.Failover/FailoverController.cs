using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// Patroni's HA loop (<c>patroni/ha.py</c>, patroni.md section 1) for one database node, as a sans-IO
/// state machine: inputs come in through <see cref="Step"/>, the commands the host must carry out come
/// out through <see cref="TryTakeCommand"/> in order. No clock, randomness, threads or I/O inside.
///
/// A cycle reads the local database (<see cref="QueryDatabase"/>) and the cluster (<see cref="GetCluster"/>),
/// then takes one branch of Patroni's decision table; the row ids (D1, H3, U1, ...) are in the comments.
/// DCS calls are retried by the controller until retry_timeout (<see cref="DcsCall"/>); the host reports
/// each attempt's failure and the controller decides when the DCS counts as unreachable.
///
/// Not modelled: pause, manual switchover/failover keys, bootstrap, pg_rewind, pre_promote,
/// primary_race_backoff (U0), quorum synchronous mode, standby clusters, and cancelling a promote
/// that lost its lock (A2 only reports it; the next cycle demotes as F1).
///
/// Two settings depart from Patroni on purpose, for reproducing bugs and testing checkers, both off
/// by default: <see cref="FailoverSettings.EnforceTimingRule"/> false runs timings that break
/// <c>loop_wait + 2*retry_timeout &lt;= ttl</c>, and <see cref="FailoverSettings.UnsafeDisableFencing"/>
/// (test only) skips every demotion of a primary that lost its key, and the watchdog.
/// </summary>
public sealed class FailoverController : IHaController
{
    private readonly NodeId _self;
    private readonly string _name;
    private readonly FailoverSettings _settings;
    private readonly Queue<ControllerCommand> _commands = new();
    private readonly Instant?[] _timers = new Instant?[Enum.GetValues<TimerId>().Length];

    private WatchdogPolicy? _watchdog;
    private Instant _now;
    private long _lastRequest;
    private long _lastCommand;

    // The cycle in progress: it proceeds once both the database status and the cluster read are in.
    private bool _inCycle;
    private long _cycles;
    private Instant _nextRun;
    private bool _awaitingDatabase;
    private DcsOutcome? _clusterRead;
    private DcsCall? _dcs;
    private PeerProbe<PeerReport?>? _statusProbe;
    private PeerProbe<bool>? _failsafeProbe;

    private DatabaseStatus? _db;
    private DatabaseRole _lastRunningRole = DatabaseRole.Replica;
    private Instant _startingSince;
    private ClusterView? _view;
    private ClusterView? _oldCluster;
    private bool _hasLock;
    private bool _watchdogArmed;
    private (CommandId Id, string Name, bool ReleasesKey)? _action;
    private string? _synchronousStandbyNames;
    private Lsn _namesChangedAt;
    private string _message = "not started";
    private long _finishedCycles;

    public FailoverController(NodeId self, string name, FailoverSettings settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        _self = self;
        _name = name;
        var adjusted = settings.Adjust();
        _settings = adjusted.Settings;
        SettingsWarnings = adjusted.Warnings;
    }

    /// <summary>The settings the controller runs with, after <see cref="FailoverSettings.Adjust"/>.</summary>
    public FailoverSettings Settings => _settings;

    /// <summary>What <see cref="FailoverSettings.Adjust"/> changed, for the host to log.</summary>
    public IReadOnlyList<string> SettingsWarnings { get; }

    public ControllerState State => new(
        _self, _hasLock, _db?.Role ?? DatabaseRole.Stopped, _db?.LastOperation ?? Lsn.Zero, _view, _message,
        _inCycle, _cycles, _nextRun, _action?.Name, _watchdogArmed, _watchdog is { IsHealthy: false }, _synchronousStandbyNames);

    /// <summary>How many HA cycles have ended; each ending sets <see cref="ControllerState.LastMessage"/> (what a host logs, as Patroni logs each cycle's result).</summary>
    public long FinishedCycles => _finishedCycles;

    /// <summary>What the last cycle decided, in Patroni's words (the same as <see cref="ControllerState.LastMessage"/>, without building the state).</summary>
    public string LastMessage => _message;

    public bool TryTakeCommand(out ControllerCommand command) => _commands.TryDequeue(out command!);

    /// <summary>The only way in. <paramref name="now"/> must not go backwards; the first input must be <see cref="Start"/>.</summary>
    public void Step(Instant now, ControllerInput input)
    {
        _now = StepGuard.Admit(_now, now, started: _watchdog is not null, input);
        switch (input)
        {
            case Start start:
                _watchdog = new WatchdogPolicy(_settings, start.WatchdogAvailable);
                _nextRun = now;
                BeginCycle();
                break;
            case TimerFired fired:
                OnTimer(fired.Timer);
                break;
            case LeaderKeyChanged:
                // Ha.watch: only a node that does not hold the lock, runs no long action and saw a
                // leader watches the key; it starts a cycle at once and the loop restarts from now.
                if (!_inCycle && _action is null && !_hasLock && _view?.Leader is not null)
                {
                    CancelTimer(TimerId.Loop);
                    _nextRun = _now;
                    BeginCycle();
                }
                break;
            case DcsResult result:
                OnDcsResult(result);
                break;
            case PeerStatus status:
                if (_statusProbe?.Record(status.Request, status.Peer, status.Report) == true)
                {
                    var probe = _statusProbe;
                    _statusProbe = null;
                    probe.Complete();
                }
                break;
            case FailsafeReply reply:
                if (_failsafeProbe?.Record(reply.Request, reply.Peer, reply.Accepted) == true)
                {
                    var probe = _failsafeProbe;
                    _failsafeProbe = null;
                    probe.Complete();
                }
                break;
            case DatabaseStatus db:
                OnDatabaseStatus(db);
                break;
            case CommandResult done:
                OnCommandResult(done);
                break;
            default:
                throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input));
        }
    }

    // ---- Loop scheduling (Patroni.schedule_next_run) ----

    private void BeginCycle()
    {
        _inCycle = true;
        _cycles++;
        _clusterRead = null;
        _awaitingDatabase = true;
        Emit(new QueryDatabase());
        CallDcs(new GetCluster(), outcome =>
        {
            _clusterRead = outcome;
            RunCycleWhenReady();
        });
    }

    /// <summary>
    /// Ends the cycle: touch the member key (unless the DCS failed, as in <c>_run_cycle</c>'s finally)
    /// and run the next one at previous start + loop_wait, or at once when the cycle overran.
    /// </summary>
    private void FinishCycle(string message, bool touchMember = true)
    {
        _message = message;
        _finishedCycles++;
        if (touchMember && _db is not null)
        {
            var tags = new MemberTags(_settings.NoFailover, _settings.FailoverPriority, _settings.NoSync, _settings.SyncPriority);
            Emit(new DcsRequest(NextRequest(), new TouchMember(new MemberInfo(_self, _name, _db.LastOperation, _db.Timeline, tags))));
        }
        _inCycle = false;
        _nextRun += _settings.LoopWait;
        if (_nextRun <= _now)
        {
            // "Loop time exceeded, rescheduling immediately."
            _nextRun = _now;
            BeginCycle();
            return;
        }
        SetTimer(TimerId.Loop, _nextRun);
    }

    private void OnTimer(TimerId timer)
    {
        if (_timers[(int)timer] is not { } due || due > _now)
        {
            return; // cancelled, moved, or belonging to a call that already completed
        }
        _timers[(int)timer] = null;
        switch (timer)
        {
            case TimerId.Loop:
                if (!_inCycle)
                {
                    BeginCycle();
                }
                break;
            case TimerId.DcsRetry when _dcs is not null:
                _dcs.Reissue(NextRequest());
                Emit(new DcsRequest(_dcs.Attempt, _dcs.Operation));
                break;
            case TimerId.DcsDeadline when _dcs is not null:
                CompleteDcs(new DcsUnavailable($"no success within retry_timeout={_settings.RetryTimeout}"));
                break;
        }
    }

    private void OnDatabaseStatus(DatabaseStatus db)
    {
        if (db.Role == DatabaseRole.Starting && _db?.Role != DatabaseRole.Starting)
        {
            _startingSince = _now;
        }
        if (db.IsRunning)
        {
            _lastRunningRole = db.Role;
        }
        _db = db;
        if (_awaitingDatabase)
        {
            _awaitingDatabase = false;
            RunCycleWhenReady();
        }
    }

    private void OnCommandResult(CommandResult done)
    {
        if (_action is not { } action || action.Id != done.Command)
        {
            return;
        }
        _action = null;
        if (action.ReleasesKey)
        {
            // The database has stopped: only now may the key go (Ha.demote -> release_leader_key_voluntarily).
            Emit(new DcsRequest(NextRequest(), new DeleteLeader()));
            _hasLock = false;
        }
        // Ha.wakeup: a finished action starts a cycle at once.
        if (!_inCycle)
        {
            CancelTimer(TimerId.Loop);
            _nextRun = _now;
            BeginCycle();
        }
    }

    // ---- DCS calls with retry until retry_timeout ----

    private void CallDcs(DcsOperation operation, Action<DcsOutcome> then)
    {
        if (_dcs is not null)
        {
            throw new InvalidOperationException($"DCS call {_dcs.Operation} still in flight");
        }
        var deadline = _now + _settings.RetryTimeout;
        _dcs = new DcsCall(operation, NextRequest(), deadline, then);
        SetTimer(TimerId.DcsDeadline, deadline);
        Emit(new DcsRequest(_dcs.Attempt, operation));
    }

    private void OnDcsResult(DcsResult result)
    {
        if (_dcs is null || result.Request != _dcs.Attempt)
        {
            return; // a late answer to an abandoned attempt, or to a fire-and-forget write
        }
        if (result.Outcome is DcsUnavailable)
        {
            if (_dcs.NextAttempt(_now) is { } retryAt)
            {
                SetTimer(TimerId.DcsRetry, retryAt);
            }
            // Otherwise the deadline timer ends the call.
            return;
        }
        CompleteDcs(result.Outcome);
    }

    private void CompleteDcs(DcsOutcome outcome)
    {
        var call = _dcs!;
        _dcs = null;
        _timers[(int)TimerId.DcsDeadline] = null;
        _timers[(int)TimerId.DcsRetry] = null;
        call.Then(outcome);
    }

    /// <summary>A write whose outcome decides the branch: success, precondition failed, or the DCS unreachable (D1..D4).</summary>
    private void Write(DcsOperation operation, Action<bool> then) =>
        CallDcs(operation, outcome =>
        {
            switch (outcome)
            {
                case WriteResult written:
                    then(written.Ok);
                    break;
                case DcsUnavailable:
                    HandleDcsError();
                    break;
                default:
                    throw new InvalidOperationException($"{operation} answered with {outcome}");
            }
        });

    // ---- The cycle (Ha._run_cycle) ----

    private void RunCycleWhenReady()
    {
        if (_awaitingDatabase || _clusterRead is null)
        {
            return;
        }
        switch (_clusterRead)
        {
            case DcsUnavailable:
                HandleDcsError();
                return;
            case ClusterRead read:
                _view = read.View;
                break;
            default:
                throw new InvalidOperationException($"GetCluster answered with {_clusterRead}");
        }
        if (_view.Leader is not null)
        {
            _oldCluster = _view; // load_cluster_from_dcs keeps the last view that had a leader
        }
        _hasLock = _view.Leader?.Holder == _self;

        var db = _db!;
        if (_action is not null)
        {
            HandleLongActionInProgress();
        }
        else if (db.Role == DatabaseRole.Starting)
        {
            HandleStartingInstance();
        }
        else if (db.Role == DatabaseRole.Stopped)
        {
            Recover();
        }
        else if (_view.Leader is null)
        {
            ProcessUnhealthyCluster();
        }
        else
        {
            ProcessHealthyCluster();
        }
    }

    /// <summary>
    /// <c>_handle_dcs_error</c>: a primary that cannot reach the DCS demotes offline (D1) unless
    /// failsafe mode is on and every /failsafe member accepts it (D2, D3); others just wait (D4).
    /// </summary>
    private void HandleDcsError()
    {
        var demoting = _action is { Name: "demote" }; // demote('offline') is not re-entrant (#3372)
        if (_db is not { Role: DatabaseRole.Primary } || demoting)
        {
            FinishCycle("DCS is not accessible", touchMember: false); // D4
            return;
        }
        if (!_settings.FailsafeMode)
        {
            DemoteOfflineForDcs(); // D1
            return;
        }
        CheckFailsafeTopology(allAccepted =>
        {
            if (!allAccepted)
            {
                DemoteOfflineForDcs(); // D3
                return;
            }
            // D2: keep the local lease, keep the watchdog alive.
            _hasLock = true;
            if (_watchdogArmed)
            {
                Emit(new WatchdogKeepalive());
            }
            FinishCycle("continue to run as a leader because failsafe mode is enabled and all members are accessible", touchMember: false);
        });
    }

    private void DemoteOfflineForDcs()
    {
        if (SkipFencing("demoted self because DCS is not accessible and I was a leader", touchMember: false))
        {
            return;
        }
        DemoteTo(DemoteMode.Offline, follow: null);
        FinishCycle("demoted self because DCS is not accessible and I was a leader", touchMember: false);
    }

    /// <summary><c>check_failsafe_topology</c>: every other member of the last /failsafe must answer POST /failsafe with Accepted.</summary>
    private void CheckFailsafeTopology(Action<bool> then)
    {
        if (_view?.Failsafe is not { } failsafe || !failsafe.Contains(_self))
        {
            then(false);
            return;
        }
        var others = failsafe.Without(_self);
        if (others.IsEmpty)
        {
            then(true);
            return;
        }
        var requests = others.Select(peer => (NextRequest(), peer)).ToList();
        _failsafeProbe = new PeerProbe<bool>(requests, answers => then(answers.All(a => a.Answer)));
        foreach (var (request, peer) in requests)
        {
            Emit(new PostFailsafe(request, peer, FailoverSettings.PeerQueryTimeout));
        }
    }

    /// <summary>A1/A2 (<c>handle_long_action_in_progress</c>): keep the lock fresh while promote, demote or start run.</summary>
    private void HandleLongActionInProgress()
    {
        var name = _action!.Value.Name;
        if (!_hasLock)
        {
            FinishCycle(name == "promote" ? "lost leader before promote" : $"{name} in progress"); // A2
            return;
        }
        UpdateLock(ok => FinishCycle(ok ? $"updated leader lock during {name}" : name == "promote" ? "lost leader before promote" : $"{name} in progress"));
    }

    /// <summary>S1..S4 (<c>handle_starting_instance</c>): a lock holder whose database is still starting.</summary>
    private void HandleStartingInstance()
    {
        if (!_hasLock)
        {
            FinishCycle("waiting for PostgreSQL to start");
            return;
        }
        UpdateLock(ok =>
        {
            if (!ok)
            {
                if (SkipFencing("stopped PostgreSQL while starting up because leader key was lost"))
                {
                    return;
                }
                DemoteTo(DemoteMode.ImmediateNoLock, follow: null); // S1
                FinishCycle("stopped PostgreSQL while starting up because leader key was lost");
                return;
            }
            var elapsed = _now - _startingSince;
            if (elapsed < _settings.PrimaryStartTimeout)
            {
                FinishCycle($"PostgreSQL is still starting up, {_settings.PrimaryStartTimeout - elapsed} until timeout"); // S4
                return;
            }
            IsFailoverPossible(possible =>
            {
                if (possible)
                {
                    DemoteTo(DemoteMode.Immediate, follow: null); // S2: releases the key once stopped
                    FinishCycle("stopped PostgreSQL because of startup timeout");
                }
                else
                {
                    FinishCycle("primary start has timed out, but continuing to wait because failover is not possible"); // S3
                }
            });
        });
    }

    /// <summary>R1..R5 (<c>recover</c>): the database is not running.</summary>
    private void Recover()
    {
        DisarmWatchdog(); // the watchdog is disabled when PostgreSQL is found not running
        if (!_hasLock)
        {
            StartDatabase(asPrimary: false, _view!.Leader?.Holder, "starting as a secondary"); // R5
            return;
        }
        UpdateLock(ok =>
        {
            if (!ok)
            {
                StartDatabase(asPrimary: false, follow: null, "starting as a secondary"); // R5: the lock is gone
                return;
            }
            if (_settings.PrimaryStartTimeout > Duration.Zero)
            {
                StartAfterCrash();
                return;
            }
            IsFailoverPossible(possible =>
            {
                if (possible)
                {
                    DemoteTo(DemoteMode.Immediate, follow: null); // R1: releases the key
                    FinishCycle("stopped PostgreSQL to fail over after a crash");
                }
                else
                {
                    StartAfterCrash();
                }
            });
        });
    }

    private void StartAfterCrash()
    {
        if (_lastRunningRole == DatabaseRole.Primary)
        {
            StartDatabase(asPrimary: true, follow: null, "starting primary after failure"); // R2
        }
        else
        {
            StartDatabase(asPrimary: false, follow: null, "starting as readonly because i had the session lock"); // R4
        }
    }

    /// <summary>H1..H3, F1, F2 (<c>process_healthy_cluster</c>): the leader key exists.</summary>
    private void ProcessHealthyCluster()
    {
        var db = _db!;
        if (_hasLock)
        {
            UpdateLock(ok =>
            {
                if (ok)
                {
                    EnforcePrimaryRole($"no action. I am ({_name}), the leader with the lock", "promoted self to leader because I had the session lock"); // H1, H2
                }
                else if (db.Role == DatabaseRole.Primary)
                {
                    if (SkipFencing("demoted self because failed to update leader lock in DCS"))
                    {
                        return;
                    }
                    DemoteTo(DemoteMode.ImmediateNoLock, follow: null); // H3: no failsafe check here
                    FinishCycle("demoted self because failed to update leader lock in DCS");
                }
                else
                {
                    FinishCycle("not promoting because failed to update leader lock in DCS"); // H3
                }
            });
            return;
        }
        var leader = _view!.Leader!.Holder;
        if (db.Role == DatabaseRole.Primary)
        {
            if (SkipFencing("demoting self because I do not have the lock and I was a leader"))
            {
                return;
            }
            DemoteTo(DemoteMode.ImmediateNoLock, leader); // F1
            FinishCycle("demoting self because I do not have the lock and I was a leader");
            return;
        }
        Follow(leader); // F2
        FinishCycle($"no action. I am ({_name}), a secondary, and following a leader ({NameOf(leader)})");
    }

    /// <summary>U1..U3 (<c>process_unhealthy_cluster</c>): no leader key, so race for it if healthiest.</summary>
    private void ProcessUnhealthyCluster()
    {
        var plan = LeaderRace.Plan(_self, _settings, _db!, _view!, _oldCluster, _watchdog!.IsHealthy);
        if (plan.Decided is not null || plan.Peers.IsEmpty)
        {
            Race(LeaderRace.Judge(plan, _settings, []));
            return;
        }
        QueryPeers(plan.Peers, answers => Race(LeaderRace.Judge(plan, _settings, answers)));
    }

    private void Race(RaceVerdict verdict)
    {
        var isPrimary = _db!.Role == DatabaseRole.Primary;
        if (!verdict.Healthiest)
        {
            // U3
            if (isPrimary)
            {
                if (SkipFencing("demoting self because i am not the healthiest node"))
                {
                    return;
                }
                DemoteTo(DemoteMode.ImmediateNoLock, follow: null);
                FinishCycle("demoting self because i am not the healthiest node");
                return;
            }
            Follow(null);
            FinishCycle(_settings.NeverPromote
                ? "following a different leader because I am not allowed to promote"
                : "following a different leader because i am not the healthiest node");
            return;
        }
        // The atomic create breaks ties between nodes that all judged themselves healthiest.
        Write(new AcquireLeader(_settings.Ttl), acquired =>
        {
            if (acquired)
            {
                _hasLock = true; // U1
                EnforcePrimaryRole("acquired session lock as a leader", "promoted self to leader by acquiring session lock");
                return;
            }
            // U2
            if (isPrimary)
            {
                if (SkipFencing("demoted self after trying and failing to obtain lock"))
                {
                    return;
                }
                DemoteTo(DemoteMode.ImmediateNoLock, follow: null);
                FinishCycle("demoted self after trying and failing to obtain lock");
                return;
            }
            Follow(null);
            FinishCycle("following new leader after trying and failing to obtain lock");
        });
    }

    /// <summary>
    /// <c>enforce_primary_role</c> once the lock is ours: activate the watchdog (W1 if it must and
    /// cannot), then as primary keep /sync in order, or as replica do the /sync pre-promote (Y1) and promote.
    /// </summary>
    private void EnforcePrimaryRole(string primaryMessage, string promoteMessage)
    {
        var isPrimary = _db!.Role == DatabaseRole.Primary;
        if (!ActivateWatchdog())
        {
            if (isPrimary)
            {
                DemoteTo(DemoteMode.Immediate, follow: null); // W1
                FinishCycle("Demoting self because watchdog could not be activated");
            }
            else
            {
                // W1: release_leader_key_voluntarily.
                Emit(new DcsRequest(NextRequest(), new DeleteLeader()));
                _hasLock = false;
                FinishCycle("Not promoting self because watchdog could not be activated");
            }
            return;
        }
        var syncMode = _settings.SynchronousMode == SynchronousMode.On;
        if (isPrimary)
        {
            if (syncMode)
            {
                ProcessSyncReplication(() =>
                {
                    UpdateClusterHistory();
                    FinishCycle(primaryMessage);
                });
            }
            else
            {
                UpdateClusterHistory();
                FinishCycle(primaryMessage);
            }
            return;
        }
        if (!syncMode)
        {
            PromoteSelf(promoteMessage);
            return;
        }
        // Y1 (_process_multisync_prepromote): /sync names me before pg_ctl promote, or no promote.
        var sync = _view!.Sync;
        var standbys = _settings.SynchronousModeStrict && sync is not null ? sync.Members.Without(_self) : NodeSet.Empty;
        Write(new WriteSync(_self, standbys, sync?.Version), written =>
        {
            if (!written)
            {
                FinishCycle("Postponing promotion because synchronous replication state was updated by somebody else");
                return;
            }
            SetSynchronousStandbyNames(standbys);
            PromoteSelf(promoteMessage);
        });
    }

    /// <summary>
    /// <c>update_cluster_history</c>, run by the primary with the lock each cycle (H1): /history must
    /// describe the primary's timeline, so that the cluster timeline it yields is the primary's. On
    /// timeline 1 Patroni only resets a /history that exists (to <c>[]</c>, which reads as timeline 1);
    /// otherwise it rewrites /history whenever its last line is not the parent of the primary's timeline.
    /// Sent once, its reply ignored (<c>set_history_value</c> only logs a failure); the next cycle checks again.
    /// </summary>
    private void UpdateClusterHistory()
    {
        var timeline = _db!.Timeline;
        var stale = _view!.Timeline is { } recorded ? recorded != timeline : timeline > Term.Initial;
        if (stale)
        {
            Emit(new DcsRequest(NextRequest(), new SetHistory(timeline)));
        }
    }

    /// <summary>One step of the /sync protocol per cycle (see <see cref="SyncReplication"/>).</summary>
    private void ProcessSyncReplication(Action then)
    {
        var step = SyncReplication.Plan(_self, _settings, _db!, _view!, _synchronousStandbyNames, _namesChangedAt);
        if (step.SyncWrite is null)
        {
            if (step.Names is not null)
            {
                SetSynchronousStandbyNames(step.Names);
            }
            then();
            return;
        }
        Write(new WriteSync(_self, step.SyncWrite, _view!.Sync?.Version), written =>
        {
            if (!written)
            {
                FinishCycle("Synchronous replication key updated by someone else");
                return;
            }
            if (step.Names is not null)
            {
                SetSynchronousStandbyNames(step.Names);
            }
            then();
        });
    }

    /// <summary><c>is_failover_possible</c>: ask the candidates, then decide.</summary>
    private void IsFailoverPossible(Action<bool> then)
    {
        var peers = FailoverCandidates.Peers(_self, _settings, _view!);
        if (peers.IsEmpty)
        {
            then(false);
            return;
        }
        QueryPeers(peers, answers => then(FailoverCandidates.AnyQualifies(_settings, _view!, answers)));
    }

    // ---- Commands ----

    /// <summary><c>update_lock</c>: CAS the key, publish the optime (and /failsafe); keep the watchdog alive only on success.</summary>
    private void UpdateLock(Action<bool> then)
    {
        var failsafe = _settings.FailsafeMode ? NodeSet.Of(_view!.Members.Select(m => m.Id)).Union(NodeSet.Of(_self)) : null;
        Write(new UpdateLeader(_settings.Ttl, _db!.LastOperation, failsafe), ok =>
        {
            _hasLock = ok;
            if (ok && _watchdogArmed)
            {
                Emit(new WatchdogKeepalive());
            }
            then(ok);
        });
    }

    private void QueryPeers(NodeSet peers, Action<IReadOnlyList<(NodeId Peer, PeerReport? Answer)>> then)
    {
        var requests = peers.Select(peer => (NextRequest(), peer)).ToList();
        _statusProbe = new PeerProbe<PeerReport?>(requests, then);
        foreach (var (request, peer) in requests)
        {
            Emit(new QueryPeer(request, peer, FailoverSettings.PeerQueryTimeout));
        }
    }

    /// <summary>Watchdog.activate: false only when it is required and cannot be activated.</summary>
    private bool ActivateWatchdog()
    {
        var watchdog = _watchdog!;
        if (watchdog.Mode == WatchdogMode.Off || !watchdog.CanActivate)
        {
            return watchdog.IsHealthy;
        }
        if (!_watchdogArmed)
        {
            Emit(new WatchdogArm(watchdog.Timeout));
            _watchdogArmed = true;
        }
        return true;
    }

    private void DisarmWatchdog()
    {
        if (_watchdogArmed)
        {
            Emit(new WatchdogDisarm());
            _watchdogArmed = false;
        }
    }

    /// <summary>
    /// TEST ONLY (<see cref="FailoverSettings.UnsafeDisableFencing"/>): instead of the demotion Patroni
    /// would make (<paramref name="patroniMessage"/>), end the cycle still primary. False, and nothing
    /// done, with the switch off.
    /// </summary>
    private bool SkipFencing(string patroniMessage, bool touchMember = true)
    {
        if (!_settings.UnsafeDisableFencing)
        {
            return false;
        }
        FinishCycle($"unsafe_disable_fencing: still primary, not fencing ({patroniMessage})", touchMember);
        return true;
    }

    /// <summary>Ha.demote: the watchdog is disabled at the stop's safepoint; releasing modes delete the key once stopped.</summary>
    private void DemoteTo(DemoteMode mode, NodeId? follow)
    {
        DisarmWatchdog();
        var id = NextCommand();
        var releases = mode is DemoteMode.Immediate or DemoteMode.Graceful;
        _action = (id, "demote", releases);
        if (!releases)
        {
            _hasLock = false;
        }
        Emit(new Demote(id, mode, follow));
    }

    private void PromoteSelf(string message)
    {
        var id = NextCommand();
        _action = (id, "promote", false);
        Emit(new Promote(id));
        FinishCycle(message);
    }

    private void StartDatabase(bool asPrimary, NodeId? follow, string message)
    {
        var id = NextCommand();
        _action = (id, "start", false);
        Emit(new StartDatabase(id, asPrimary, follow));
        FinishCycle(message);
    }

    /// <summary><c>follow</c>: change primary_conninfo only when it names someone else.</summary>
    private void Follow(NodeId? leader)
    {
        if (_db!.Following != leader)
        {
            Emit(new FollowLeader(leader));
        }
    }

    private void SetSynchronousStandbyNames(NodeSet standbys)
    {
        var text = SyncReplication.Text(_settings, standbys, _view!);
        if (text == _synchronousStandbyNames)
        {
            return;
        }
        _synchronousStandbyNames = text;
        _namesChangedAt = _db!.LastOperation;
        Emit(new SetSynchronousStandbyNames(standbys, text));
    }

    private void SetTimer(TimerId timer, Instant at)
    {
        _timers[(int)timer] = at;
        Emit(new SetTimer(timer, at));
    }

    private void CancelTimer(TimerId timer)
    {
        if (_timers[(int)timer] is not null)
        {
            _timers[(int)timer] = null;
            Emit(new CancelTimer(timer));
        }
    }

    private string NameOf(NodeId id) => _view?.NameOf(id) ?? id.ToString();

    private RequestId NextRequest() => new(++_lastRequest);

    private CommandId NextCommand() => new(++_lastCommand);

    private void Emit(ControllerCommand command) => _commands.Enqueue(command);
}
