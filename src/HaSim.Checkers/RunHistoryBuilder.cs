using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// Append-only recorder a simulation fills during a run; <see cref="Build"/> takes an immutable
/// snapshot for the checkers. Memory: commit records are kept for the whole run (about 80 bytes
/// each: 10 simulated minutes at 200 commits/s is 120,000 records, under 10 MB); role changes,
/// promotions and faults are few. The recorder never looks at simulation state: it only stores
/// what it is told, so checking cannot perturb a run.
/// </summary>
public sealed class RunHistoryBuilder
{
    // Commits by id: the simulator numbers writes 1, 2, 3, ... and records each once, as its
    // outcome is known, so each goes straight to index id - 1 and a snapshot needs no sort and no
    // copy. Records that do not fit (an id below 1 or far beyond those seen, or seen before) wait
    // in `others`, and the snapshot sorts everything instead.
    private CommitChunks byId = new();
    private readonly List<CommitRecord> others = [];
    private int placed;
    private readonly AcceptedSpans accepted = new();

    // Whether the last snapshot holds byId itself: the next record then copies it first.
    private bool byIdInSnapshot;
    private readonly List<RoleInterval> closedRoles = [];
    private readonly SortedDictionary<NodeId, RoleInterval> openRoles = [];
    private readonly List<TimelineSwitch> switches = [];
    private readonly List<FaultWindow> faults = [];
    private readonly SortedDictionary<NodeId, NodeWalEnd> walEnds = [];

    /// <summary>Records a client write once its outcome is known; writes still in flight at the end go in as <see cref="CommitOutcome.Unknown"/>.</summary>
    public void RecordCommit(in CommitRecord commit)
    {
        if (commit.Problem() is { } problem)
        {
            throw new ArgumentException($"commit #{commit.Id}: {problem}", nameof(commit));
        }
        if (commit.Placement is { } placement)
        {
            accepted.Add(placement);
        }
        if (byIdInSnapshot)
        {
            byId = byId.Copy();
            byIdInSnapshot = false;
        }
        var index = commit.Id - 1;
        if (index >= 0 && index < Math.Max(2L * byId.Count, CommitChunks.ChunkSize))
        {
            if (index >= byId.Count)
            {
                byId.GrowTo((int)index + 1);
            }
            ref var slot = ref byId.Slot((int)index);
            if (slot.Id == 0)
            {
                slot = commit;
                placed++;
                return;
            }
        }
        others.Add(commit); // the snapshot sorts, and rejects a duplicate
    }

    /// <summary>
    /// Records that <paramref name="node"/> holds <paramref name="role"/> on <paramref name="timeline"/>
    /// from <paramref name="at"/> on, closing its previous role there. Repeating the current role is a
    /// no-op, so a host may report on every status probe. Record every node's role at the start of the run.
    /// </summary>
    public void RecordRole(Instant at, NodeId node, NodeRole role, Term timeline)
    {
        if (openRoles.TryGetValue(node, out var current))
        {
            if (at < current.From)
            {
                throw new ArgumentException($"{node}: role change at {at} precedes its current role's start {current.From}", nameof(at));
            }
            if (current.Role == role && current.Timeline == timeline)
            {
                return;
            }
            if (at > current.From)
            {
                closedRoles.Add(current with { To = at });
            }
        }
        openRoles[node] = new RoleInterval(node, role, timeline, at, null);
    }

    /// <summary>Records a promotion: <paramref name="node"/> created <paramref name="newTimeline"/> from <paramref name="parent"/> at <paramref name="switchLsn"/> (the first line PostgreSQL appends to the new timeline's .history file).</summary>
    public void RecordPromotion(Instant at, NodeId node, Term parent, Lsn switchLsn, Term newTimeline)
    {
        if (newTimeline <= parent)
        {
            throw new ArgumentException($"timeline {newTimeline} must be newer than its parent {parent} (PostgreSQL picks a new, higher timeline id)", nameof(newTimeline));
        }
        switches.Add(new TimelineSwitch(newTimeline, parent, switchLsn, node, at));
    }

