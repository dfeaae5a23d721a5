using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// HAProxy's <c>init-state</c> server keyword: the state a server starts in before any check ran.
/// The comments give the health counter (see <see cref="ServerHealthCheck.Health"/>) HAProxy starts it at.
/// </summary>
public enum ServerInitState
{
    /// <summary>UP; one failed check marks it DOWN (health = rise). HAProxy's default, and what Patroni's template gets.</summary>
    Up,

    /// <summary>UP; only <c>fall</c> consecutive failed checks mark it DOWN (health = rise + fall - 1).</summary>
    FullyUp,

    /// <summary>DOWN; one passed check marks it UP (health = rise - 1).</summary>
    Down,

    /// <summary>DOWN; <c>rise</c> consecutive passed checks are needed to mark it UP (health = 0).</summary>
    FullyDown,
}

/// <summary>HAProxy's <c>balance</c> algorithm for the write backend: which UP server a new connection goes to.</summary>
public enum BalanceAlgorithm
{
    /// <summary><c>balance first</c>: the first UP server in backend order (HaSim's default: one fixed writer whenever several are UP).</summary>
    First,

    /// <summary>
    /// <c>balance roundrobin</c>, HAProxy's default and what Patroni's haproxy.cfg template gets: new
    /// connections go to the UP servers in turn, so while two nodes both pass <c>/primary</c> both get writes.
    /// </summary>
    RoundRobin,
}

/// <summary>
/// Health-check settings of one HAProxy backend, named as in haproxy.cfg (<c>default-server inter 3s
/// fall 3 rise 2 on-marked-down shutdown-sessions</c>, <c>timeout check</c>, <c>timeout connect</c>) so
/// users can paste theirs. Unset optional values behave as HAProxy documents: <c>fastinter</c> and
/// <c>downinter</c> fall back to <c>inter</c>; without <c>timeout check</c> the whole check must
/// answer within <c>inter</c>. Consumers reject invalid settings with <see cref="Errors"/>.
/// </summary>
public sealed record HealthCheckSettings
{
    /// <summary><c>inter</c>: interval between checks of a server that is fully UP. HAProxy's default 2 s.</summary>
    public Duration Inter { get; init; } = Duration.FromSeconds(2);

    /// <summary><c>fastinter</c>: interval while going up or down, and before the first verdict; unset = <see cref="Inter"/>.</summary>
    public Duration? FastInter { get; init; }

    /// <summary><c>downinter</c>: interval while fully DOWN; unset = <see cref="Inter"/>.</summary>
    public Duration? DownInter { get; init; }

    /// <summary><c>rise</c>: consecutive passed checks that mark a DOWN server UP. HAProxy's default 2.</summary>
    public int Rise { get; init; } = 2;

    /// <summary><c>fall</c>: consecutive failed checks that mark an UP server DOWN. HAProxy's default 3.</summary>
    public int Fall { get; init; } = 3;

    /// <summary>
    /// <c>timeout check</c>: when set, the check's response must arrive within this time after its
    /// connection was established; unset (HAProxy's default), connect and response together must fit in
    /// <see cref="Inter"/>.
    /// </summary>
    public Duration? TimeoutCheck { get; init; }

    /// <summary>
    /// The backend's <c>timeout connect</c>. It bounds a check's connect phase only together with
    /// <see cref="TimeoutCheck"/>, and then as min(timeout connect, inter).
    /// </summary>
    public Duration? TimeoutConnect { get; init; }

    /// <summary>
    /// <c>on-marked-down shutdown-sessions</c>: when a server is marked DOWN, cut every session to it
    /// at once instead of letting them run until they fail on their own. Patroni's template sets it so
    /// that clients of a demoted primary reconnect through the endpoint.
    /// </summary>
    public bool OnMarkedDownShutdownSessions { get; init; }

    /// <summary><c>init-state</c>: how servers start; HAProxy's default is <see cref="ServerInitState.Up"/>.</summary>
    public ServerInitState InitState { get; init; } = ServerInitState.Up;

    /// <summary>
    /// The backend's <c>balance</c>. <see cref="BalanceAlgorithm.First"/> by default (HaSim's choice,
    /// kept so runs stay comparable); <see cref="BalanceAlgorithm.RoundRobin"/> is what Patroni's
    /// template actually runs and lets a split brain reach both primaries.
    /// </summary>
    public BalanceAlgorithm Balance { get; init; } = BalanceAlgorithm.First;

    /// <summary>The interval used while going up or down: <c>fastinter</c> if set, else <c>inter</c>.</summary>
    public Duration EffectiveFastInter => FastInter ?? Inter;

    /// <summary>The interval used while fully DOWN: <c>downinter</c> if set, else <c>inter</c>.</summary>
    public Duration EffectiveDownInter => DownInter ?? Inter;

    /// <summary>
    /// How long a check may wait for its connection. HAProxy arms the check task with <c>inter</c>,
    /// shortened to <c>timeout connect</c> only when both <c>timeout check</c> and <c>timeout connect</c>
    /// are set; without <c>timeout check</c> this one budget also covers the response.
    /// </summary>
    public Duration ConnectBudget =>
        TimeoutCheck is not null && TimeoutConnect is { } connect ? Duration.Min(connect, Inter) : Inter;

    /// <summary>The settings Patroni's documentation ships in its haproxy.cfg template.</summary>
    public static HealthCheckSettings PatroniTemplate { get; } = new()
    {
        Inter = Duration.FromSeconds(3),
        Rise = 2,
        Fall = 3,
        TimeoutCheck = Duration.FromSeconds(5),
        TimeoutConnect = Duration.FromSeconds(4),
        OnMarkedDownShutdownSessions = true,
    };

    /// <summary>Every problem with these settings, one readable line each; empty when they are valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        Positive(errors, "inter", Inter);
        Positive(errors, "fastinter", FastInter);
        Positive(errors, "downinter", DownInter);
        Positive(errors, "timeout check", TimeoutCheck);
        Positive(errors, "timeout connect", TimeoutConnect);
        if (Rise < 1)
        {
            errors.Add($"rise must be at least 1 (got {Rise}): a server needs one passed check to come UP");
        }
        if (Fall < 1)
        {
            errors.Add($"fall must be at least 1 (got {Fall}): a server needs one failed check to go DOWN");
        }
        if (!Enum.IsDefined(Balance))
        {
            errors.Add($"balance must be first or roundrobin (got {(int)Balance})");
        }
        if (!Enum.IsDefined(InitState))
        {
            errors.Add($"init-state must be one of fully-up, up, down, fully-down (got {(int)InitState})");
        }
        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid health-check settings: " + string.Join("; ", errors));
        }
    }

    private static void Positive(List<string> errors, string name, Duration? value)
    {
        if (value is { } d && d <= Duration.Zero)
        {
            errors.Add($"{name} must be positive (got {d})");
        }
    }
}
