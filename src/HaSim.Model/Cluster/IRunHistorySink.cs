using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>How a client saw one write end.</summary>
public enum ClientOutcome
{
    Acknowledged,

    /// <summary>Every attempt failed before a database could have committed it.</summary>
    Failed,

    /// <summary>The client never learned whether it committed ("maybe").</summary>
    Unknown,
}

/// <summary>Where a write's commit record was inserted: node, timeline, end LSN, and when.</summary>
public readonly record struct CommitPlacement(NodeId Node, Term Timeline, Lsn EndLsn, Instant AcceptedAt);

/// <summary>One client write with its outcome, reported once the outcome is known (or at the end of the run, as unknown).</summary>
public readonly record struct ClientCommit(long Id, int Client, ClientOutcome Outcome, Instant SubmittedAt, Instant OutcomeAt, long SizeBytes, CommitPlacement? Placement);

/// <summary>What a node's database is doing, as far as accepting writes goes.</summary>
public enum DatabaseActivity
{
    /// <summary>Not running, or shutting down (it accepts no writes).</summary>
    Down,

    /// <summary>In recovery: read-only.</summary>
    Replica,

    /// <summary>Out of recovery: it accepts writes.</summary>
    Primary,
}

/// <summary>
/// Receives a failover run's history as it happens: client writes with their outcomes and
/// placements, each node's role changes, promotions (timeline switches), faults, and each node's
/// WAL end when the run stops. The checkers (HaSim.Checkers) are fed from it by the caller; the
/// simulation only reports, so checking cannot perturb a run.
/// </summary>
public interface IRunHistorySink
{
    void Commit(in ClientCommit commit);

    void Role(Instant at, NodeId node, DatabaseActivity role, Term timeline);

    void Promotion(Instant at, NodeId node, Term parent, Lsn switchLsn, Term newTimeline);

    void Fault(string description, Instant start, Instant? end);

    void WalEnd(NodeId node, Term timeline, Lsn walEnd);
}
