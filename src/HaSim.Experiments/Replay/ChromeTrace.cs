using System.Text.Json;
using HaSim.Checkers;
using HaSim.Experiments.Plots;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Replay;

/// <summary>
/// A replayed run in the Chrome Trace Event Format (<c>{"traceEvents": [...], "displayTimeUnit": "ms"}</c>),
/// which Perfetto's UI and chrome://tracing open. One process per node with a track for its role
/// (complete "X" events per primary, replica or down stint), one for the leader key (while it holds
/// it), one per overlapping lane of faults affecting it, instant "i" events for its agent's
/// decisions and its database's changes, and a counter "C" of the client writes it accepted per
/// second. A "cluster" process holds the leader-key holder, the write endpoint, the windows with
/// two or no writable primaries, the checkers' split-brain windows, the violations, every fault,
/// and client outcomes per second. Timestamps are microseconds of simulated time, written exactly
/// (nanoseconds / 1000 as decimals); events are sorted by process, thread, time, so the bytes are
/// the same on every replay.
/// </summary>
public static class ChromeTrace
{
    private const int RoleThread = 1;
    private const int KeyThread = 2;
    private const int AgentThread = 3;
    private const int DatabaseThread = 4;
    private const int FaultThread = 10; // and up, one per lane of overlapping faults

    private const int ClusterKeyThread = 1;
    private const int EndpointThread = 2;
    private const int PrimariesThread = 3;
    private const int SplitBrainThread = 4;
    private const int InvariantThread = 5;

    private sealed record Entry(string Ph, int Pid, int Tid, long Ts, long? Dur, string Name, string Cat, string? Scope, IReadOnlyList<(string Key, object Value)> Args, long Order);

