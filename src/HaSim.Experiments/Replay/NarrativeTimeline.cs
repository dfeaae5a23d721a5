using System.Globalization;
using HaSim.Checkers;
using HaSim.Model.Spec;
using HaSim.Primitives;
using NodeRole = HaSim.Checkers.NodeRole;

namespace HaSim.Experiments.Replay;

/// <summary>A replay's narrative: header lines, timeline lines (<c>t=  62.513s  ...</c>), verdict lines.</summary>
public sealed record Narrative(IReadOnlyList<string> Header, IReadOnlyList<string> Timeline, IReadOnlyList<string> Verdicts)
{
    /// <summary>All of it, parts separated by a blank line, as narrative.txt holds it.</summary>
    public IReadOnlyList<string> Lines => [.. Header, "", .. Timeline, "", .. Verdicts];
}

/// <summary>
/// A replayed run told as a timeline, one line per meaningful event in time order
/// (<c>t=  62.513s  ...</c>): faults starting and healing, the agents' decisions in Patroni's
/// words, role changes, leader-key holders, windows with two writable primaries (or none), each
/// primary stint's first and last accepted write with counts, bursts of failed and unknown client
/// writes, and every invariant violation with its evidence. Repetition is collapsed: an agent
/// repeating the same decision, cycle after cycle, is one line with a count and the time of the
/// last repeat, until something else happens.
/// </summary>
public static class NarrativeTimeline
{
    // Ranks order what happens at one instant: causes before their effects.
    private const int StartRank = -1;
    private const int FaultRank = 0;
    private const int EventRank = 1;
    private const int KeyRank = 2;
    private const int RoleRank = 3;
    private const int PrimariesRank = 4;
    private const int WritesRank = 5;
    private const int ClientsRank = 6;
    private const int ViolationRank = 7;
    private const int WindowEndRank = 8;
    private const int EndRank = 9;

    /// <summary>Client writes of one outcome less than this apart belong to one burst.</summary>
    private static readonly Duration BurstGap = Duration.FromSeconds(2);

    private sealed record Item(Instant At, int Rank, long Order, string Text, string? RepeatKey = null);

    /// <summary>The narrative in its three parts: a header (repro, fingerprint, model, faults, workload), the timeline, the verdicts.</summary>
    public static Narrative Build(ReplayedRun replay) =>
        new([.. Header(replay)], Collapse(Items(replay)), Verdicts(replay));

    /// <summary>The invariant verdicts, one line each with the checkers' explanations in the model's names, then each violation's evidence.</summary>
    public static IReadOnlyList<string> Verdicts(ReplayedRun replay)
    {
        var checks = replay.Checks;
        var lines = new List<string> { "verdicts:" };
        foreach (var summary in new[] { checks.Durability.Summary, checks.SingleWriter.Summary, checks.FreshPromotion.Summary, checks.Liveness.Summary })
        {
            lines.Add("  " + Words.Named(summary, replay.Spec));
        }
        foreach (var violation in Violations.Of(replay))
        {
            lines.Add($"  VIOLATION {violation.Invariant} at {Words.T(violation.At)}: {violation.Evidence}");
        }
        lines.Add(checks.AllHold
            ? "every invariant holds"
            : "invariants violated: " + string.Join(", ", checks.Violations));
        return lines;
    }

