using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// A client that retries failed writes under a <see cref="RetryPolicy"/>, drawing its backoff jitter
/// from its own random stream: the same seed gives the same retry times, and other components' draws
/// never shift them. One instance per simulated client (or per client population sharing a stream).
/// </summary>
public sealed class RetryingClient
{
    /// <summary>A client retrying under <paramref name="policy"/> with jitter from <paramref name="random"/>, e.g. <c>new SimRandom(seed, "client/0")</c>.</summary>
    public RetryingClient(RetryPolicy policy, SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(random);
        policy.ThrowIfInvalid();
        Policy = policy;
        Random = random;
    }

    public RetryPolicy Policy { get; }

    internal SimRandom Random { get; }

    /// <summary>Starts logical write <paramref name="id"/>: its first attempt starts <paramref name="now"/>.</summary>
    /// <summary>Every attempt of every write, as it ends (for tests and traces; nothing subscribes in a run).</summary>
    public event Action<ClientWrite, WriteAttempt>? AttemptEnded;

    internal void OnAttemptEnded(ClientWrite write, WriteAttempt attempt) => AttemptEnded?.Invoke(write, attempt);

    public ClientWrite Begin(long id, Instant now) => new(this, id, now);

    /// <summary><see cref="Begin(long, Instant)"/>, reusing the record of a finished write of this client.</summary>
    internal ClientWrite Begin(long id, Instant now, ClientWrite finished)
    {
        if (!ReferenceEquals(finished.Owner, this))
        {
            throw new ArgumentException("the record belongs to another client", nameof(finished));
        }
        finished.Restart(id, now);
        return finished;
    }
}
