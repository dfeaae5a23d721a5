using System.Diagnostics.CodeAnalysis;
using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// The etcd cluster's raft view: which members are up, who leads, and whether a request entering at
/// a member can be committed. Pure and deterministic; the host reports every change and wakes the
/// membership when an election ends.
/// </summary>
/// <remarks>
/// <para><b>Connectivity.</b> Two members talk only if the injected predicate lets messages through both
/// ways (raft needs the replies: a one-way cut is a cut). A member "reaches a quorum" when it is up
/// and connected to a majority of ALL members (itself included) that are up.</para>
/// <para><b>Serving.</b> The leader in office serves while it is up and reaches a quorum. When it crashes
/// or is cut off from a majority it stops serving at once: nothing it proposes can commit. (Real etcd
/// keeps it leader until CheckQuorum steps it down an election timeout later, but its requests only
/// time out.) If it regains a quorum within that election timeout, before a successor takes office,
/// its heartbeats reset the followers' timers and it carries on; later, CheckQuorum has stepped it
/// down, and the cluster elects a leader in a new term (whose lessor renews every lease).</para>
/// <para><b>Elections.</b> Followers campaign an election timeout after the last heartbeat they heard;
/// heartbeats go out every heartbeat interval from the moment the leader took office, so a lost leader
/// is replaced at <c>last heartbeat + election timeout</c>, that is between (election timeout - heartbeat)
/// and election timeout after the loss; a cluster with no leader at all elects one an election timeout
/// after a quorum becomes possible. No request is served meanwhile. Real raft randomizes each
/// member's timeout in [election timeout, 2 x election timeout) to avoid split votes, so its elections
/// take up to one election timeout longer than ours, and its winner is whichever up-to-date member
/// times out first. We take no randomness: the winner is the lowest-index member that is up, reaches a
/// quorum and would get a majority of votes (raft grants a vote only to a candidate whose log is at
/// least as up to date as the voter's). The consequence: our DCS outages are at the short end of
/// etcd's range and always end with the same leader, so sweeping seeds does not explore etcd's
/// election jitter.</para>
/// <para><b>Logs.</b> We track, per member, the last term whose leader it followed and whether it was still
/// following when that term ended; a member that crashed or was cut off while a leader served has
/// missed entries (Patroni writes every loop_wait, so some are certain) until it reconnects to a
/// serving leader and catches up, which for votes we take as instant. This decides who may win a
/// vote, and which members can hold every committed entry (<see cref="IsCurrent"/>; the
/// <see cref="EtcdCluster"/> lets a member that missed entries catch up one heartbeat interval after
/// it hears the leader again, and serves stale serializable reads from it until then). We assume no
/// pre-vote/CheckQuorum disruption: a member that rejoins never unseats a serving leader (etcd 3.6
/// enables pre-vote by default for exactly that).</para>
/// <para><b>Host contract.</b> Call <see cref="Crash"/>, <see cref="Restart"/> and, after any change of the
/// reachability predicate, <see cref="OnNetworkChanged"/>; each returns <see cref="NextElectionAt"/>, at
/// which the host wakes and calls <see cref="LeaderAt"/> (any call at or after that time concludes the
/// election, judged on the connectivity of that moment).</para>
/// </remarks>
public sealed class DcsMembership
{
    private readonly DcsMember[] _members;
    private readonly RaftSettings _settings;
    private readonly Func<int, int, bool> _reachable;
    private readonly bool[] _up;
    private readonly long[] _lastTerm;
    private readonly bool[] _followedToEnd;
    private int? _leader;
    private bool _serving;
    private Instant _clock;

