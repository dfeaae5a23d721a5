using HaSim.Model.Dcs;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Dcs;

public class DcsClientTests
{
    [Fact]
    public void TheClosestZoneComesFirstThenTheRestByIndex()
    {
        var members = new[]
        {
            new DcsMember(0, "e0", new ZoneId(0)),
            new DcsMember(1, "e1", new ZoneId(1)),
            new DcsMember(2, "e2", new ZoneId(2)),
            new DcsMember(3, "e3", new ZoneId(1)),
        };
        var client = DcsClient.PreferringZone(members, new ZoneId(1));
        Assert.Equal([1, 3, 0, 2], client.Endpoints);
        Assert.Equal(1, client.Current);
    }

    [Fact]
    public void TheClientSticksToAnEndpointAndFailsOverInOrder()
    {
        var client = new DcsClient([2, 0, 1]);
        var reachable = new SortedSet<int> { 0, 1, 2 };
        Assert.Equal(2, client.Select(reachable.Contains));

        reachable.Remove(2);
        Assert.Equal(0, client.Select(reachable.Contains));
        reachable.Add(2);
        Assert.Equal(0, client.Select(reachable.Contains)); // no fail-back while 0 works

        client.OnRequestFailed(); // e.g. m0 answered "no leader"
        Assert.Equal(1, client.Current);
        client.OnRequestFailed();
        Assert.Equal(2, client.Select(reachable.Contains)); // wraps around

        reachable.Clear();
        Assert.Null(client.Select(reachable.Contains));
        Assert.Equal(2, client.Current);
    }

    [Fact]
    public void EndpointsMustBeDistinctAndNonEmpty()
    {
        Assert.Throws<ArgumentException>(() => new DcsClient([]));
        Assert.Throws<ArgumentException>(() => new DcsClient([1, 1]));
    }
}
