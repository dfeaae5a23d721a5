using HaSim.Primitives;

namespace HaSim.Model.Routing;

/// <summary>
/// A server of the backend was marked UP or DOWN at <paramref name="At"/>. When
/// <paramref name="ShutdownSessions"/> is set (marked DOWN under <c>on-marked-down
/// shutdown-sessions</c>), the host must cut every session open to that server now.
/// </summary>
public readonly record struct ServerStateChange(Instant At, NodeId Server, bool IsUp, bool ShutdownSessions);

/// <summary>
/// New connections to the write endpoint go to <paramref name="To"/> from <paramref name="At"/> on,
/// instead of <paramref name="From"/>; null means no server is UP (connections are refused).
/// Sessions already open stay where they are unless a <see cref="ServerStateChange"/> cuts them.
/// </summary>
public readonly record struct RoutingChange(Instant At, NodeId? From, NodeId? To);

/// <summary>What one check event changed at the endpoint: both parts are null when nothing did.</summary>
public readonly record struct EndpointUpdate(ServerStateChange? Server, RoutingChange? Routing)
{
    public static EndpointUpdate None => default;
}
