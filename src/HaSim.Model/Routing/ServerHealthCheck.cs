using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>Where a server stands, as HAProxy's stats page shows it ("UP", "UP 1/3", "DOWN", "DOWN 1/2").</summary>
public enum ServerCheckState
{
    /// <summary>UP with no failure counted: checked every <c>inter</c>.</summary>
    Up,

    /// <summary>Still UP, but counting consecutive failures towards <c>fall</c>: checked every <c>fastinter</c>.</summary>
    GoingDown,

    /// <summary>DOWN with no success counted: checked every <c>downinter</c>.</summary>
    Down,

    /// <summary>Still DOWN, but counting consecutive successes towards <c>rise</c>: checked every <c>fastinter</c>.</summary>
    GoingUp,
}

/// <summary>
/// HAProxy's active health check of one backend server (for a Patroni cluster: an HTTP check of the
/// node's <c>/primary</c> endpoint, which answers 200 only on the leader), as a pure state machine
/// with explicit time. The host starts a check at <see cref="NextCheckAt"/>, reports its connection
/// and its verdict, and fires a timer at <see cref="CheckDeadline"/>.
/// <para>
/// State follows HAProxy's <c>set_server_check_status</c>: one health counter in [0, rise + fall - 1];
/// the server is UP while it is at least <c>rise</c>. A passed check adds one, and reaching
/// <c>rise</c> jumps to the top (fully UP, so a success while going down also forgets the failures).
/// A failed check takes one away, and falling below <c>rise</c> drops to 0 (fully DOWN, so a failure
/// while going up forgets the successes). Hence: <c>rise</c> consecutive passes bring a DOWN server
/// UP, <c>fall</c> consecutive failures bring an UP one DOWN.
/// </para>
/// <para>
/// The next check is due one interval after the previous one <em>completed</em> (HAProxy's
/// <c>process_chk_conn</c> reschedules from the completion time), chosen by <c>srv_getinter</c> from
/// the state after the verdict: <c>inter</c> when fully UP, <c>downinter</c> when fully DOWN,
/// <c>fastinter</c> in between (going up, going down, or a server whose init-state left it short of
/// either end). HAProxy's optional <c>spread-checks</c> noise is not modelled.
/// </para>
/// </summary>
public sealed class ServerHealthCheck
{
    private readonly int _top;
    private long _checks;

