using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// Why an attempt failed before its request could have reached a database, so retrying it is safe.
/// A request that was sent and then lost its answer is not a failure: see
/// <see cref="ClientWrite.OnOutcomeUnknown"/>.
/// </summary>
public enum AttemptFailure
{
    /// <summary>The endpoint had no UP server and refused the connection.</summary>
    NoServerUp,

    /// <summary>The server refused the connection (the database is down, the port closed).</summary>
    ConnectionRefused,

    /// <summary>No connection within the client's connect timeout (a dead host, a partition).</summary>
    ConnectTimeout,

    /// <summary>The session was cut (e.g. on-marked-down shutdown-sessions) before the request was sent.</summary>
    SessionCut,

    /// <summary>The server answered with an error that proves nothing was committed (e.g. a read-only standby).</summary>
    Rejected,
}

/// <summary>How one attempt ended.</summary>
public enum AttemptResult
{
    Failed,
    Acknowledged,

    /// <summary>The request was sent, then the connection broke or timed out before the answer.</summary>
    OutcomeUnknown,
}

/// <summary>How a logical write ended, as far as its client knows.</summary>
public enum WriteOutcome
{
    /// <summary>An attempt is running or a retry is scheduled.</summary>
    Pending,

    /// <summary>The database acknowledged the commit: losing it afterwards counts towards RPO.</summary>
    Acknowledged,

    /// <summary>Every attempt failed before its request could commit: the client knows it did not happen.</summary>
    Failed,

    /// <summary>
    /// The client never learned whether the commit happened: it may or may not survive, and RPO
    /// accounting must count it as "maybe", never as lost.
    /// </summary>
    Unknown,
}

/// <summary>One attempt of a logical write, from its start to its end.</summary>
public readonly record struct WriteAttempt(int Number, Instant StartedAt, Instant EndedAt, AttemptResult Result, AttemptFailure? Failure);

/// <summary>
/// The record of one logical write by a <see cref="RetryingClient"/>: when it was first tried, how
/// many attempts ended and how the last one did, and how the write ended. Each attempt's end is also
/// reported to <see cref="RetryingClient.AttemptEnded"/>; the write keeps no list, since a retry
/// storm during an outage would make it the largest allocation of a run. The host reports each attempt's end; after a failure this record says
/// when the next attempt starts, or gives up. An unknown outcome ends the write without retry: the
/// request may have committed, and sending it again could apply it twice.
/// </summary>
public sealed class ClientWrite
{
    private readonly RetryingClient _client;

    internal ClientWrite(RetryingClient client, long id, Instant firstAttemptAt)
    {
        _client = client;
        Id = id;
        FirstAttemptAt = firstAttemptAt;
        CurrentAttemptAt = firstAttemptAt;
    }

    internal RetryingClient Owner => _client;

    public long Id { get; private set; }

    public Instant FirstAttemptAt { get; private set; }

    /// <summary>When the running or scheduled attempt starts (for a finished write: when its last attempt started).</summary>
    public Instant CurrentAttemptAt { get; private set; }

    /// <summary>How many attempts have ended.</summary>
    public int AttemptCount { get; private set; }

    /// <summary>The attempt that ended last; null before any has ended.</summary>
    public WriteAttempt? LastAttempt { get; private set; }

    public WriteOutcome Outcome { get; private set; } = WriteOutcome.Pending;

    /// <summary>When the outcome was settled; null while pending.</summary>
    public Instant? CompletedAt { get; private set; }

    /// <summary>
    /// The current attempt failed safely (<paramref name="reason"/>). Returns when the next attempt
    /// starts, after a jittered backoff; or null when the client gives up (max attempts reached, or
    /// the retry would start after the deadline), leaving the write <see cref="WriteOutcome.Failed"/>.
    /// </summary>
    public Instant? OnAttemptFailed(Instant now, AttemptFailure reason)
    {
        End(now, AttemptResult.Failed, reason);
        if (RetryAfter(AttemptCount, now) is { } retryAt)
        {
            CurrentAttemptAt = retryAt;
            return retryAt;
        }
        Settle(now, WriteOutcome.Failed);
        return null;
    }

    /// <summary>
    /// When the retry after failed attempt <paramref name="attempt"/>, ended at <paramref name="endedAt"/>,
    /// starts; null when the client gives up instead (max attempts reached, or past the deadline).
    /// </summary>
    private Instant? RetryAfter(int attempt, Instant endedAt) =>
        _client.TryRetry(Id, FirstAttemptAt.NanosecondsSinceStart, attempt, endedAt.NanosecondsSinceStart, out var retryAt)
            ? new Instant(retryAt)
            : null;

    /// <summary>
    /// When the write would give up if the scheduled attempt, at <see cref="CurrentAttemptAt"/>, and
    /// every retry after it failed the instant it started (as they do while the endpoint has no
    /// server UP): the start of its last attempt. Changes nothing the write reports (it keeps the
    /// forecast for <see cref="FailEveryRemainingAttempt"/>); the retry times are the ones
    /// <see cref="OnAttemptFailed"/> will return, since the jitter is read by (write, attempt).
    /// </summary>
    public Instant LastAttemptIfEveryAttemptFails()
    {
        if (Outcome != WriteOutcome.Pending)
        {
            throw new InvalidOperationException($"write {Id} is {Outcome}: it has no attempts left");
        }
        var walk = _client.WalkFailingAttempts(Id, FirstAttemptAt.NanosecondsSinceStart, AttemptCount + 1, CurrentAttemptAt.NanosecondsSinceStart, long.MaxValue);
        var startsAt = new Instant(walk.StartsAt);
        _forecast = (AttemptCount, walk.Attempt, startsAt);
        return startsAt;
    }

