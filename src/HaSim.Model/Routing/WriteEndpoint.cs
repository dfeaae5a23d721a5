using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// One HAProxy frontend for writes (Patroni's <c>listen primary</c>) over a backend holding every
/// database node, each with its own <see cref="ServerHealthCheck"/>. By default new connections go to
/// the first UP server in backend order: HAProxy's <c>balance first</c>. Patroni's template leaves the
/// default <c>roundrobin</c>, which picks the same server whenever exactly one is UP; when several are
/// UP the cluster is in a split-brain-like state, which <see cref="UpServers"/> lets the host measure.
/// With <see cref="BalanceAlgorithm.RoundRobin"/> (<see cref="HealthCheckSettings.Balance"/>) new
/// connections take the UP servers in turn (<see cref="NextConnection"/>), deterministically.
/// <para>
/// Drive the checks through this type (not through <see cref="Check"/>) so that every UP/DOWN
/// transition and routing change is reported. With <see cref="ServerInitState.Up"/>, HAProxy's
/// default, every server starts UP, so until the replicas fail their first check the endpoint
/// routes to the first server in backend order and reports several servers UP.
/// </para>
/// </summary>
public sealed class WriteEndpoint
{
    private readonly NodeId[] _servers;
    private readonly ServerHealthCheck[] _checks;
    private int _lastPicked = -1;

    /// <summary>
    /// A backend of <paramref name="servers"/> (in this order) whose checks begin at
    /// <paramref name="start"/>, spread as HAProxy's <c>start_check_task</c> does: the server at
    /// position i of n is first checked at start + interval·i/n, interval being the one its initial
    /// state uses. (HAProxy numbers positions across all backends of the process; here, within this one.)
    /// </summary>
    public WriteEndpoint(HealthCheckSettings settings, IReadOnlyList<NodeId> servers, Instant start)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            throw new ArgumentException("a backend needs at least one server", nameof(servers));
        }
        _servers = servers.ToArray();
        for (var i = 0; i < _servers.Length; i++)
        {
            if (Array.IndexOf(_servers, _servers[i]) != i)
            {
                throw new ArgumentException($"{_servers[i]} is listed twice in the backend", nameof(servers));
            }
        }
        Settings = settings;
        _checks = new ServerHealthCheck[_servers.Length];
        _checks[0] = new ServerHealthCheck(settings, start);
        var spreadOver = _checks[0].CurrentInterval;
        for (var i = 1; i < _servers.Length; i++)
        {
            _checks[i] = new ServerHealthCheck(settings, start + spreadOver * i / _servers.Length);
        }
        Target = FirstUp();
    }

    public HealthCheckSettings Settings { get; }

    /// <summary>The backend's servers, in backend order.</summary>
    public IReadOnlyList<NodeId> Servers => _servers;

    /// <summary>Where a new connection goes now: the first UP server in backend order, or null when none is UP.</summary>
    public NodeId? Target { get; private set; }

    /// <summary>
    /// Where the next new connection goes: <see cref="Target"/> with <c>balance first</c>; with
    /// <c>balance roundrobin</c> the next UP server after the one picked last, in backend order,
    /// wrapping around. Null when none is UP.
    /// </summary>
    public NodeId? NextConnection()
    {
        if (Settings.Balance == BalanceAlgorithm.First)
        {
            return Target;
        }
        for (var step = 1; step <= _servers.Length; step++)
        {
            var i = (_lastPicked + step) % _servers.Length;
            if (_checks[i].IsUp)
            {
                _lastPicked = i;
                return _servers[i];
            }
        }
        return null;
    }

    /// <summary>Every server currently UP, in backend order. More than one means writes may reach two nodes.</summary>
    public IReadOnlyList<NodeId> UpServers
    {
        get
        {
            var up = new List<NodeId>(_servers.Length);
            for (var i = 0; i < _servers.Length; i++)
            {
                if (_checks[i].IsUp)
                {
                    up.Add(_servers[i]);
                }
            }
            return up;
        }
    }

    /// <summary>The check of <paramref name="server"/>, for its timers (<see cref="ServerHealthCheck.NextCheckAt"/>, deadline) and state.</summary>
    public ServerHealthCheck Check(NodeId server) => _checks[IndexOf(server)];

    /// <summary>Starts the due check of <paramref name="server"/>; see <see cref="ServerHealthCheck.StartCheck"/>.</summary>
    public long StartCheck(Instant now, NodeId server) => Check(server).StartCheck(now);

    /// <summary>The check's connection is established; see <see cref="ServerHealthCheck.OnConnected"/>.</summary>
    public void OnConnected(Instant now, NodeId server, long check) => Check(server).OnConnected(now, check);

    /// <summary>The verdict of a check of <paramref name="server"/>; see <see cref="ServerHealthCheck.OnCheckResult"/>.</summary>
    public EndpointUpdate OnCheckResult(Instant now, NodeId server, long check, bool passed)
    {
        var changed = Check(server).OnCheckResult(now, check, passed);
        return changed ? Transition(now, server) : EndpointUpdate.None;
    }

    /// <summary>A deadline timer of <paramref name="server"/>'s check fired; see <see cref="ServerHealthCheck.OnTimer"/>.</summary>
    public EndpointUpdate OnTimer(Instant now, NodeId server)
    {
        var changed = Check(server).OnTimer(now);
        return changed ? Transition(now, server) : EndpointUpdate.None;
    }

    private EndpointUpdate Transition(Instant now, NodeId server)
    {
        var isUp = Check(server).IsUp;
        var serverChange = new ServerStateChange(now, server, isUp, ShutdownSessions: !isUp && Settings.OnMarkedDownShutdownSessions);
        var previous = Target;
        Target = FirstUp();
        RoutingChange? routing = Target == previous ? null : new RoutingChange(now, previous, Target);
        return new EndpointUpdate(serverChange, routing);
    }

    private NodeId? FirstUp()
    {
        for (var i = 0; i < _servers.Length; i++)
        {
            if (_checks[i].IsUp)
            {
                return _servers[i];
            }
        }
        return null;
    }

    private int IndexOf(NodeId server)
    {
        var index = Array.IndexOf(_servers, server);
        if (index < 0)
        {
            throw new ArgumentException($"{server} is not a server of this backend", nameof(server));
        }
        return index;
    }
}