    /// <summary>A server whose first check is due at <paramref name="firstCheckAt"/>.</summary>
    public ServerHealthCheck(HealthCheckSettings settings, Instant firstCheckAt)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid();
        Settings = settings;
        _top = settings.Rise + settings.Fall - 1;
        Health = settings.InitState switch
        {
            ServerInitState.FullyUp => _top,
            ServerInitState.Up => settings.Rise,
            ServerInitState.Down => settings.Rise - 1,
            _ => 0,
        };
        IsUp = settings.InitState is ServerInitState.Up or ServerInitState.FullyUp;
        NextCheckAt = firstCheckAt;
    }

    public HealthCheckSettings Settings { get; }

    /// <summary>HAProxy's health counter, in [0, rise + fall - 1].</summary>
    public int Health { get; private set; }

    /// <summary>Whether the server is UP, i.e. may receive new connections.</summary>
    public bool IsUp { get; private set; }

    public ServerCheckState State => IsUp
        ? (Health == _top ? ServerCheckState.Up : ServerCheckState.GoingDown)
        : (Health == 0 ? ServerCheckState.Down : ServerCheckState.GoingUp);

    /// <summary>When the host must start the next check; <see cref="Instant.MaxValue"/> while one is running.</summary>
    public Instant NextCheckAt { get; private set; }

    /// <summary>When the running check fails for want of an answer; <see cref="Instant.MaxValue"/> when none runs.</summary>
    public Instant CheckDeadline { get; private set; } = Instant.MaxValue;

    public bool IsCheckInProgress => CheckDeadline != Instant.MaxValue;

    /// <summary>The number of the running (or last) check, counting from 1.</summary>
    public long CurrentCheck => _checks;

    /// <summary>The interval HAProxy's <c>srv_getinter</c> picks for the current state.</summary>
    public Duration CurrentInterval => State switch
    {
        ServerCheckState.Up => Settings.Inter,
        ServerCheckState.Down => Settings.EffectiveDownInter,
        _ => Settings.EffectiveFastInter,
    };

    /// <summary>
    /// Starts the check that is due, and returns its number: the host passes it back with the
    /// connection and the verdict, so that the answer to a check that already timed out is ignored.
    /// </summary>
    public long StartCheck(Instant now)
    {
        if (IsCheckInProgress)
        {
            throw new InvalidOperationException($"check {_checks} is still running (deadline {CheckDeadline})");
        }
        if (now < NextCheckAt)
        {
            throw new ArgumentOutOfRangeException(nameof(now), $"the next check is due at {NextCheckAt}, not {now}");
        }
        _checks++;
        NextCheckAt = Instant.MaxValue;
        CheckDeadline = now + Settings.ConnectBudget;
        return _checks;
    }

    /// <summary>
    /// The check's connection is established. With <c>timeout check</c> set, HAProxy then gives the
    /// response that much time from now; without it the deadline set at the start stays.
    /// A stale check number (a check already over) is ignored.
    /// </summary>
    public void OnConnected(Instant now, long check)
    {
        if (!IsRunning(now, check))
        {
            return;
        }
        if (Settings.TimeoutCheck is { } timeout)
        {
            CheckDeadline = now + timeout;
        }
    }

    /// <summary>
    /// The check's verdict: <paramref name="passed"/> is true when the expected answer arrived (for
    /// Patroni's <c>/primary</c>: status 200); a refused connection, a reset or another status is a
    /// failure. An answer exactly at the deadline still counts. The verdict of a check already over
    /// (it timed out) is ignored. Returns whether the server went UP or DOWN.
    /// </summary>
    public bool OnCheckResult(Instant now, long check, bool passed) =>
        IsRunning(now, check) && Complete(now, passed);

    /// <summary>
    /// A timer the host set at <see cref="CheckDeadline"/> fired: a check still running past its
    /// deadline failed (HAProxy's <c>timeout check</c> semantics). Stale timers (the check answered,
    /// or its deadline moved on connection) do nothing. Returns whether the server went UP or DOWN.
    /// </summary>
    public bool OnTimer(Instant now) =>
        IsCheckInProgress && now >= CheckDeadline && Complete(now, passed: false);

    private bool IsRunning(Instant now, long check)
    {
        if (check > _checks || check < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(check), $"check {check} was never started (last started: {_checks})");
        }
        if (check < _checks || !IsCheckInProgress)
        {
            return false;
        }
        if (now > CheckDeadline)
        {
            throw new InvalidOperationException(
                $"check {check} timed out at {CheckDeadline}, before {now}: fire OnTimer at the deadline first");
        }
        return true;
    }

    private bool Complete(Instant now, bool passed)
    {
        var wasUp = IsUp;
        if (passed)
        {
            if (Health < _top)
            {
                Health++;
                if (Health >= Settings.Rise)
                {
                    Health = _top;
                }
            }
        }
        else if (Health > 0)
        {
            Health--;
            if (Health < Settings.Rise)
            {
                Health = 0;
            }
        }
        // HAProxy marks the server running only at the top of the counter and stopped only at 0, so
        // an init-state between the two ends keeps its UP/DOWN flag until a verdict reaches one.
        if (Health == _top)
        {
            IsUp = true;
        }
        else if (Health == 0)
        {
            IsUp = false;
        }
        CheckDeadline = Instant.MaxValue;
        NextCheckAt = now + CurrentInterval;
        return IsUp != wasUp;
    }
}