    /// <param name="reachable">Whether a message from the first member gets to the second now (the host's partitions).</param>
    /// <param name="start">When the run starts. The cluster formed before it: if a quorum can form at
    /// <paramref name="start"/>, its leader is in office from then on, without an election delay.</param>
    public DcsMembership(IReadOnlyList<DcsMember> members, RaftSettings settings, Func<int, int, bool> reachable, Instant start)
    {
        if (members.Count == 0)
        {
            throw new ArgumentException("an etcd cluster needs at least one member", nameof(members));
        }
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Index != i)
            {
                throw new ArgumentException($"member {members[i].Name} has index {members[i].Index}, expected {i}: indexes are dense and in order", nameof(members));
            }
        }
        _members = members.ToArray();
        _settings = settings;
        _reachable = reachable;
        _up = Enumerable.Repeat(true, members.Count).ToArray();
        _lastTerm = new long[members.Count];
        _followedToEnd = Enumerable.Repeat(true, members.Count).ToArray();
        _clock = start;
        if (Winner() is { } first)
        {
            TakeOffice(first, start);
        }
        else
        {
            Evaluate(start);
        }
    }

    public IReadOnlyList<DcsMember> Members => _members;

    /// <summary>A majority of all members, counting down ones: what a commit and a vote need.</summary>
    public int QuorumSize => _members.Length / 2 + 1;

    /// <summary>The raft term: one more at every election won.</summary>
    public long Term { get; private set; }

    /// <summary>When the leader of <see cref="Term"/> took office.</summary>
    public Instant LeaderSince { get; private set; }

    /// <summary>When the election under way ends with a new leader in office, or null if none is under way.</summary>
    public Instant? NextElectionAt { get; private set; }

    // When the leader in office stopped reaching a quorum (null while it serves, or with no leader).
    private Instant? _quorumLostAt;

    public bool IsUp(int member) => _up[member];

    public Instant? Crash(Instant now, int member)
    {
        Conclude(now);
        _up[member] = false;
        Evaluate(now);
        return NextElectionAt;
    }

    /// <summary>The member comes back with the data it had on disk; it catches up once connected to a serving leader.</summary>
    public Instant? Restart(Instant now, int member)
    {
        Conclude(now);
        _up[member] = true;
        Evaluate(now);
        return NextElectionAt;
    }

    /// <summary>Call after every change of the reachability predicate.</summary>
    public Instant? OnNetworkChanged(Instant now)
    {
        Conclude(now);
        Evaluate(now);
        return NextElectionAt;
    }

    /// <summary>The member that serves as leader at <paramref name="now"/>, or null (no quorum, or an election under way).</summary>
    public int? LeaderAt(Instant now)
    {
        Conclude(now);
        return _serving ? _leader : null;
    }

    /// <summary>
    /// Whether <paramref name="member"/> hears the serving leader at <paramref name="now"/> (up and
    /// connected to it): what it takes to hold every committed entry. Others answer serializable reads
    /// from a stale copy; <see cref="EtcdCluster"/> adds the heartbeat a member that missed entries
    /// needs to catch up.
    /// </summary>
    public bool IsCurrent(Instant now, int member) => LeaderAt(now) is { } leader && _up[member] && Connected(member, leader);

    /// <summary>
    /// Whether a request entering at <paramref name="via"/> can be committed now, and how; otherwise why
    /// not (the text names the member, e.g. "member m3 cannot reach a quorum (2 of 5 up and reachable)").
    /// </summary>
    public bool TryRoute(Instant now, int via, [NotNullWhen(true)] out RoutePlan? plan, [NotNullWhen(false)] out string? refusal)
    {
        Conclude(now);
        plan = null;
        var name = _members[via].Name;
        var reached = UpAndConnected(via);
        if (!_up[via])
        {
            refusal = $"member {name} is down";
        }
        else if (reached < QuorumSize)
        {
            refusal = $"member {name} cannot reach a quorum ({reached} of {_members.Length} up and reachable)";
        }
        else if (!_serving || _leader is not { } leader)
        {
            refusal = NextElectionAt is { } at
                ? $"member {name} has no leader: an election is under way until {at}"
                : $"member {name} has no leader: no member can win an election";
        }
        else if (!Connected(via, leader))
        {
            refusal = $"member {name} cannot reach leader {_members[leader].Name}";
        }
        else
        {
            var followers = Enumerable.Range(0, _members.Length).Where(m => m != leader && _up[m] && Connected(leader, m)).ToList();
            plan = new RoutePlan(via, leader, Term, followers, QuorumSize);
            refusal = null;
        }
        return plan is not null;
    }

    private bool Connected(int a, int b) => a == b || (_reachable(a, b) && _reachable(b, a));

    private int UpAndConnected(int member) => Enumerable.Range(0, _members.Length).Count(m => _up[m] && Connected(member, m));

    private bool ReachesQuorum(int member) => _up[member] && UpAndConnected(member) >= QuorumSize;

    /// <summary>Raft's vote rule, on our coarse log: a later term wins; in the same term, having followed to the end beats having dropped out.</summary>
    private bool AtLeastAsUpToDate(int candidate, int voter) =>
        _lastTerm[candidate] > _lastTerm[voter]
        || (_lastTerm[candidate] == _lastTerm[voter] && (_followedToEnd[candidate] || !_followedToEnd[voter]));

    private int? Winner()
    {
        for (var c = 0; c < _members.Length; c++)
        {
            if (!ReachesQuorum(c))
            {
                continue;
            }
            var votes = Enumerable.Range(0, _members.Length).Count(v => _up[v] && Connected(c, v) && AtLeastAsUpToDate(c, v));
            if (votes >= QuorumSize)
            {
                return c;
            }
        }
        return null;
    }

    private void Conclude(Instant now)
    {
        if (now < _clock)
        {
            throw new ArgumentOutOfRangeException(nameof(now), $"the membership's clock is at {_clock}; {now} is in its past");
        }
        _clock = now;
        if (_leader is not null && !_serving && _quorumLostAt is { } lost && now - lost >= _settings.ElectionTimeout)
        {
            _leader = null; // CheckQuorum: no quorum for an election timeout, the leader steps down
        }
        if (NextElectionAt is { } at && at <= now)
        {
            NextElectionAt = null;
            if (Winner() is { } winner)
            {
                TakeOffice(winner, at);
            }
        }
    }

    private void TakeOffice(int leader, Instant at)
    {
        _leader = leader;
        Term++;
        LeaderSince = at;
        _serving = true;
        MarkFollowers(leader);
    }

    /// <summary>While a leader serves, its connected members follow it to the present; the others fall behind.</summary>
    private void MarkFollowers(int leader)
    {
        for (var m = 0; m < _members.Length; m++)
        {
            if (_up[m] && Connected(leader, m))
            {
                _lastTerm[m] = Term;
                _followedToEnd[m] = true;
            }
            else if (_lastTerm[m] == Term)
            {
                _followedToEnd[m] = false;
            }
        }
    }

    private void Evaluate(Instant now)
    {
        var wasServing = _serving;
        if (_leader is { } crashed && !_up[crashed])
        {
            _leader = null; // a crashed leader restarts as a follower
        }
        _serving = _leader is { } leader && ReachesQuorum(leader);
        _quorumLostAt = _leader is not null && !_serving ? _quorumLostAt ?? now : null;
        if (_serving && _leader is { } serving)
        {
            NextElectionAt = null;
            MarkFollowers(serving);
            return;
        }
        if (Winner() is null)
        {
            NextElectionAt = null;
            return;
        }
        NextElectionAt ??= wasServing ? LastHeartbeat(now) + _settings.ElectionTimeout : now + _settings.ElectionTimeout;
    }

    /// <summary>The last heartbeat the leader sent at or before <paramref name="now"/>: one every interval since it took office.</summary>
    private Instant LastHeartbeat(Instant now)
    {
        var interval = _settings.HeartbeatInterval;
        return LeaderSince + interval * ((now - LeaderSince) / interval);
    }
}
