using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// A client that retries failed writes under a <see cref="RetryPolicy"/>, taking its backoff jitter
/// from its own random stream: the same seed gives the same retry times, and other components' draws
/// never shift them. The jitter of write w's retry after its n-th attempt is the stream's number at
/// index (w, n) (<see cref="IndexedRandom"/>): it does not depend on the order in which writes fail,
/// so a host may work out a write's retries ahead of time (see <see cref="ClientWrite.LastAttemptIfEveryAttemptFails"/>).
/// One instance per simulated client (or per client population sharing a stream).
/// </summary>
public sealed class RetryingClient
{
    /// <summary>A client retrying under <paramref name="policy"/> with jitter from <paramref name="jitter"/>, e.g. <c>new IndexedRandom(seed, "client/0")</c>.</summary>
    public RetryingClient(RetryPolicy policy, IndexedRandom jitter)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _ceilings = policy.CeilingTable(); // checks the policy
        Policy = policy;
        Jitter = jitter;
        _maxAttempts = policy.MaxAttempts;
        _deadlineNs = (policy.Deadline ?? Duration.MaxValue).Nanoseconds;
        // Padded with a vector's worth of zeros: a block of delays may run past the last attempt.
        _ceilingNanos = new double[_ceilings.Length + DelayBlock];
        for (var i = 0; i < _ceilings.Length; i++)
        {
            _ceilingNanos[i] = _ceilings[i].Nanoseconds;
        }
        _delaysInBlocks = Avx512DQ.VL.IsSupported && _ceilings.All(c => c.Nanoseconds < Duration.PlainRoundingBelowNanos);
    }

    // Delays worked out four at a time (DelayBlocks): the ceilings as the doubles a jittered delay
    // multiplies, and whether to do so (64-bit lanes multiplied in hardware, and every delay on
    // Duration.FromNanosecondsRounded's plain path, which the blocks repeat).
    private const int DelayBlock = 4;
    private readonly double[] _ceilingNanos;
    private readonly bool _delaysInBlocks;

    private readonly int _maxAttempts;
    private readonly long _deadlineNs; // long.MaxValue when the policy has no deadline

    private readonly Duration[] _ceilings;

    public RetryPolicy Policy { get; }

    /// <summary>Where the jitter of write w's retry after attempt n comes from: <c>Jitter.UnitAt(w, n)</c>.</summary>
    public IndexedRandom Jitter { get; }

    /// <summary><see cref="RetryPolicy.NextDelay(int, double)"/> of this client's policy, from a table.</summary>
    internal Duration Delay(int attempt, double unit) => RetryPolicy.Jittered(_ceilings[attempt - 1], unit);

    /// <summary>
    /// Write <paramref name="id"/>'s attempts while each fails the instant it starts: from attempt
    /// <paramref name="attempt"/>, which starts at <paramref name="startsAt"/>, on to the first that
    /// starts at or after <paramref name="until"/> (ns), or to its last attempt (<c>Exhausted</c>).
    /// Returns that attempt, its start, and the start of the one before it (<paramref name="startsAt"/>
    /// if none was passed). The retry times are <see cref="ClientWrite.OnAttemptFailed"/>'s, worked out
    /// in one loop: a long outage runs it for thousands of parked writes, some thirty retries each.
    /// </summary>
    internal RetryWalk WalkFailingAttempts(long id, long firstAttemptAt, int attempt, long startsAt, long until)
    {
        var jitter = Jitter.Row(id);
        if (_delaysInBlocks)
        {
            return WalkInBlocks(jitter, firstAttemptAt, attempt, startsAt, until);
        }
        var previous = startsAt;
        while (startsAt < until)
        {
            if (!TryRetry(jitter, firstAttemptAt, attempt, startsAt, out var next))
            {
                return new RetryWalk(attempt, startsAt, previous, Exhausted: true);
            }
            previous = startsAt;
            startsAt = next;
            attempt++;
        }
        return new RetryWalk(attempt, startsAt, previous, Exhausted: false);
    }

    /// <summary>
    /// <see cref="WalkFailingAttempts"/> with the delays worked out a block of attempts at a time
    /// (<see cref="DelayBlocks"/>): each attempt's checks as <see cref="TryRetry(IndexedRow, long, int, long, out long)"/> makes them.
    /// A walk is thirty retries or so, and drawing their jitter one by one was most of its cost.
    /// </summary>
    private RetryWalk WalkInBlocks(IndexedRow jitter, long firstAttemptAt, int attempt, long startsAt, long until)
    {
        var previous = startsAt;
        while (startsAt < until)
        {
            if (attempt >= _maxAttempts)
            {
                return new RetryWalk(attempt, startsAt, previous, Exhausted: true);
            }
            var delays = DelayBlocks(jitter, attempt);
            var inBlock = Math.Min(DelayBlock, _maxAttempts - attempt);
            for (var i = 0; i < inBlock; i++)
            {
                var next = checked(startsAt + delays.GetElement(i));
                if (checked(next - firstAttemptAt) > _deadlineNs)
                {
                    return new RetryWalk(attempt, startsAt, previous, Exhausted: true);
                }
                previous = startsAt;
                startsAt = next;
                attempt++;
                if (startsAt >= until)
                {
                    break;
                }
            }
        }
        return new RetryWalk(attempt, startsAt, previous, Exhausted: false);
    }

    /// <summary>
    /// The delays (ns) after attempts <paramref name="attempt"/> to <paramref name="attempt"/> + 3:
    /// lane by lane, <see cref="Delay"/> of the write's jitter, by the same IEEE operations
    /// (Math.Round away from zero is truncating x + 0.49999999999999994, for the x &gt;= 0 a
    /// delay is). Lanes past the last attempt read the table's zero padding and go unused.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<long> DelayBlocks(IndexedRow jitter, int attempt)
    {
        var x = jitter.UnitsAt(attempt) * Vector256.LoadUnsafe(ref _ceilingNanos[attempt - 1]);
        return Vector256.ConvertToInt64(Vector256.Truncate(x + Vector256.Create(0.49999999999999994)));
    }

    /// <summary>
    /// When write <paramref name="id"/> retries after attempt <paramref name="attempt"/> failed at
    /// <paramref name="endedAt"/> (ns): false when it gives up instead (max attempts reached, or the
    /// retry would start past the deadline from <paramref name="firstAttemptAt"/>).
    /// </summary>
    internal bool TryRetry(long id, long firstAttemptAt, int attempt, long endedAt, out long retryAt) =>
        TryRetry(Jitter.Row(id), firstAttemptAt, attempt, endedAt, out retryAt);

    /// <summary><see cref="TryRetry(long, long, int, long, out long)"/> with the write's row of the jitter stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRetry(IndexedRow jitter, long firstAttemptAt, int attempt, long endedAt, out long retryAt)
    {
        retryAt = 0;
        if (attempt >= _maxAttempts)
        {
            return false;
        }
        var next = checked(endedAt + Delay(attempt, jitter.UnitAt(attempt)).Nanoseconds);
        if (checked(next - firstAttemptAt) > _deadlineNs)
        {
            return false;
        }
        retryAt = next;
        return true;
    }

    /// <summary>
    /// Every attempt of every write, as it ends (for tests and traces; nothing subscribes in a run).
    /// Attempts a host works out ahead of time (see <see cref="ClientWrite.LastAttemptIfEveryAttemptFails"/>) are
    /// reported when the host settles them, with their own times.
    /// </summary>
    public event Action<ClientWrite, WriteAttempt>? AttemptEnded;

    internal void OnAttemptEnded(ClientWrite write, WriteAttempt attempt) => AttemptEnded?.Invoke(write, attempt);

    internal bool HasAttemptListeners => AttemptEnded is not null;

    /// <summary>Starts logical write <paramref name="id"/>: its first attempt starts <paramref name="now"/>.</summary>
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

/// <summary>Where <see cref="RetryingClient.WalkFailingAttempts"/> stopped: attempt <paramref name="Attempt"/> starts at <paramref name="StartsAt"/> (ns), the one before it at <paramref name="PreviousStartsAt"/>; <paramref name="Exhausted"/>: it is the write's last.</summary>
internal readonly record struct RetryWalk(int Attempt, long StartsAt, long PreviousStartsAt, bool Exhausted);
