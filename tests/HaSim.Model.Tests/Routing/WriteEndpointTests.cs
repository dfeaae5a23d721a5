using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

public class WriteEndpointTests
{
    private static readonly NodeId N0 = new(0), N1 = new(1), N2 = new(2);

    // Pigsty's "norm" plan with Patroni's on-marked-down shutdown-sessions; init-state up (the default).
    private static readonly HealthCheckSettings Norm = new()
    {
        Inter = Duration.FromSeconds(2),
        FastInter = Duration.FromSeconds(1),
        Rise = 3,
        Fall = 3,
        OnMarkedDownShutdownSessions = true,
    };

    private static Instant T(string text) => Instant.Parse(text);

    /// <summary>n0 is primary until it crashes at 10 s (connections refused); n1 is promoted at 40 s.</summary>
    private static ProbeAnswer Failover(NodeId node, Instant at) =>
        (node.Value, at) switch
        {
            (0, var t) when t < T("10s") => ProbeAnswer.Pass,
            (1, var t) when t >= T("40s") => ProbeAnswer.Pass,
            _ => ProbeAnswer.Fail,
        };

    [Fact]
    public void FirstChecksAreSpreadOverTheInitialIntervalAsHaproxyDoes()
    {
        // init-state up leaves the counter short of the top: the initial interval is fastinter.
        var endpoint = new WriteEndpoint(Norm, [N0, N1, N2], T("0s"));
        Assert.Equal(
            [T("0s"), Instant.Start + Duration.FromNanoseconds(333_333_333), Instant.Start + Duration.FromNanoseconds(666_666_666)],
            endpoint.Servers.Select(s => endpoint.Check(s).NextCheckAt));
        var fullyUp = new WriteEndpoint(Norm with { InitState = ServerInitState.FullyUp }, [N0, N1, N2], T("5s"));
        Assert.Equal([T("5s"), T("5.666666666s"), T("6.333333333s")], fullyUp.Servers.Select(s => fullyUp.Check(s).NextCheckAt));
    }

    [Fact]
    public void AllServersStartUpAndTheReplicasDropOutAtTheirFirstCheck()
    {
        var endpoint = new WriteEndpoint(Norm, [N0, N1, N2], T("0s"));
        Assert.Equal(N0, endpoint.Target);
        Assert.Equal([N0, N1, N2], endpoint.UpServers);

        var driver = new EndpointDriver(endpoint, Failover);
        driver.RunUntil(T("1s"));
        Assert.Equal(
            [
                new ServerStateChange(Instant.Start + Duration.FromNanoseconds(333_333_333), N1, IsUp: false, ShutdownSessions: true),
                new ServerStateChange(Instant.Start + Duration.FromNanoseconds(666_666_666), N2, IsUp: false, ShutdownSessions: true),
            ],
            driver.ServerChanges);
        Assert.Empty(driver.RoutingChanges);
        Assert.Equal([N0], endpoint.UpServers);
    }

    [Fact]
    public void AFailoverMovesTheEndpointThroughNoTargetToTheNewPrimary()
    {
        var endpoint = new WriteEndpoint(Norm, [N0, N1, N2], T("0s"));
        var driver = new EndpointDriver(endpoint, Failover);
        driver.RunUntil(T("60s"));

        // n0 is checked every inter from 0 s: failures at 10, 11, 12 s (fastinter) mark it DOWN at 12 s.
        // n1, DOWN since 1/3 s, is checked every inter at 1/3 s + 2k: first pass at 40.333 s, UP two
        // fastinters later.
        var n1Up = T("42s") + Duration.FromNanoseconds(333_333_333);
        Assert.Equal([new RoutingChange(T("12s"), N0, null), new RoutingChange(n1Up, null, N1)], driver.RoutingChanges);
        Assert.Contains(new ServerStateChange(T("12s"), N0, IsUp: false, ShutdownSessions: true), driver.ServerChanges);
        Assert.Contains(new ServerStateChange(n1Up, N1, IsUp: true, ShutdownSessions: false), driver.ServerChanges);
        Assert.Equal(N1, endpoint.Target);
        Assert.All(driver.MultipleUp, m => Assert.True(m.At < T("1s")));
    }

