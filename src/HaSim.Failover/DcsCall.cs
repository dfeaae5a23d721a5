using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// One DCS call in flight and its retry schedule, as Patroni's <c>Retry(deadline=retry_timeout,
/// max_delay=1, max_tries=-1)</c>: after a failed attempt wait 0.1 s, doubling up to 1 s, and give
/// up when the next attempt would start at or after the deadline. Patroni adds up to 10 ms of
/// random jitter; the controller has no randomness, so there is none.
/// </summary>
internal sealed class DcsCall(DcsOperation operation, RequestId firstAttempt, Instant deadline, Action<DcsOutcome> then)
{
    private static readonly Duration FirstDelay = Duration.FromMilliseconds(100);
    private static readonly Duration MaxDelay = Duration.FromSeconds(1);

    private Duration _delay = FirstDelay;

    public DcsOperation Operation { get; } = operation;
    public RequestId Attempt { get; private set; } = firstAttempt;
    public Instant Deadline { get; } = deadline;
    public Action<DcsOutcome> Then { get; } = then;

    /// <summary>When to try again after a failed attempt at <paramref name="now"/>, or null if the deadline comes first.</summary>
    public Instant? NextAttempt(Instant now)
    {
        var at = now + _delay;
        _delay = Duration.Min(_delay * 2, MaxDelay);
        return at < Deadline ? at : null;
    }

    public void Reissue(RequestId attempt) => Attempt = attempt;
}

/// <summary>Peer requests sent together whose answers are awaited together (Patroni queries peers in parallel).</summary>
internal sealed class PeerProbe<TAnswer>(IReadOnlyList<(RequestId Request, NodeId Peer)> requests, Action<IReadOnlyList<(NodeId Peer, TAnswer Answer)>> then)
{
    private readonly List<(NodeId Peer, TAnswer Answer)> _answers = [];
    private readonly List<RequestId> _waiting = requests.Select(r => r.Request).ToList();

    /// <summary>Records an answer; true when it was the last one awaited.</summary>
    public bool Record(RequestId request, NodeId peer, TAnswer answer)
    {
        if (!_waiting.Remove(request))
        {
            return false;
        }
        _answers.Add((peer, answer));
        return _waiting.Count == 0;
    }

    public void Complete() => then(_answers);
}
