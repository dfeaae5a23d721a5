using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

/// <summary>How a node answers a health check of its role endpoint at some instant.</summary>
public enum ProbeAnswer
{
    /// <summary>200: the node is the primary.</summary>
    Pass,

    /// <summary>503 or a refused connection, at once.</summary>
    Fail,

    /// <summary>Nothing comes back (dead host, partition): the check times out.</summary>
    Silent,
}

/// <summary>
/// A minimal host for tests: runs every check of a <see cref="WriteEndpoint"/> in time order (ties in
/// backend order), with answers that arrive the instant the check starts, and records the updates.
/// After each step it asserts the endpoint never routes to a server that is not UP.
/// </summary>
public sealed class EndpointDriver(WriteEndpoint endpoint, Func<NodeId, Instant, ProbeAnswer> answer)
{
    public List<ServerStateChange> ServerChanges { get; } = [];

    public List<RoutingChange> RoutingChanges { get; } = [];

    /// <summary>Every instant at which more than one server was UP, with the UP servers.</summary>
    public List<(Instant At, NodeId[] Up)> MultipleUp { get; } = [];

    public void RunUntil(Instant end)
    {
        while (true)
        {
            var (server, at) = NextEvent();
            if (at > end)
            {
                return;
            }
            var check = endpoint.Check(server);
            EndpointUpdate update;
            if (check.IsCheckInProgress)
            {
                update = endpoint.OnTimer(at, server);
            }
            else
            {
                var id = endpoint.StartCheck(at, server);
                var reply = answer(server, at);
                update = reply == ProbeAnswer.Silent
                    ? EndpointUpdate.None
                    : endpoint.OnCheckResult(at, server, id, reply == ProbeAnswer.Pass);
            }
            Record(update);
            if (endpoint.Target is { } target)
            {
                Assert.True(endpoint.Check(target).IsUp, $"routed to {target}, which is DOWN, at {at}");
            }
            var up = endpoint.UpServers;
            if (up.Count > 1)
            {
                MultipleUp.Add((at, up.ToArray()));
            }
        }
    }

    private (NodeId Server, Instant At) NextEvent()
    {
        var best = (Server: endpoint.Servers[0], At: Instant.MaxValue);
        foreach (var server in endpoint.Servers)
        {
            var check = endpoint.Check(server);
            var at = check.IsCheckInProgress ? check.CheckDeadline : check.NextCheckAt;
            if (at < best.At)
            {
                best = (server, at);
            }
        }
        return best;
    }

    private void Record(EndpointUpdate update)
    {
        if (update.Server is { } server)
        {
            ServerChanges.Add(server);
        }
        if (update.Routing is { } routing)
        {
            RoutingChanges.Add(routing);
        }
    }
}