    /// <summary>Records a fault window; <paramref name="end"/> null for a fault that never heals in this run.</summary>
    public void RecordFault(string kind, Instant start, Instant? end)
    {
        if (end is { } e && e < start)
        {
            throw new ArgumentException($"fault '{kind}' ends at {e} before it starts at {start}", nameof(end));
        }
        faults.Add(new FaultWindow(kind, start, end));
    }

    /// <summary>Records a node's WAL at the end of the run (call once per node, just before <see cref="Build"/>); the surviving history is chosen from these.</summary>
    public void RecordWalEnd(NodeId node, Term timeline, Lsn walEnd) => walEnds[node] = new NodeWalEnd(node, timeline, walEnd);

    /// <summary>
    /// An immutable snapshot of everything recorded, for a run that ended at <paramref name="end"/>.
    /// The builder stays usable (a later snapshot sees later records).
    /// </summary>
    public RunHistory Build(Instant end)
    {
        if (walEnds.Count == 0)
        {
            throw new InvalidOperationException("record each node's WAL end (RecordWalEnd) before Build: the surviving history is chosen from them");
        }
        CommitChunks commitsById;
        if (others.Count == 0 && placed == byId.Count)
        {
            commitsById = byId; // ids exactly 1..n: shared until the next record
            byIdInSnapshot = true;
        }
        else
        {
            commitsById = SortedById();
        }

        var roles = closedRoles.Concat(openRoles.Values).ToArray();
        foreach (var role in roles)
        {
            if (role.From > end)
            {
                throw new InvalidOperationException($"{role.Node}: role {role.Role} starts at {role.From}, after the run's end {end}");
            }
        }
        Array.Sort(roles, static (a, b) => a.From != b.From ? a.From.CompareTo(b.From) : a.Node.CompareTo(b.Node));

        var switchArray = switches.ToArray();
        Array.Sort(switchArray, static (a, b) => a.NewTimeline.CompareTo(b.NewTimeline));
        for (var i = 1; i < switchArray.Length; i++)
        {
            if (switchArray[i].NewTimeline == switchArray[i - 1].NewTimeline)
            {
                throw new InvalidOperationException($"timeline {switchArray[i].NewTimeline} was created twice ({switchArray[i - 1]}; {switchArray[i]})");
            }
        }

        var faultArray = faults.ToArray();
        Array.Sort(faultArray, static (a, b) =>
            a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.End != b.End ? (a.End ?? Instant.MaxValue).CompareTo(b.End ?? Instant.MaxValue)
            : string.CompareOrdinal(a.Kind, b.Kind));

        return new RunHistory(end, commitsById, accepted.ToIntervals(), roles, switchArray, faultArray, walEnds.Values.ToArray());
    }

    /// <summary>
    /// Drops the recorded commits and hands their storage to the next run on this thread, unless
    /// the last snapshot holds it (then the snapshot's <see cref="RunHistory.ReleaseCommits"/> does).
    /// For a host done with the builder after its last <see cref="Build"/>.
    /// </summary>
    public void ReleaseCommits()
    {
        if (!byIdInSnapshot)
        {
            byId.Release();
        }
        byId = new CommitChunks();
        byIdInSnapshot = false;
        others.Clear();
        placed = 0;
        accepted.Clear();
    }

    /// <summary>Any other ids: the records sorted by id, and a duplicate rejected.</summary>
    private CommitChunks SortedById()
    {
        var records = new CommitRecord[placed + others.Count];
        var n = 0;
        foreach (ref readonly var commit in byId)
        {
            if (commit.Id != 0)
            {
                records[n++] = commit;
            }
        }
        others.CopyTo(records, n);
        // Sorting by a key array moves the records along with their ids: several times faster
        // than a comparison delegate over 80-byte records (ids are unique, so order is total).
        var ids = new long[records.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = records[i].Id;
        }
        Array.Sort(ids, records);
        var target = new CommitChunks(records.Length);
        for (var i = 0; i < records.Length; i++)
        {
            if (i > 0 && records[i].Id == records[i - 1].Id)
            {
                throw new InvalidOperationException($"commit id {records[i].Id} was recorded twice");
            }
            target.Slot(i) = records[i];
        }
        return target;
    }
}
