using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// How a client retries a write that failed: exponential backoff with full jitter (Brooker, "Exponential
/// Backoff And Jitter", AWS Architecture Blog, 2015): the wait after the n-th failed attempt is uniform
/// in [0, min(cap, base·multiplier^(n-1))]. Full jitter spreads the clients that all lost their
/// primary at the same instant, so they do not reconnect in lockstep. Attempts are bounded by
/// <see cref="MaxAttempts"/> and, optionally, by a <see cref="Deadline"/> from the first attempt.
/// The defaults are HaSim's, not any driver's: set them from the application being modelled.
/// </summary>
public sealed record RetryPolicy
{
    public Duration BackoffBase { get; init; } = Duration.FromMilliseconds(100);

    public Duration BackoffCap { get; init; } = Duration.FromSeconds(5);

    public double Multiplier { get; init; } = 2.0;

    /// <summary>Attempts in all, the first included; always finite, so a write can never retry forever.</summary>
    public int MaxAttempts { get; init; } = 30;

    /// <summary>The most <see cref="MaxAttempts"/> may be: far beyond any real client, and small enough for the simulator to pack an attempt number with a few flags.</summary>
    public const int MaxAttemptsLimit = 1_000_000;

    /// <summary>No attempt starts later than this after the first one; null: only <see cref="MaxAttempts"/> bounds retries.</summary>
    public Duration? Deadline { get; init; } = Duration.FromSeconds(120);

    /// <summary>Every problem with this policy, one readable line each; empty when it is valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (BackoffBase <= Duration.Zero)
        {
            errors.Add($"backoff base must be positive (got {BackoffBase})");
        }
        if (BackoffCap < BackoffBase)
        {
            errors.Add($"backoff cap ({BackoffCap}) must not be below the base ({BackoffBase})");
        }
        if (!double.IsFinite(Multiplier) || Multiplier < 1.0)
        {
            errors.Add("backoff multiplier must be a finite number of at least 1 (got "
                + Multiplier.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")");
        }
        if (MaxAttempts < 1)
        {
            errors.Add($"max attempts must be at least 1 (got {MaxAttempts})");
        }
        if (MaxAttempts > MaxAttemptsLimit)
        {
            errors.Add($"max attempts must be at most 1,000,000 (got {MaxAttempts})");
        }
        if (Deadline is { } deadline && deadline <= Duration.Zero)
        {
            errors.Add($"retry deadline must be positive (got {deadline})");
        }
        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid retry policy: " + string.Join("; ", errors));
        }
    }

    /// <summary>
    /// The upper bound of the wait after failed attempt number <paramref name="attempt"/>, from 1 up to
    /// <see cref="MaxAttempts"/> - 1 (no retry follows the last attempt): min(cap,
    /// base·multiplier^(attempt-1)). Computed by repeated multiplication, which IEEE 754 makes identical
    /// on every platform (Math.Pow is not guaranteed to be), stopping once the cap is reached.
    /// </summary>
    public Duration Ceiling(int attempt)
    {
        ThrowIfInvalid();
        return CeilingOfValid(attempt);
    }

    /// <summary>
    /// <see cref="Ceiling"/> of every attempt that a retry can follow (index 0: attempt 1), with the
    /// policy checked once: a retrying client looks ceilings up millions of times in a retry storm.
    /// </summary>
    internal Duration[] CeilingTable()
    {
        ThrowIfInvalid();
        var table = new Duration[MaxAttempts - 1];
        for (var attempt = 1; attempt < MaxAttempts; attempt++)
        {
            table[attempt - 1] = CeilingOfValid(attempt);
        }
        return table;
    }

    /// <summary><see cref="Ceiling"/> for a policy already checked valid.</summary>
    private Duration CeilingOfValid(int attempt)
    {
        if (attempt < 1 || attempt >= MaxAttempts)
        {
            throw new ArgumentOutOfRangeException(nameof(attempt),
                $"a retry follows only attempts 1 to {MaxAttempts - 1} (max attempts {MaxAttempts}), not {attempt}");
        }
        double cap = BackoffCap.Nanoseconds;
        double ceiling = BackoffBase.Nanoseconds;
        for (var n = 1; n < attempt && ceiling < cap; n++)
        {
            ceiling *= Multiplier;
        }
        return ceiling >= cap ? BackoffCap : Duration.FromNanosecondsRounded(ceiling);
    }

    /// <summary>
    /// The wait after failed attempt number <paramref name="attempt"/> (from 1): full jitter, one draw
    /// from <paramref name="rng"/>, uniform in [0, <see cref="Ceiling"/>], rounded to whole nanoseconds.
    /// </summary>
    public Duration NextDelay(int attempt, SimRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return NextDelay(attempt, rng.NextDouble());
    }

    /// <summary>
    /// The wait after failed attempt number <paramref name="attempt"/> (from 1) for the uniform
    /// number <paramref name="unit"/> in [0, 1): <paramref name="unit"/> x <see cref="Ceiling"/>,
    /// rounded to whole nanoseconds (full jitter).
    /// </summary>
    public Duration NextDelay(int attempt, double unit)
    {
        ThrowIfInvalid();
        if (!(unit >= 0.0 && unit < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), $"the jitter draw must lie in [0, 1), not {unit}");
        }
        return NextDelayOfValid(attempt, unit);
    }

    /// <summary><see cref="NextDelay(int, double)"/> for a policy already checked valid.</summary>
    private Duration NextDelayOfValid(int attempt, double unit) => Jittered(CeilingOfValid(attempt), unit);

    /// <summary>Full jitter: <paramref name="unit"/> (in [0, 1)) of <paramref name="ceiling"/>, rounded to whole nanoseconds.</summary>
    internal static Duration Jittered(Duration ceiling, double unit) => Duration.FromNanosecondsRounded(unit * ceiling.Nanoseconds);
}
