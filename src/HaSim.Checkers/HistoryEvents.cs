using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>What a node's database was doing. Only <see cref="Primary"/> counts as a writable primary.</summary>
public enum NodeRole
{
    /// <summary>Not running (crashed, stopped, restarting).</summary>
    Down,

    /// <summary>Running in recovery (<c>pg_is_in_recovery()</c> true): read-only.</summary>
    Replica,

    /// <summary>Running out of recovery (<c>pg_is_in_recovery()</c> false): it would accept client writes. A paused VM stays in this role; it accepts nothing only because it cannot run.</summary>
    Primary,
}

/// <summary>A span during which a node held one role on one timeline; <paramref name="To"/> is null when it still held it at the end of the run.</summary>
public sealed record RoleInterval(NodeId Node, NodeRole Role, Term Timeline, Instant From, Instant? To)
{
    /// <summary>The end of the span, the run's end standing in for "still held".</summary>
    public Instant Until(Instant runEnd) => To ?? runEnd;
}

/// <summary>
/// A promotion, as a line of PostgreSQL's <c>NNNNNNNN.history</c> file: timeline
/// <paramref name="NewTimeline"/> was created on <paramref name="Node"/> at <paramref name="At"/>
/// from <paramref name="Parent"/> at <paramref name="SwitchLsn"/>. The new timeline's history holds
/// the parent's WAL up to the switch point and nothing of the parent beyond it, which is why WAL
/// the old primary wrote past that point is lost once the new timeline wins.
/// </summary>
public sealed record TimelineSwitch(Term NewTimeline, Term Parent, Lsn SwitchLsn, NodeId Node, Instant At)
{
    public override string ToString() => $"{NewTimeline} from {Parent} at {SwitchLsn} on {Node} at {At}";
}

/// <summary>A fault window (crash, pause, partition, ...); <paramref name="End"/> is null for a fault that never heals within the run.</summary>
public sealed record FaultWindow(string Kind, Instant Start, Instant? End)
{
    public override string ToString() => $"{Kind} {Start}..{(End is { } e ? e.ToString() : "never healed")}";
}

/// <summary>
/// A node's WAL at the end of the run: its timeline and the end of the WAL it holds (the insert
/// position of a running node, the flushed position of a crashed one, since unflushed WAL does not
/// survive a crash).
/// </summary>
public sealed record NodeWalEnd(NodeId Node, Term Timeline, Lsn WalEnd);

/// <summary>
/// The span over which a node accepted client commits on one timeline, from its first to its last
/// accepted commit there (closed at both ends). One node holds one timeline as primary for one
/// continuous stint, since every promotion starts a new timeline, so the span is a single stint.
/// </summary>
public sealed record AcceptedInterval(NodeId Node, Term Timeline, Instant From, Instant To, int Commits)
{
    public override string ToString() => $"{Node} {Timeline} {From}..{To} ({Commits} commits)";
}

/// <summary>A half-open span of simulated time [From, To).</summary>
public readonly record struct TimeWindow(Instant From, Instant To)
{
    public Duration Length => To - From;
    public override string ToString() => $"{From}..{To} ({Length})";
}