    private static IEnumerable<string> Header(ReplayedRun replay)
    {
        var spec = replay.Spec;
        var failover = spec.Failover!;
        yield return $"hasim replay {replay.ReproPath} --seed {replay.Seed.ToString(CultureInfo.InvariantCulture)}";
        yield return replay.Fingerprint;
        yield return $"model {spec.Name}: {spec.Warmup + spec.Duration} simulated; nodes "
            + string.Join(", ", spec.Nodes.Select(n => $"{n.Name} ({n.Role.ToString().ToLowerInvariant()}, {spec.Zones[n.Zone.Value].Name})"))
            + string.Create(CultureInfo.InvariantCulture,
                $"; ttl={failover.Settings.Ttl} loop_wait={failover.Settings.LoopWait} retry_timeout={failover.Settings.RetryTimeout}, synchronous_mode {failover.Settings.SynchronousMode.ToString().ToLowerInvariant()}");
        yield return spec.Faults.Count == 0
            ? "faults: none"
            : "faults: " + string.Join("; ", spec.Faults.Select(f => FaultText.Describe(f, spec)));
        var workload = spec.Workload;
        yield return "workload: "
            + (workload.OpenLoopRate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"{rate:R} transactions/s") : "")
            + (workload.ClosedLoop is { } closed ? string.Create(CultureInfo.InvariantCulture, $"{(workload.OpenLoopRate is null ? "" : " and ")}{closed.Clients} closed-loop clients") : "")
            + $", transaction size {workload.TransactionSize}";
    }

    private static List<Item> Items(ReplayedRun replay)
    {
        var items = new List<Item>();
        var history = replay.History;
        var spec = replay.Spec;
        long order = 0;
        void Add(Instant at, int rank, string text, string? key = null) => items.Add(new Item(at, rank, order++, text, key));

        // The start.
        var initial = history.Roles.Where(r => r.From == Instant.Start).OrderBy(r => r.Node).ToArray();
        var key0 = replay.Run.Report.Failover!.LeaderKeyChanges.FirstOrDefault();
        Add(Instant.Start, StartRank,
            "start: " + string.Join("; ", initial.GroupBy(r => r.Role).OrderByDescending(g => g.Key).Select(g =>
                $"{Words.List(g.Select(r => replay.Name(r.Node)))} {(g.Count() == 1 ? "is" : "are")} {RoleWord(g.Key)}{(g.Count() > 1 && g.Key != NodeRole.Down ? "s" : "")} on {Words.Timeline(g.First().Timeline)}"))
            + $"; the leader key is held by {key0.Holder ?? "nobody"}");

        // Faults.
        foreach (var fault in spec.Faults)
        {
            var what = FaultText.What(fault, spec);
            Add(Instant.Start + fault.At, FaultRank, $"FAULT {what} begins" + (fault.For is { } length ? $" (for {length})" : " (to the end of the run)"));
            if (fault.HealsAt is { } heals && heals <= history.End)
            {
                Add(heals, FaultRank, $"FAULT {what} heals");
            }
        }

        // What the agents decided and what the trace shows, in the run's order.
        foreach (var e in replay.Events)
        {
            if (Describe(replay, e) is { } described)
            {
                Add(e.At, EventRank, described.Text, described.RepeatKey);
            }
        }

        // Leader-key holders.
        var changes = replay.Run.Report.Failover!.LeaderKeyChanges;
        for (var i = 1; i < changes.Count; i++)
        {
            var previous = changes[i - 1].Holder;
            Add(changes[i].At, KeyRank, changes[i].Holder is { } holder
                ? $"leader key: now held by {holder}" + (previous is null ? "" : $" (was {previous})")
                : $"leader key: {previous}'s key is gone (its lease expired or it was deleted); nobody holds it");
        }

        // Role changes.
        foreach (var node in history.Roles.GroupBy(r => r.Node).OrderBy(g => g.Key))
        {
            RoleInterval? before = null;
            foreach (var role in node.OrderBy(r => r.From))
            {
                if (before is not null)
                {
                    var change = before.Role == role.Role
                        ? $"{replay.Name(role.Node)}: {RoleWord(role.Role)}, now on {Words.Timeline(role.Timeline)}"
                        : $"{replay.Name(role.Node)}: {RoleWord(before.Role)} -> {RoleWord(role.Role)}" + (role.Role == NodeRole.Down ? "" : $" on {Words.Timeline(role.Timeline)}");
                    Add(role.From, RoleRank, change);
                }
                before = role;
            }
        }

        // Writable primaries: two or more (split brain possible), or none.
        var spans = Violations.PrimarySpans(history);
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            var previous = i > 0 ? spans[i - 1] : null;
            var count = span.Primaries.Count;
            var wasCount = previous?.Primaries.Count ?? 1;
            if (count >= 2 && (wasCount < 2 || !previous!.Primaries.SequenceEqual(span.Primaries)))
            {
                Add(span.From, PrimariesRank, $"TWO WRITABLE PRIMARIES: "
                    + Words.List(span.Primaries.Select(n => replay.Name(n) + PausedNote(spec, n, span.From)))
                    + (count == 2 ? "; a split brain if both accept writes" : "; a split brain if two accept writes"));
            }
            if (count == 0 && previous is not null)
            {
                Add(span.From, PrimariesRank, "no writable primary: writes cannot be accepted");
            }
            if (previous is null)
            {
                continue;
            }
            if (wasCount >= 2 && count < 2)
            {
                var opened = spans.Take(i).Reverse().TakeWhile(s => s.Primaries.Count >= 2).Last().From;
                Add(span.From, PrimariesRank, $"one writable primary again after {Words.Seconds(span.From - opened)} with two: "
                    + (count == 1 ? $"{replay.Name(span.Primaries[0])}" : "none, no writable primary"));
            }
            else if (wasCount == 0 && count >= 1)
            {
                var opened = spans.Take(i).Reverse().TakeWhile(s => s.Primaries.Count == 0).Last().From;
                Add(span.From, PrimariesRank, $"{Words.List(span.Primaries.Select(replay.Name))} writable after {Words.Seconds(span.From - opened)} without a writable primary");
            }
        }

        // Each primary stint's first and last accepted write, with what became of its writes.
        foreach (var stint in history.AcceptedIntervals)
        {
            Stint(replay, stint, out var first, out var last, out var summary);
            var name = replay.Name(stint.Node);
            Add(stint.From, WritesRank, $"{name} accepts its first write on {Words.Timeline(stint.Timeline)}: #{first}");
            Add(stint.To, WritesRank, $"{name} accepts its last write on {Words.Timeline(stint.Timeline)}: #{last}; {summary}");
        }

        // Bursts of writes that failed or whose outcome the client never learned.
        foreach (var (outcome, words) in new[] { (CommitOutcome.Failed, "failed before reaching a database (no writable endpoint, refused)"), (CommitOutcome.Unknown, "ended with an unknown outcome (connection lost or timed out)") })
        {
            foreach (var (from, to, count) in Bursts(history.Commits.Where(c => c.Outcome == outcome).Select(c => c.OutcomeAt).Order()))
            {
                Add(from, ClientsRank, $"clients: {Words.Count(count, "write")} {words}" + (to > from ? $", until {Words.T(to)}" : ""));
            }
        }

        // The checker's split-brain windows close where the last but one writer accepted its last write in them.
        foreach (var window in replay.Checks.SingleWriter.Windows)
        {
            var writers = window.Writers.Select(w => replay.Name(w.Node)).Distinct().ToArray();
            Add(window.To, WindowEndRank, $"split brain over: one node accepts writes again ({Words.List(writers)} {(writers.Length == 2 ? "both" : "all")} did for {Words.Seconds(window.Length)})");
        }

        // Violations, with their evidence, where they show.
        foreach (var violation in Violations.Of(replay))
        {
            Add(violation.At, ViolationRank, $"VIOLATION {violation.Invariant}: {violation.Evidence}");
        }

        var end = replay.Run.Report.Failover!;
        Add(history.End, EndRank, $"end: writable primary {(end.FinalPrimaries.Count == 0 ? "none" : string.Join(", ", end.FinalPrimaries))}; "
            + $"leader key {end.FinalLeaderKey ?? "none"}; write endpoint -> {end.FinalRoute ?? "nowhere"}; "
            + $"{Words.Count(end.Acknowledged)} writes acknowledged, {Words.Count(end.Failed)} failed, {Words.Count(end.Unknown)} unknown");

        items.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Order.CompareTo(b.Order));
        return items;
    }

    /// <summary>One line per item; a run of items with the same repeat key, with no other kind of event in between, becomes one line with a count.</summary>
    private static List<string> Collapse(List<Item> items)
    {
        var lines = new List<string>();
        var open = new SortedDictionary<string, (int Line, Item First, int Count, Instant Last)>(StringComparer.Ordinal);
        void CloseAll()
        {
            foreach (var (_, group) in open)
            {
                if (group.Count > 1)
                {
                    lines[group.Line] += string.Create(CultureInfo.InvariantCulture, $" [{group.Count} times, the last at {Words.T(group.Last)}]");
                }
            }
            open.Clear();
        }
        foreach (var item in items)
        {
            if (item.RepeatKey is not { } key)
            {
                CloseAll();
                lines.Add($"{Words.Column(item.At)}  {item.Text}");
                continue;
            }
            if (open.TryGetValue(key, out var group))
            {
                open[key] = group with { Count = group.Count + 1, Last = item.At };
                continue;
            }
            open[key] = (lines.Count, item, 1, item.At);
            lines.Add($"{Words.Column(item.At)}  {item.Text}");
        }
        CloseAll();
        return lines;
    }

    /// <summary>A narrative line for an agent decision or traced change, with the key under which repeats collapse (null: never collapsed); null to leave it out.</summary>
    private static (string Text, string? RepeatKey)? Describe(ReplayedRun replay, ReplayEvent e)
    {
        var node = replay.Name(e.Node);
        return e.Kind switch
        {
            "agent.cycle" => ($"{node} agent: \"{Words.Named(e.Detail, replay.Spec)}\"", $"{e.Kind}|{node}|{Words.Named(e.Detail, replay.Spec)}"),
            "agent.promote" => ($"{node} agent: promote (pg_ctl promote)", null),
            "agent.demote" => ($"{node} agent: demote ({e.Detail})", null),
            "agent.start" => ($"{node} agent: start PostgreSQL {e.Detail}", null),
            "agent.follow" => ($"{node} agent: follow {e.Detail} (primary_conninfo)", null),
            "agent.watchdog_arm" => ($"{node} agent: watchdog armed (timeout {e.Detail})", null),
            "agent.watchdog_disarm" => ($"{node} agent: watchdog disarmed", null),
            "agent.synchronous_standby_names" => ($"{node} agent: synchronous_standby_names = '{e.Detail}'", null),
            "db.rewind" => ($"{node}: pg_rewind from {replay.Name(e.A)} (its WAL past the fork is thrown away)", null),
            "watchdog.reset" => ($"{node}: WATCHDOG RESET: the machine is reset and reboots", null),
            "node.restart" => ($"{node}: machine up again; its agent starts", null),
            "proxy.route" => ($"write endpoint: {(e.Node >= 0 ? node : "nowhere")} -> {(e.A >= 0 ? replay.Name(e.A) : "nowhere")}", null),
            "standby.disconnect" => ($"{node}: its primary's walsender gave up on it (wal_sender_timeout)", $"{e.Kind}|{node}"),
            "standby.connect" => ($"{node}: streaming from its primary again", $"{e.Kind}|{node}"),
            _ => null,
        };
    }

    /// <summary>The first and last accepted write of a stint by acceptance time, and what became of its writes.</summary>
    private static void Stint(ReplayedRun replay, AcceptedInterval stint, out long first, out long last, out string summary)
    {
        var history = replay.History;
        (long Id, Instant At)? firstWrite = null, lastWrite = null;
        long acknowledged = 0, unknown = 0, gone = 0, lost = 0;
        foreach (var commit in history.Commits)
        {
            if (commit.Placement is not { } p || p.Node != stint.Node || p.Timeline != stint.Timeline)
            {
                continue;
            }
            if (firstWrite is not { } f || p.AcceptedAt < f.At || (p.AcceptedAt == f.At && commit.Id < f.Id))
            {
                firstWrite = (commit.Id, p.AcceptedAt);
            }
            if (lastWrite is not { } l || p.AcceptedAt > l.At || (p.AcceptedAt == l.At && commit.Id > l.Id))
            {
                lastWrite = (commit.Id, p.AcceptedAt);
            }
            if (commit.Outcome == CommitOutcome.Acknowledged)
            {
                acknowledged++;
            }
            else
            {
                unknown++;
            }
            if (!history.Survives(commit))
            {
                gone++;
                if (commit.Outcome == CommitOutcome.Acknowledged)
                {
                    lost++;
                }
            }
        }
        first = firstWrite!.Value.Id;
        last = lastWrite!.Value.Id;
        summary = $"{Words.Count(stint.Commits, "write")} accepted there since {Words.T(stint.From)}: {Words.Count(acknowledged)} acknowledged, {Words.Count(unknown)} with unknown outcome"
            + (gone == 0 ? "; all in the surviving history" : $"; {Words.Count(gone)} not in the surviving history ({Words.Count(lost)} of them acknowledged)");
    }

    /// <summary>Groups sorted instants into bursts whose consecutive members are less than <see cref="BurstGap"/> apart.</summary>
    private static IEnumerable<(Instant From, Instant To, long Count)> Bursts(IEnumerable<Instant> sorted)
    {
        (Instant From, Instant To, long Count)? burst = null;
        foreach (var at in sorted)
        {
            if (burst is { } b && at - b.To < BurstGap)
            {
                burst = (b.From, at, b.Count + 1);
                continue;
            }
            if (burst is { } done)
            {
                yield return done;
            }
            burst = (at, at, 1);
        }
        if (burst is { } last)
        {
            yield return last;
        }
    }

    /// <summary>" (its machine paused)" when a pause or crash fault holds the node at that moment.</summary>
    private static string PausedNote(ClusterSpec spec, NodeId node, Instant at)
    {
        foreach (var fault in spec.Faults)
        {
            var active = Instant.Start + fault.At <= at && (fault.HealsAt is not { } heals || at < heals);
            if (!active)
            {
                continue;
            }
            switch (fault)
            {
                case PauseFault p when p.Node == node:
                    return p.Scope == PauseScope.Machine ? " (its machine paused)" : $" ({p.Scope.ToString().ToLowerInvariant()} paused)";
                case DiskStallFault d when d.Node == node:
                    return " (its disk stalled)";
            }
        }
        return "";
    }

    private static string RoleWord(NodeRole role) => role switch
    {
        NodeRole.Primary => "primary",
        NodeRole.Replica => "replica",
        _ => "down",
    };
}
