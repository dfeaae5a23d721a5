using HaSim.Kernel;
using HaSim.Model.Cluster;

namespace HaSim.Model.Tests;

public class IdWindowTests
{
    private sealed record Item(long Id);

    /// <summary>Against a sorted dictionary, through adds in order, removals in any order, an item held for long (growth) and lookups of ids out of range.</summary>
    [Fact]
    public void BehavesAsAMapFromIdsHandedOutInOrder()
    {
        var rng = new SimRandom(5, "id window");
        var window = new IdWindow<Item>();
        var reference = new SortedDictionary<long, Item>();
        long next = 1;
        for (var step = 0; step < 200_000; step++)
        {
            if (rng.NextInt(2) > 0 || reference.Count == 0)
            {
                var item = new Item(next);
                window.Add(next, item);
                reference.Add(next, item);
                next++;
            }
            else
            {
                // Mostly the oldest ones go, but id 1 stays for a long while and makes the span grow.
                var oldest = reference.Keys.Take(8).ToArray();
                var id = oldest[rng.NextInt(oldest.Length)];
                if (id == 1 && step < 150_000)
                {
                    continue;
                }
                window.Remove(id);
                reference.Remove(id);
            }
            var probe = (long)rng.NextInt((int)next + 2) - 1;
            Assert.Equal(reference.TryGetValue(probe, out var expected), window.TryGetValue(probe, out var actual));
            Assert.Same(expected, actual);
            Assert.Equal(reference.Count, window.Count);
        }
        Assert.Equal(reference.Keys, window.Ids());
        Assert.Throws<ArgumentException>(() => window.Add(next + 1, new Item(next + 1)));
    }

    [Fact]
    public void AnItemThatNeverLeavesHitsTheBoundInsteadOfEatingMemory()
    {
        var window = new IdWindow<Item>(maxSpan: 4096);
        window.Add(1, new Item(1));
        var thrown = Assert.Throws<QueueBoundExceededException>(() =>
        {
            for (long id = 2; id < 10_000; id++)
            {
                window.Add(id, new Item(id));
                window.Remove(id);
            }
        });
        Assert.Contains("more than 4096", thrown.Message, StringComparison.Ordinal);
    }
}
