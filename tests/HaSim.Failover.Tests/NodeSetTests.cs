using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Failover.Tests;

public class NodeSetTests
{
    private static readonly NodeId A = new(0), B = new(1), C = new(2), D = new(3);

    [Fact]
    public void OfSortsByIdAndDropsRepeats()
    {
        var set = NodeSet.Of(C, A, D, A, C, B);
        Assert.Equal([A, B, C, D], set);
        Assert.Equal(NodeSet.Of(A, B, C, D), set);
        Assert.Equal(NodeSet.Of(A, B, C, D).GetHashCode(), set.GetHashCode());
    }

    [Fact]
    public void OfAcceptsAnySequence()
    {
        Assert.Same(NodeSet.Empty, NodeSet.Of());
        Assert.Same(NodeSet.Empty, NodeSet.Of(Enumerable.Empty<NodeId>()));
        Assert.Equal([B, D], NodeSet.Of(new[] { D, B, D }.Where(_ => true))); // count unknown up front
    }

    [Fact]
    public void SetOperationsKeepTheOrder()
    {
        var left = NodeSet.Of(D, B, A);
        var right = NodeSet.Of(C, B, D);
        Assert.Equal([B, D], left.Intersect(right));
        Assert.Equal([A, B, C, D], left.Union(right));
        Assert.Equal([A], left.Except(right));
        Assert.Equal([A, D], left.Without(B));
        Assert.True(left.Contains(D));
        Assert.False(left.Contains(C));
    }
}
