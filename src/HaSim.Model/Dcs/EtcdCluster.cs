using System.Diagnostics.CodeAnalysis;
using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// The store and the raft view together, keeping the rules that tie them: a write commits only through
/// a serving leader, leases end only while one serves (etcd's lessor runs on the leader and revokes
/// through raft), a new leader renews every lease (<see cref="DcsStore.RefreshAllLeases"/>), a
/// member that is not current answers serializable reads from the copy it had when it fell behind,
/// and a restarted member answers nothing until it is ready (<see cref="IsReady"/>).
/// </summary>
/// <remarks>
/// <para>The host owns time and latency: it routes a request when it reaches a member
/// (<see cref="TryRoute"/>), samples the forwarding and quorum round trips from the plan, and commits it
/// then (<see cref="TryCommit"/>). It reports crashes, restarts and network changes, wakes at
/// <see cref="NextWakeUp"/> to call <see cref="Advance"/>, and drains <see cref="DcsStore.DrainEvents"/>
/// after each call to feed watches. Members that are current serve the leader's state with no apply
/// lag: a follower's apply delay (sub-millisecond) is not modelled.</para>
/// <para><b>Catching up.</b> A member that missed entries (it was down, or cut off from the leader)
/// and can hear a serving leader again holds every committed entry one heartbeat interval later: the
/// leader sends what is missing in answer to the member's next heartbeat response (see
/// <see cref="RaftSettings"/>). Until then it still answers from its old copy. A member that missed
/// nothing (its copy is at the store's revision, as after an election with no commit in between)
/// is current at once: the new leader's entries reach it in the normal flow.</para>
/// <para><b>Readiness.</b> A restarted member serves no client until it has rejoined the cluster
/// through raft, which it does once it has caught up (etcd publishes the member through a raft
/// proposal and serves the client port once that is applied), or until
/// <see cref="RaftSettings.WaitClusterReadyTimeout"/> has passed since the restart (etcd 3.6), after
/// which it answers serializable reads from its copy even without a leader. The proposal's own
/// commit round trip (about a millisecond) is not modelled. A member that is only cut off stays
/// ready: it serves stale serializable reads for as long as the partition lasts, as etcd does.</para>
/// </remarks>
public sealed class EtcdCluster
{
    private readonly RaftSettings _settings;
    private readonly DcsSnapshot?[] _staleCopy;
    // A member behind that hears a serving leader: when it will hold every committed entry.
    private readonly Instant?[] _catchUpAt;
    // Whether a member serves clients: false from a restart until it is ready.
    private readonly bool[] _ready;
    // A restarted member not yet ready: when it serves anyway (etcd 3.6's wait-cluster-ready-timeout).
    private readonly Instant?[] _readyDeadline;
    private long _leasesRenewedForTerm;
    private Instant _clock;

    public EtcdCluster(IReadOnlyList<DcsMember> members, RaftSettings settings, Func<int, int, bool> reachable, Instant start)
    {
        _settings = settings;
        Store = new DcsStore();
        Membership = new DcsMembership(members, settings, reachable, start);
        _staleCopy = new DcsSnapshot?[members.Count];
        _catchUpAt = new Instant?[members.Count];
        _ready = Enumerable.Repeat(true, members.Count).ToArray();
        _readyDeadline = new Instant?[members.Count];
        _clock = start;
        _leasesRenewedForTerm = Membership.Term; // the cluster formed before the run: no lease to renew
        Sync(start);
    }

    /// <summary>The replicated state, for reads (<see cref="DcsStore.Snapshot"/>, <see cref="DcsStore.ExpiryOf"/>) and
    /// <see cref="DcsStore.DrainEvents"/>; change it only through this class, which keeps the rules above.</summary>
    public DcsStore Store { get; }

    public DcsMembership Membership { get; }

    /// <summary>
    /// When the host must call <see cref="Advance"/>: an election ends, (while a leader serves) a lease
    /// expires, or a restarted member becomes ready (it caught up, or its wait for the cluster ended).
    /// </summary>
    public Instant? NextWakeUp
    {
        get
        {
            Instant? next = Membership.NextElectionAt ?? (Membership.LeaderAt(_clock) is null ? null : Store.NextExpiry);
            for (var m = 0; m < _ready.Length; m++)
            {
                if (!_ready[m] && Membership.IsUp(m))
                {
                    next = Earliest(next, _catchUpAt[m]);
                    next = Earliest(next, _readyDeadline[m]);
                }
            }
            return next;
        }
    }

    private static Instant? Earliest(Instant? a, Instant? b) => a is { } x && b is { } y ? Instant.Min(x, y) : a ?? b;

    public Instant? Crash(Instant now, int member)
    {
        Advance(now);
        Membership.Crash(now, member);
        Sync(now);
        return NextWakeUp;
    }

    /// <summary>
    /// The member comes back with what it had on disk, and serves no client until it is ready
    /// (<see cref="IsReady"/>).
    /// </summary>
    public Instant? Restart(Instant now, int member)
    {
        Advance(now);
        Membership.Restart(now, member);
        _ready[member] = false;
        _readyDeadline[member] = _settings.WaitClusterReadyTimeout is { } wait ? now + wait : null;
        Sync(now);
        return NextWakeUp;
    }

