using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Loading;

/// <summary>
/// The values a model gets for keys it leaves out, written as model text so that they read as
/// docs/model-format.md states them. Parsed once: distributions are immutable.
/// </summary>
internal static class ModelDefaults
{
    public static readonly Duration Duration = Duration.FromSeconds(60);
    public static readonly Duration Warmup = Duration.Zero;
    public static readonly Duration SampleInterval = Duration.FromSeconds(1);

    public static readonly LatencyDistribution WalWrite = LatencyDistribution.Parse("10us");
    public static readonly LatencyDistribution WalFlush = LatencyDistribution.Parse("lognormal(median=350us, p99=1.2ms)");
    public static readonly double ReplayBytesPerSecond = Rate("80MB/s");

    public static readonly LatencyDistribution SameZone = LatencyDistribution.Parse("lognormal(median=60us, p99=250us)");
    public static readonly LatencyDistribution CrossZone = LatencyDistribution.Parse("lognormal(median=350us, p99=1.2ms)");
    public static readonly LatencyDistribution CrossRegion = LatencyDistribution.Parse("shifted(min=35ms, lognormal(median=500us, p99=3ms))");
    public static readonly double BandwidthBytesPerSecond = Rate("10Gbps");
    public static readonly double LossProbability = 0;

    /// <summary>Linux's minimum TCP retransmission timeout.</summary>
    public static readonly Duration RetransmissionTimeout = Duration.FromMilliseconds(200);

    public static readonly SynchronousCommit SynchronousCommit = SynchronousCommit.On;
    public static readonly bool GroupCommit = true;

    /// <summary>PostgreSQL's default wal_sender_timeout.</summary>
    public static readonly Duration WalSenderTimeout = Duration.FromSeconds(60);

    public static readonly int SemiSyncWaitForReplicaCount = 1;

    /// <summary>MySQL's rpl_semi_sync_source_timeout default (10000 ms).</summary>
    public static readonly Duration SemiSyncTimeout = Duration.FromSeconds(10);

    public static readonly SizeDistribution TransactionSize = SizeDistribution.Parse("1kB");
    public static readonly double ReadFraction = 0;
    public static readonly ReadRouting ReadRouting = ReadRouting.Primary;

    private static double Rate(string text) =>
        ByteText.TryParseRate(text, out var rate, out var error) ? rate : throw new FormatException(error);
}