    [Fact]
    public void AnUnansweringPrimaryIsMarkedDownOnlyAsItsChecksTimeOut()
    {
        // No timeout check: each check of the silent node fails inter after it started.
        var endpoint = new WriteEndpoint(Norm with { InitState = ServerInitState.FullyUp }, [N0], T("0s"));
        var driver = new EndpointDriver(endpoint, (_, at) => at < T("10s") ? ProbeAnswer.Pass : ProbeAnswer.Silent);
        driver.RunUntil(T("30s"));
        // Checks start at 10, 13 and 16 s (each timing out 2 s later, the next one fastinter after).
        Assert.Equal([new RoutingChange(T("18s"), N0, null)], driver.RoutingChanges);
        Assert.Null(endpoint.Target);
    }

    [Fact]
    public void TwoServersUpAreReportedAndTheFirstInBackendOrderGetsTheWrites()
    {
        // After the failover, n0 comes back believing it is still primary (a split brain).
        ProbeAnswer SplitBrain(NodeId node, Instant at) =>
            node == N0 && at >= T("50s") ? ProbeAnswer.Pass : Failover(node, at);
        var endpoint = new WriteEndpoint(Norm, [N0, N1, N2], T("0s"));
        var driver = new EndpointDriver(endpoint, SplitBrain);
        driver.RunUntil(T("60s"));

        // n0's DOWN checks run at 12 + 2k s: passes at 50, 51, 52 s.
        Assert.Equal(new RoutingChange(T("52s"), N1, N0), driver.RoutingChanges[^1]);
        Assert.Equal([N0, N1], endpoint.UpServers);
        Assert.Equal(N0, endpoint.Target);
        Assert.Equal(T("52s"), driver.MultipleUp.First(m => m.At > T("1s")).At);
    }

    [Fact]
    public void BalanceFirstSendsEveryConnectionToTheFirstUpServer()
    {
        var endpoint = new WriteEndpoint(Norm, [N0, N1, N2], T("0s"));
        Assert.Equal([N0, N0, N0], Enumerable.Range(0, 3).Select(_ => endpoint.NextConnection()));
    }

    [Fact]
    public void BalanceRoundRobinTakesTheUpServersInTurnAndSkipsTheDownOnes()
    {
        ProbeAnswer SplitBrain(NodeId node, Instant at) =>
            node == N0 && at >= T("50s") ? ProbeAnswer.Pass : Failover(node, at);
        var endpoint = new WriteEndpoint(Norm with { Balance = BalanceAlgorithm.RoundRobin }, [N0, N1, N2], T("0s"));
        // Every server starts UP (init-state up): all three in turn.
        Assert.Equal([N0, N1, N2, N0], Enumerable.Range(0, 4).Select(_ => endpoint.NextConnection()));

        var driver = new EndpointDriver(endpoint, SplitBrain);
        driver.RunUntil(T("45s"));
        Assert.Equal([N1], endpoint.UpServers);
        Assert.Equal([N1, N1], Enumerable.Range(0, 2).Select(_ => endpoint.NextConnection()));

        // n0 passes /primary again while n1 does: both get new connections, alternately.
        driver.RunUntil(T("60s"));
        Assert.Equal([N0, N1], endpoint.UpServers);
        Assert.Equal(N0, endpoint.Target);
        Assert.Equal([N0, N1, N0, N1], Enumerable.Range(0, 4).Select(_ => endpoint.NextConnection()));
    }

    [Fact]
    public void WithoutShutdownSessionsAServerMarkedDownKeepsItsSessions()
    {
        var endpoint = new WriteEndpoint(Norm with { OnMarkedDownShutdownSessions = false }, [N0, N1, N2], T("0s"));
        var driver = new EndpointDriver(endpoint, Failover);
        driver.RunUntil(T("20s"));
        Assert.Contains(new ServerStateChange(T("12s"), N0, IsUp: false, ShutdownSessions: false), driver.ServerChanges);
    }

    [Fact]
    public void BadBackendsAndUnknownServersAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new WriteEndpoint(Norm, [], T("0s")));
        Assert.Throws<ArgumentException>(() => new WriteEndpoint(Norm, [N0, N1, N0], T("0s")));
        var endpoint = new WriteEndpoint(Norm, [N0, N1], T("0s"));
        Assert.Throws<ArgumentException>(() => endpoint.Check(N2));
    }
}