    // The last forecast: made when AttemptCount was From, the last attempt is number Last and starts At.
    private (int From, int Last, Instant At) _forecast = (-1, 0, default);

    /// <summary>
    /// The scheduled attempt and every retry after it failed the instant they started
    /// (<paramref name="reason"/>): the write ends <see cref="WriteOutcome.Failed"/> at its last
    /// attempt, which is returned. The same as calling <see cref="OnAttemptFailed"/> at each
    /// attempt's start until it gives up; with nobody listening to <see cref="RetryingClient.AttemptEnded"/>
    /// and a forecast (<see cref="LastAttemptIfEveryAttemptFails"/>) since the last attempt ended,
    /// it takes the forecast instead of drawing every retry again.
    /// </summary>
    public Instant FailEveryRemainingAttempt(AttemptFailure reason)
    {
        if (_forecast.From == AttemptCount && !_client.HasAttemptListeners && Outcome == WriteOutcome.Pending)
        {
            var (_, last, at) = _forecast;
            AttemptCount = last;
            CurrentAttemptAt = at;
            LastAttempt = new WriteAttempt(last, at, at, AttemptResult.Failed, reason);
            Settle(at, WriteOutcome.Failed);
            return at;
        }
        while (OnAttemptFailed(CurrentAttemptAt, reason) is not null)
        {
        }
        return CompletedAt!.Value;
    }

    /// <summary>
    /// Every attempt that starts before <paramref name="now"/> failed the instant it started
    /// (<paramref name="reason"/>), and the write retries: the next attempt starts at or after
    /// <paramref name="now"/>. The same as calling <see cref="OnAttemptFailed"/> at each of those
    /// attempts' starts; with nobody listening to <see cref="RetryingClient.AttemptEnded"/>, the
    /// record moves to the last of them at once. Throws if the write would give up before
    /// <paramref name="now"/>: the host should have ended it then.
    /// </summary>
    public void FailAttemptsStartingBefore(Instant now, AttemptFailure reason)
    {
        if (_client.HasAttemptListeners || Outcome != WriteOutcome.Pending)
        {
            while (CurrentAttemptAt < now)
            {
                if (OnAttemptFailed(CurrentAttemptAt, reason) is null)
                {
                    throw new InvalidOperationException($"write {Id} ran out of attempts at {CompletedAt}, before {now}");
                }
            }
            return;
        }
        if (CurrentAttemptAt >= now)
        {
            return;
        }
        var walk = _client.WalkFailingAttempts(Id, FirstAttemptAt.NanosecondsSinceStart, AttemptCount + 1, CurrentAttemptAt.NanosecondsSinceStart, now.NanosecondsSinceStart);
        if (walk.Exhausted)
        {
            throw new InvalidOperationException($"write {Id} ran out of attempts at {new Instant(walk.StartsAt)}, before {now}");
        }
        var failedAt = new Instant(walk.PreviousStartsAt);
        AttemptCount = walk.Attempt - 1;
        CurrentAttemptAt = new Instant(walk.StartsAt);
        LastAttempt = new WriteAttempt(AttemptCount, failedAt, failedAt, AttemptResult.Failed, reason);
    }

    /// <summary>The current attempt's commit was acknowledged.</summary>
    public void OnAcknowledged(Instant now)
    {
        End(now, AttemptResult.Acknowledged, failure: null);
        Settle(now, WriteOutcome.Acknowledged);
    }

    /// <summary>The current attempt's request was sent, then its connection broke or timed out before an answer.</summary>
    public void OnOutcomeUnknown(Instant now)
    {
        End(now, AttemptResult.OutcomeUnknown, failure: null);
        Settle(now, WriteOutcome.Unknown);
    }

    private void End(Instant now, AttemptResult result, AttemptFailure? failure)
    {
        if (Outcome != WriteOutcome.Pending)
        {
            throw new InvalidOperationException($"write {Id} already ended ({Outcome} at {CompletedAt})");
        }
        if (now < CurrentAttemptAt)
        {
            throw new ArgumentOutOfRangeException(nameof(now), $"attempt {AttemptCount + 1} of write {Id} starts at {CurrentAttemptAt}, not before; it cannot end at {now}");
        }
        AttemptCount++;
        var attempt = new WriteAttempt(AttemptCount, CurrentAttemptAt, now, result, failure);
        LastAttempt = attempt;
        _client.OnAttemptEnded(this, attempt);
    }

    /// <summary>This record, of a finished write, now records a new write (the host reuses records: a run starts hundreds of thousands).</summary>
    internal void Restart(long id, Instant firstAttemptAt)
    {
        if (Outcome == WriteOutcome.Pending)
        {
            throw new InvalidOperationException($"write {Id} is still pending; its record cannot be reused");
        }
        Id = id;
        FirstAttemptAt = firstAttemptAt;
        CurrentAttemptAt = firstAttemptAt;
        Outcome = WriteOutcome.Pending;
        CompletedAt = null;
        AttemptCount = 0;
        LastAttempt = null;
        _forecast = (-1, 0, default);
    }

    private void Settle(Instant now, WriteOutcome outcome)
    {
        Outcome = outcome;
        CompletedAt = now;
    }
}
