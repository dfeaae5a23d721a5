using HaSim.Kernel.Reference;
using HaSim.Primitives;

namespace HaSim.Kernel.Tests;

public class SingleServerQueueTests
{
    [Fact]
    public void MatchesMM1TheoryAtHalfLoad()
    {
        // rho = 0.5: W = 1/(mu - lambda) = 2 ms, L = 1. One simulated hour is 1.8 million
        // customers; with the M/M/1 autocorrelation at this load the standard error of the mean
        // sojourn is about 0.3%, so 2% is a bound a correct kernel never misses at a fixed seed,
        // while an off-by-one in ordering or a biased sampler (any error of a few %) fails it.
        var p = new SingleServerQueueParameters(500, 1000);
        var result = new SingleServerQueue(p, seed: 2024).Run(Duration.Parse("1h"));
        Assert.Equal(StopReason.HorizonReached, result.Run.Reason);
        Assert.InRange(result.MeanSojournSeconds / p.TheoreticalMeanSojournSeconds, 0.98, 1.02);
        Assert.InRange(result.TimeAverageInSystem / p.TheoreticalMeanInSystem, 0.98, 1.02);
        // Little's law ties the two measurements together independently of the theory.
        var lambdaHat = result.Arrivals / 3600.0;
        Assert.InRange(result.TimeAverageInSystem / (lambdaHat * result.MeanSojournSeconds), 0.995, 1.005);
    }

    [Fact]
    public void AnUnstableQueueIsReportedNotGrownForever()
    {
        var result = new SingleServerQueue(new SingleServerQueueParameters(2000, 1000), seed: 1).Run(Duration.Parse("1h"));
        Assert.True(result.QueueBoundExceeded);
        Assert.Equal(StopReason.StopRequested, result.Run.Reason);
    }
}
