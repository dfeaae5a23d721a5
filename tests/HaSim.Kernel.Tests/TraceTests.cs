using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Kernel.Tests;

public class TraceTests
{
    private static readonly TraceKind Commit = new("test.commit");
    private static readonly TraceKind Promote = new("test.promote");

    [Fact]
    public void TheHashCoversEveryFieldOfEveryEvent()
    {
        static ulong HashOf(Action<Trace> record)
        {
            var t = new Trace();
            record(t);
            return t.Hash;
        }
        var baseline = HashOf(t => t.Record(new Instant(5), Commit, 1, 2, 3));
        Assert.Equal(baseline, HashOf(t => t.Record(new Instant(5), Commit, 1, 2, 3)));
        Assert.NotEqual(baseline, HashOf(t => t.Record(new Instant(6), Commit, 1, 2, 3)));
        Assert.NotEqual(baseline, HashOf(t => t.Record(new Instant(5), Promote, 1, 2, 3)));
        Assert.NotEqual(baseline, HashOf(t => t.Record(new Instant(5), Commit, 2, 2, 3)));
        Assert.NotEqual(baseline, HashOf(t => t.Record(new Instant(5), Commit, 1, 3, 3)));
        Assert.NotEqual(baseline, HashOf(t => t.Record(new Instant(5), Commit, 1, 2, 4)));
        Assert.NotEqual(baseline, HashOf(t => { t.Record(new Instant(5), Commit, 1, 2, 3); t.Record(new Instant(5), Commit, 1, 2, 3); }));
    }

    [Fact]
    public void TheHashDoesNotDependOnWhenItIsRead()
    {
        // Reading the hash flushes the buffer; the result must equal hashing everything at once.
        var once = new Trace();
        var often = new Trace();
        for (var i = 0; i < 1000; i++)
        {
            once.Record(new Instant(i), Commit, i % 3, i, -i);
            often.Record(new Instant(i), Commit, i % 3, i, -i);
            if (i % 37 == 0)
            {
                _ = often.Hash;
            }
        }
        Assert.Equal(once.Hash, often.Hash);
        Assert.Equal(1000, often.Count);
    }

    [Fact]
    public void FingerprintHasTheDocumentedForm()
    {
        Assert.Equal("seed=42 trace=00000000000000ff", Trace.FormatFingerprint(42, 255));
        Assert.Matches("^seed=7 trace=[0-9a-f]{16}$", new Trace().Fingerprint(7));
    }

    [Fact]
    public void SinksReceiveEventsAndABoundedBufferCountsWhatItDrops()
    {
        var buffer = new BoundedTraceBuffer(capacity: 2);
        var t = new Trace(buffer);
        t.Record(new Instant(1), Commit, 0, 10);
        t.Record(new Instant(2), Promote, 1);
        t.Record(new Instant(3), Commit, 0, 11);
        Assert.Equal(2, buffer.Events.Count);
        Assert.Equal(Promote, buffer.Events[1].Kind);
        Assert.Equal(1, buffer.Dropped);
        Assert.Equal("T+1ns test.commit subject=0 a=10 b=0", buffer.Events[0].ToString());
    }

    [Fact]
    public void RecordingWithoutASinkAllocatesNothing()
    {
        var t = new Trace();
        for (var i = 0; i < 10_000; i++)
        {
            t.Record(new Instant(i), Commit, 1, i);
        }
        // The fewest bytes over three rounds: the runtime itself now and then allocates on the
        // thread during one (seen in other allocation tests of a full parallel run); recording
        // that allocates does so in every round.
        var fewest = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100_000; i++)
            {
                t.Record(new Instant(i), Commit, 1, i);
            }
            _ = t.Hash;
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
    }
}
