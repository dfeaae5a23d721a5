using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// The input contract every <see cref="IHaController"/> keeps, in one place: no null input, time
/// never goes backwards, <see cref="Start"/> first and only once.
/// </summary>
internal static class StepGuard
{
    /// <summary>Checks one input against the contract; returns <paramref name="now"/>, the controller's new clock.</summary>
    public static Instant Admit(Instant last, Instant now, bool started, ControllerInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (now < last)
        {
            throw new ArgumentOutOfRangeException(nameof(now), $"time went backwards: {now} after {last}");
        }
        if (!started && input is not Start)
        {
            throw new InvalidOperationException($"the first input must be Start, got {input.GetType().Name}");
        }
        if (started && input is Start)
        {
            throw new InvalidOperationException("Start was already given");
        }
        return now;
    }
}
