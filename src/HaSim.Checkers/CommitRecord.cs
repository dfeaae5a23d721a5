using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>How the client saw a write end. Only the client's view counts for RPO: a write is lost when it was acknowledged and is missing afterwards.</summary>
public enum CommitOutcome
{
    /// <summary>The client got a successful COMMIT reply.</summary>
    Acknowledged,

    /// <summary>Definitely not applied: rejected before it reached a database (no route, read-only node, refused connection). Checkers ignore it.</summary>
    Failed,

    /// <summary>The connection broke after the request was sent: the client cannot know whether it committed ("maybe"), so it is never counted as lost.</summary>
    Unknown,
}

/// <summary>
/// Where a write landed: the node that inserted its commit record as a primary, the timeline it was
/// on, the LSN of the end of the commit record (what <c>pg_current_wal_insert_lsn()</c> returns just
/// after the insert), and when. The end LSN is what decides survival: WAL up to a timeline's switch
/// point is part of every child timeline's history.
/// </summary>
public readonly record struct WalPlacement(NodeId Node, Term Timeline, Lsn EndLsn, Instant AcceptedAt)
{
    public override string ToString() => $"{Node} {Timeline} at {EndLsn} (accepted {AcceptedAt})";
}

/// <summary>
/// One client write, recorded once its outcome is known (or at the end of the run, as
/// <see cref="CommitOutcome.Unknown"/>, if it was still in flight). A value type so that a run's
/// 120,000 records sit in one array.
/// </summary>
/// <param name="Id">Unique per run; assigned at submission, so id order is submission order.</param>
/// <param name="ClientId">The client (session) that sent it.</param>
/// <param name="Outcome">What the client saw.</param>
/// <param name="SubmittedAt">The first attempt (a retried write keeps its first submission time).</param>
/// <param name="OutcomeAt">When the client saw the outcome (acknowledgement, failure or broken connection).</param>
/// <param name="SizeBytes">WAL bytes of the transaction.</param>
/// <param name="Placement">Where it was inserted; required when acknowledged, absent when failed, and either for an unknown outcome (the request may never have reached a database).</param>
public readonly record struct CommitRecord(
    long Id,
    int ClientId,
    CommitOutcome Outcome,
    Instant SubmittedAt,
    Instant OutcomeAt,
    long SizeBytes,
    WalPlacement? Placement)
{
    public static CommitRecord Acknowledged(long id, int clientId, WalPlacement placement, long sizeBytes, Instant submittedAt, Instant acknowledgedAt) =>
        new(id, clientId, CommitOutcome.Acknowledged, submittedAt, acknowledgedAt, sizeBytes, placement);

    public static CommitRecord Failed(long id, int clientId, long sizeBytes, Instant submittedAt, Instant failedAt) =>
        new(id, clientId, CommitOutcome.Failed, submittedAt, failedAt, sizeBytes, null);

    public static CommitRecord Unknown(long id, int clientId, WalPlacement? placement, long sizeBytes, Instant submittedAt, Instant brokenAt) =>
        new(id, clientId, CommitOutcome.Unknown, submittedAt, brokenAt, sizeBytes, placement);

    /// <summary>Why the record is inconsistent, or null when it is well formed.</summary>
    internal string? Problem() => this switch
    {
        { Outcome: CommitOutcome.Acknowledged, Placement: null } => "an acknowledged commit needs a placement (node, timeline, LSN)",
        { Outcome: CommitOutcome.Failed, Placement: not null } => "a failed commit never reached a database, so it has no placement",
        _ when OutcomeAt < SubmittedAt => "its outcome precedes its submission",
        { Placement: { } p } when p.AcceptedAt < SubmittedAt || p.AcceptedAt > OutcomeAt => "it was accepted outside [submission, outcome]",
        _ when SizeBytes < 0 => "its size is negative",
        _ => null,
    };

    /// <summary>One line for repro output, e.g. <c>#17 client 3 Acknowledged T+1.2s (submitted T+1.1s), 512B, node1 term2 at 0/1F40 (accepted T+1.15s)</c>.</summary>
    public override string ToString() =>
        $"#{Id} client {ClientId} {Outcome} {OutcomeAt} (submitted {SubmittedAt}), {ByteText.FormatSize(SizeBytes)}"
        + (Placement is { } p ? ", " + p : ", never placed");
}
