using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// What a host drives: one HA agent for one database node, as a sans-IO state machine. Inputs go in
/// through <see cref="Step"/>, the commands to carry out come out, in order, through
/// <see cref="TryTakeCommand"/>. <see cref="FailoverController"/> is Patroni's HA loop;
/// <see cref="NaiveFailoverScript"/> is a hand-rolled heartbeat script with no DCS, kept to show
/// what such a script gets wrong. Both take the same inputs and give the same kinds of commands.
/// </summary>
public interface IHaController
{
    /// <summary>The only way in. <paramref name="now"/> must not go backwards; the first input must be <see cref="Start"/>.</summary>
    void Step(Instant now, ControllerInput input);

    bool TryTakeCommand(out ControllerCommand command);

    /// <summary>What the agent believes, for status endpoints (<c>GET /patroni</c>, <c>/primary</c>) and tests.</summary>
    ControllerState State { get; }

    /// <summary>How many HA cycles have ended; each ending sets <see cref="LastMessage"/> (what a host logs, as Patroni logs each cycle's result).</summary>
    long FinishedCycles { get; }

    /// <summary>What the last cycle decided, in the agent's words (as <see cref="ControllerState.LastMessage"/>, without building the state).</summary>
    string LastMessage { get; }

    /// <summary>What the agent has to say about its settings, for the host to log once.</summary>
    IReadOnlyList<string> SettingsWarnings { get; }
}