    /// <summary>
    /// Whether <paramref name="member"/> is up and serves clients: always, unless it restarted and has
    /// neither caught up with a serving leader nor waited out <see cref="RaftSettings.WaitClusterReadyTimeout"/>.
    /// A member that is not ready leaves requests unanswered (etcd has not started serving its client port).
    /// </summary>
    public bool IsReady(Instant now, int member)
    {
        Advance(now);
        return Membership.IsUp(member) && _ready[member];
    }

    public Instant? OnNetworkChanged(Instant now)
    {
        Advance(now);
        Membership.OnNetworkChanged(now);
        Sync(now);
        return NextWakeUp;
    }

    /// <summary>
    /// Concludes a due election and, if a leader serves, ends the leases due; returns the deletions.
    /// Every other call does this first, so a missed wake-up changes nothing but the event timing.
    /// </summary>
    public IReadOnlyList<DcsEvent> Advance(Instant now)
    {
        Sync(now);
        return Membership.LeaderAt(now) is null ? [] : Store.ExpireLeases(now);
    }

    /// <inheritdoc cref="DcsMembership.TryRoute"/>
    public bool TryRoute(Instant now, int via, [NotNullWhen(true)] out RoutePlan? plan, [NotNullWhen(false)] out string? refusal)
    {
        Advance(now);
        return Membership.TryRoute(now, via, out plan, out refusal);
    }

    /// <summary>
    /// Commits <paramref name="operation"/> at <paramref name="now"/> (when the quorum's acknowledgements are in)
    /// if the leader that <paramref name="plan"/> named still serves in the same term; otherwise the
    /// proposal is lost, as etcd drops a proposal when leadership changes ("etcdserver: leader changed")
    /// and a client waiting on a leader without a quorum times out.
    /// </summary>
    public bool TryCommit(Instant now, RoutePlan plan, DcsOperation operation, [NotNullWhen(true)] out DcsReply? reply, [NotNullWhen(false)] out string? refusal)
    {
        Advance(now);
        var leader = Membership.LeaderAt(now);
        if (leader != plan.Leader || Membership.Term != plan.Term)
        {
            reply = null;
            refusal = leader is null
                ? $"leader {Membership.Members[plan.Leader].Name} lost its quorum before the commit"
                : $"leader changed from {Membership.Members[plan.Leader].Name} (term {plan.Term}) to {Membership.Members[leader.Value].Name} (term {Membership.Term})";
            return false;
        }
        reply = Store.Apply(now, operation);
        refusal = null;
        return true;
    }

    /// <summary>
    /// A serializable range (Patroni's default for reads: "we can tolerate stale reads") answered by
    /// <paramref name="member"/> alone, with no leader or quorum: the current state if the member is current,
    /// else the copy it had when it fell behind, where keys whose leases have since expired still show.
    /// Null if the member is down or not ready (<see cref="IsReady"/>).
    /// </summary>
    public RangeReply? ReadSerializable(Instant now, int member, DcsKvOperation read)
    {
        if (!IsReady(now, member))
        {
            return null;
        }
        return (_staleCopy[member] ?? Store.Snapshot).Read(read);
    }

    /// <summary>
    /// Brings every member's copy and readiness to <paramref name="now"/>. A member that hears a
    /// serving leader now and did not at the last sync hears it since the leader took office if that
    /// was after the last sync (an election ends lazily, at <see cref="DcsMembership.LeaderSince"/>),
    /// else since now: the host reports every other change (restart, network) at its own time.
    /// </summary>
    private void Sync(Instant now)
    {
        var previous = _clock;
        _clock = now;
        var leader = Membership.LeaderAt(now);
        if (leader is not null && Membership.Term != _leasesRenewedForTerm)
        {
            _leasesRenewedForTerm = Membership.Term;
            Store.RefreshAllLeases(Membership.LeaderSince, _settings.ElectionTimeout);
        }
        for (var m = 0; m < _staleCopy.Length; m++)
        {
            if (!Membership.IsCurrent(now, m))
            {
                _staleCopy[m] ??= Store.Snapshot;
                _catchUpAt[m] = null;
            }
            else if (_staleCopy[m] is { } copy)
            {
                if (copy.Revision == Store.Revision)
                {
                    _staleCopy[m] = null; // it missed nothing
                }
                else
                {
                    var hears = Membership.LeaderSince > previous ? Membership.LeaderSince : now;
                    var caughtUp = _catchUpAt[m] ??= hears + _settings.HeartbeatInterval;
                    if (caughtUp <= now)
                    {
                        _staleCopy[m] = null;
                    }
                }
                if (_staleCopy[m] is null)
                {
                    _catchUpAt[m] = null;
                }
            }
            if (!_ready[m] && Membership.IsUp(m) && (_staleCopy[m] is null || _readyDeadline[m] <= now))
            {
                _ready[m] = true; // rejoined the cluster (or, etcd 3.6, stopped waiting for it)
                _readyDeadline[m] = null;
            }
        }
    }
}