    public static byte[] Write(ReplayedRun replay)
    {
        var spec = replay.Spec;
        var history = replay.History;
        var end = history.End.NanosecondsSinceStart;
        var clusterPid = spec.Nodes.Count + 1;
        var entries = new List<Entry>();
        var meta = new List<Entry>();
        long order = 0;
        void Add(string ph, int pid, int tid, long ts, long? dur, string name, string cat, params (string, object)[] args) =>
            entries.Add(new Entry(ph, pid, tid, ts, dur, name, cat, ph == "i" ? (pid == clusterPid && tid == InvariantThread ? "g" : "t") : null, args, order++));
        void Meta(int pid, int tid, string kind, string value, int sort)
        {
            meta.Add(new Entry("M", pid, tid, 0, null, kind, "", null, [("name", value)], order++));
            meta.Add(new Entry("M", pid, tid, 0, null, kind == "process_name" ? "process_sort_index" : "thread_sort_index", "", null, [("sort_index", sort)], order++));
        }

        // Processes and their fixed threads.
        for (var n = 0; n < spec.Nodes.Count; n++)
        {
            var pid = n + 1;
            Meta(pid, 0, "process_name", spec.Nodes[n].Name, pid);
            Meta(pid, RoleThread, "thread_name", "role", RoleThread);
            Meta(pid, KeyThread, "thread_name", "leader key", KeyThread);
            Meta(pid, AgentThread, "thread_name", "agent decisions", AgentThread);
            Meta(pid, DatabaseThread, "thread_name", "database", DatabaseThread);
        }
        Meta(clusterPid, 0, "process_name", "cluster", clusterPid);
        Meta(clusterPid, ClusterKeyThread, "thread_name", "leader key holder", ClusterKeyThread);
        Meta(clusterPid, EndpointThread, "thread_name", "write endpoint", EndpointThread);
        Meta(clusterPid, PrimariesThread, "thread_name", "writable primaries", PrimariesThread);
        Meta(clusterPid, SplitBrainThread, "thread_name", "split brain (writes on two primaries)", SplitBrainThread);
        Meta(clusterPid, InvariantThread, "thread_name", "invariant violations", InvariantThread);

        // Roles.
        foreach (var role in history.Roles)
        {
            var from = role.From.NanosecondsSinceStart;
            var to = role.Until(history.End).NanosecondsSinceStart;
            var word = role.Role.ToString().ToLowerInvariant();
            Add("X", role.Node.Value + 1, RoleThread, from, to - from, $"{word}, {Words.Timeline(role.Timeline)}", "role",
                ("role", word), ("timeline", role.Timeline.Value));
        }

        // The leader key: per holder, and who holds it on the cluster's track.
        var changes = replay.Run.Report.Failover!.LeaderKeyChanges;
        for (var i = 0; i < changes.Count; i++)
        {
            var from = changes[i].At.NanosecondsSinceStart;
            var to = i + 1 < changes.Count ? changes[i + 1].At.NanosecondsSinceStart : end;
            if (to <= from)
            {
                continue;
            }
            var holder = changes[i].Holder;
            Add("X", clusterPid, ClusterKeyThread, from, to - from, holder ?? "none", "leader key", ("holder", holder ?? "none"));
            var index = IndexOf(spec, holder);
            if (index >= 0)
            {
                Add("X", index + 1, KeyThread, from, to - from, "holds the leader key", "leader key");
            }
        }

        // Faults: on every node they affect, and all of them on the cluster, in lanes so that overlapping ones do not nest wrongly.
        var lanes = new Dictionary<int, List<long>>(); // pid -> end of the last fault in each lane
        var laneCount = new SortedDictionary<int, int>();
        foreach (var fault in spec.Faults.OrderBy(f => f.At).ThenBy(f => f.HealsAt ?? Instant.MaxValue))
        {
            var from = fault.At.Nanoseconds;
            if (from > end)
            {
                continue;
            }
            var to = Math.Min(fault.HealsAt?.NanosecondsSinceStart ?? end, end);
            var what = FaultText.What(fault, spec);
            foreach (var pid in AffectedNodes(fault).Select(n => n.Value + 1).Distinct().Order().Append(clusterPid))
            {
                if (!lanes.TryGetValue(pid, out var ends))
                {
                    lanes[pid] = ends = [];
                }
                var lane = IntervalRows.Take(ends, from, to);
                laneCount[pid] = Math.Max(laneCount.GetValueOrDefault(pid), lane + 1);
                Add("X", pid, FaultThread + lane, from, to - from, what, "fault", ("fault", FaultText.Describe(fault, spec)));
            }
        }
        foreach (var (pid, count) in laneCount)
        {
            for (var lane = 0; lane < count; lane++)
            {
                Meta(pid, FaultThread + lane, "thread_name", lane == 0 ? "faults" : $"faults ({lane + 1})", FaultThread + lane);
            }
        }

        // Agent decisions and database changes as instants; write-endpoint moves as spans.
        long? routeFrom = 0L;
        long routeTo = -2; // unknown until the first move names where it came from
        foreach (var e in replay.Events)
        {
            var ts = e.At.NanosecondsSinceStart;
            var pid = e.Node + 1;
            switch (e.Kind)
            {
                case "agent.cycle":
                    Add("i", pid, AgentThread, ts, null, e.Detail, "agent");
                    break;
                case var k when k.StartsWith("agent.", StringComparison.Ordinal):
                    Add("i", pid, AgentThread, ts, null, k["agent.".Length..].Replace('_', ' ') + (e.Detail.Length > 0 ? $" ({e.Detail})" : ""), "agent");
                    break;
                case "db.promote":
                    Add("i", pid, DatabaseThread, ts, null, "promotion begins", "database", ("received_lsn", new Lsn((ulong)e.A).ToString()));
                    break;
                case "db.stop":
                    Add("i", pid, DatabaseThread, ts, null, "stop", "database", ("mode", StopMode(e.A)));
                    break;
                case "db.start":
                    Add("i", pid, DatabaseThread, ts, null, e.A == 1 ? "start as primary" : "start read-only", "database");
                    break;
                case "db.rewind":
                    Add("i", pid, DatabaseThread, ts, null, "pg_rewind", "database", ("source", replay.Name(e.A)));
                    break;
                case "watchdog.reset":
                    Add("i", pid, DatabaseThread, ts, null, "watchdog reset", "database");
                    break;
                case "node.restart":
                    Add("i", pid, DatabaseThread, ts, null, "machine up again", "database");
                    break;
                case "standby.disconnect":
                    Add("i", pid, DatabaseThread, ts, null, "walsender gave up (wal_sender_timeout)", "database");
                    break;
                case "standby.connect":
                    Add("i", pid, DatabaseThread, ts, null, "streaming again", "database");
                    break;
                case "proxy.route": // subject: the node it routed to until now (-1: none); A: the one it routes to from now
                    if (routeTo == -2)
                    {
                        routeTo = e.Node;
                    }
                    if (routeFrom is { } since && ts > since)
                    {
                        Add("X", clusterPid, EndpointThread, since, ts - since, "-> " + (routeTo >= 0 ? replay.Name(routeTo) : "nowhere"), "write endpoint");
                    }
                    routeFrom = ts;
                    routeTo = e.A;
                    break;
            }
        }
        if (routeTo == -2)
        {
            routeTo = IndexOf(spec, replay.Run.Report.Failover.FinalRoute);
        }
        if (routeFrom is { } last && end > last)
        {
            Add("X", clusterPid, EndpointThread, last, end - last, "-> " + (routeTo >= 0 ? replay.Name(routeTo) : "nowhere"), "write endpoint");
        }

        // Writable primaries: the spans with two or more (split brain possible) and with none.
        foreach (var span in Violations.PrimarySpans(history).Where(s => s.Primaries.Count != 1))
        {
            var from = span.From.NanosecondsSinceStart;
            var to = span.To.NanosecondsSinceStart;
            if (to > from)
            {
                Add("X", clusterPid, PrimariesThread, from, to - from,
                    span.Primaries.Count == 0 ? "no writable primary" : "writable: " + string.Join(", ", span.Primaries.Select(replay.Name)), "primaries");
            }
        }
        foreach (var window in replay.Checks.SingleWriter.Windows)
        {
            var from = window.From.NanosecondsSinceStart;
            Add("X", clusterPid, SplitBrainThread, from, window.To.NanosecondsSinceStart - from,
                "writes on " + string.Join(" and ", window.Writers.Select(w => replay.Name(w.Node))), "split brain",
                ("losing_writes", window.LosingCommits.Count));
        }
        foreach (var violation in Violations.Of(replay))
        {
            Add("i", clusterPid, InvariantThread, violation.At.NanosecondsSinceStart, null, "VIOLATION " + violation.Invariant, "invariant", ("evidence", violation.Evidence));
        }

        // Counters: writes each node accepted per second, and client outcomes per second.
        var seconds = (int)(end / Duration.NanosPerSecond) + 1;
        var accepted = new long[spec.Nodes.Count, seconds + 1];
        var outcomes = new long[3, seconds + 1];
        var accepting = new bool[spec.Nodes.Count];
        foreach (var commit in history.Commits)
        {
            if (commit.Placement is { } p)
            {
                accepted[p.Node.Value, Math.Min(seconds, (int)(p.AcceptedAt.NanosecondsSinceStart / Duration.NanosPerSecond))]++;
                accepting[p.Node.Value] = true;
            }
            outcomes[(int)commit.Outcome, Math.Min(seconds, (int)(commit.OutcomeAt.NanosecondsSinceStart / Duration.NanosPerSecond))]++;
        }
        for (var n = 0; n < spec.Nodes.Count; n++)
        {
            if (!accepting[n])
            {
                continue;
            }
            long? previous = null;
            for (var s = 0; s <= seconds; s++)
            {
                if (accepted[n, s] != previous)
                {
                    Add("C", n + 1, 0, s * Duration.NanosPerSecond, null, "client writes accepted/s", "writes", ("accepted", accepted[n, s]));
                    previous = accepted[n, s];
                }
            }
        }
        (long, long, long)? before = null;
        for (var s = 0; s <= seconds; s++)
        {
            var now = (outcomes[(int)CommitOutcome.Acknowledged, s], outcomes[(int)CommitOutcome.Failed, s], outcomes[(int)CommitOutcome.Unknown, s]);
            if (now != before)
            {
                Add("C", clusterPid, 0, s * Duration.NanosPerSecond, null, "client write outcomes/s", "writes",
                    ("acknowledged", now.Item1), ("failed", now.Item2), ("unknown", now.Item3));
                before = now;
            }
        }

        entries.Sort(static (a, b) =>
            a.Pid != b.Pid ? a.Pid.CompareTo(b.Pid)
            : a.Tid != b.Tid ? a.Tid.CompareTo(b.Tid)
            : a.Ts != b.Ts ? a.Ts.CompareTo(b.Ts)
            : (b.Dur ?? 0) != (a.Dur ?? 0) ? (b.Dur ?? 0).CompareTo(a.Dur ?? 0) // the enclosing span first
            : a.Order.CompareTo(b.Order));
        meta.Sort(static (a, b) => a.Pid != b.Pid ? a.Pid.CompareTo(b.Pid) : a.Tid != b.Tid ? a.Tid.CompareTo(b.Tid) : a.Order.CompareTo(b.Order));

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("traceEvents");
            foreach (var entry in meta.Concat(entries))
            {
                WriteEntry(json, entry);
            }
            json.WriteEndArray();
            json.WriteString("displayTimeUnit", "ms");
            json.WriteStartObject("otherData");
            json.WriteString("model", spec.Name);
            json.WriteString("seed", replay.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("fingerprint", replay.Fingerprint);
            json.WriteString("violations", string.Join(", ", replay.Checks.Violations));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteEntry(Utf8JsonWriter json, Entry e)
    {
        json.WriteStartObject();
        json.WriteString("name", e.Name);
        if (e.Cat.Length > 0)
        {
            json.WriteString("cat", e.Cat);
        }
        json.WriteString("ph", e.Ph);
        json.WriteNumber("ts", Micros(e.Ts));
        if (e.Dur is { } dur)
        {
            json.WriteNumber("dur", Micros(dur));
        }
        json.WriteNumber("pid", e.Pid);
        json.WriteNumber("tid", e.Tid);
        if (e.Scope is { } scope)
        {
            json.WriteString("s", scope);
        }
        if (e.Args.Count > 0)
        {
            json.WriteStartObject("args");
            foreach (var (key, value) in e.Args)
            {
                switch (value)
                {
                    case string s:
                        json.WriteString(key, s);
                        break;
                    case int i:
                        json.WriteNumber(key, i);
                        break;
                    case long l:
                        json.WriteNumber(key, l);
                        break;
                    default:
                        throw new InvalidOperationException($"trace argument {key} has an unexpected type {value.GetType().Name}");
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>Nanoseconds as exact microseconds.</summary>
    private static decimal Micros(long nanoseconds) => nanoseconds / 1000m;

    /// <summary>The stop's mode as the agent log words it (Patroni's demote modes).</summary>
    private static string StopMode(long mode) => (HaSim.Failover.DemoteMode)mode switch
    {
        HaSim.Failover.DemoteMode.Offline => "offline",
        HaSim.Failover.DemoteMode.Graceful => "graceful",
        HaSim.Failover.DemoteMode.Immediate => "immediate",
        HaSim.Failover.DemoteMode.ImmediateNoLock => "immediate-nolock",
        _ => mode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static int IndexOf(ClusterSpec spec, string? name)
    {
        for (var i = 0; i < spec.Nodes.Count; i++)
        {
            if (string.Equals(spec.Nodes[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The database nodes a fault acts on (none for a DCS member crash).</summary>
    private static IEnumerable<NodeId> AffectedNodes(FaultSpec fault) => fault switch
    {
        PartitionFault p => p.From.Concat(p.To),
        LinkFault l => l.From.Concat(l.To),
        DiskStallFault d => [d.Node],
        CrashFault c => [c.Node],
        PauseFault p => [p.Node],
        ClockDriftFault c => [c.Node],
        _ => [],
    };
}
